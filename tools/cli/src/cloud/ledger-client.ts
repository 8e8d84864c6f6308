import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type {
  LedgerQueries,
  ObjectMovementItem,
  Page,
  RunItem,
  RunWithStages,
} from '@lakepipe/ledger/queries';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';
import { LedgerApiRequestError } from './errors';

/** SHA-256 (and HMAC-SHA-256 with a secret) for SignatureV4, on node:crypto. */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  update(data: Uint8Array | string): void {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key =
      typeof this.secret === 'string'
        ? Buffer.from(this.secret, 'utf8')
        : ArrayBuffer.isView(this.secret)
          ? Buffer.from(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
          : Buffer.from(this.secret as ArrayBuffer);
    return createHmac('sha256', key);
  }
}

export interface CloudLedgerClientProps {
  /** the API's base URL, from `/lakepipe/<env>/ledger-api/url` */
  readonly baseUrl: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * Attempts for a throttled (429) or failed (5xx, network) request, with exponential backoff.
   * @default 5
   */
  readonly maxAttempts?: number;
  /** @default 200 ms, doubled each retry */
  readonly baseDelayMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

const RETRIED = new Set([429, 500, 502, 503, 504]);

/**
 * The cloud ledger through its HTTP API (API Gateway, IAM auth): every request is signed with
 * SigV4 for `execute-api` from the user's credentials. Implements the ledger's query side, so the
 * dashboard's router and `status` read it exactly as they read the local ledger.
 */
export class CloudLedgerClient implements LedgerQueries {
  private readonly signer: SignatureV4;
  private readonly base: URL;

  constructor(private readonly props: CloudLedgerClientProps) {
    this.base = new URL(props.baseUrl.endsWith('/') ? props.baseUrl : `${props.baseUrl}/`);
    this.signer = new SignatureV4({
      service: 'execute-api',
      region: props.region,
      credentials: props.credentials,
      sha256: NodeSha256,
    });
  }

  async listRuns(input: { limit?: number; cursor?: string } = {}): Promise<Page<RunItem>> {
    return (await this.get('runs', { limit: input.limit, cursor: input.cursor })) as Page<RunItem>;
  }

  async getRun(runId: string): Promise<RunWithStages | undefined> {
    return (await this.get(`runs/${encodeURIComponent(runId)}`, {}, true)) as RunWithStages | undefined;
  }

  async objectHistory(key: string): Promise<readonly ObjectMovementItem[]> {
    const answer = (await this.get('objects', { key })) as { movements: ObjectMovementItem[] };
    return answer.movements;
  }

  async runMovements(input: {
    runId: string;
    stageId?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<ObjectMovementItem>> {
    return (await this.get(`runs/${encodeURIComponent(input.runId)}/movements`, {
      stage: input.stageId,
      limit: input.limit,
      cursor: input.cursor,
    })) as Page<ObjectMovementItem>;
  }

  /** One signed GET; 429 and 5xx are retried with backoff; 404 is `undefined` when `notFoundIsEmpty`. */
  private async get(
    path: string,
    query: Record<string, string | number | undefined>,
    notFoundIsEmpty = false,
  ): Promise<unknown> {
    const url = new URL(path, this.base);
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined) continue;
      params[name] = String(value);
      url.searchParams.set(name, String(value));
    }
    const maxAttempts = this.props.maxAttempts ?? 5;
    const sleep = this.props.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    const doFetch = this.props.fetch ?? fetch;
    for (let attempt = 1; ; attempt++) {
      const signed = await this.signer.sign({
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query: params,
        headers: { host: url.host, accept: 'application/json' },
      });
      let response: Response | undefined;
      let networkError: Error | undefined;
      try {
        response = await doFetch(url, { method: 'GET', headers: signed.headers as Record<string, string> });
      } catch (error) {
        networkError = error as Error;
      }
      const retry = networkError !== undefined || RETRIED.has(response!.status);
      if (retry && attempt < maxAttempts) {
        await response?.arrayBuffer();
        const delay = (this.props.baseDelayMs ?? 200) * 2 ** (attempt - 1);
        await sleep(delay / 2 + Math.random() * (delay / 2));
        continue;
      }
      if (networkError) throw new LedgerApiRequestError(url.toString(), 0, networkError.message, attempt);
      const text = await response!.text();
      if (response!.status === 404 && notFoundIsEmpty) return undefined;
      if (!response!.ok) throw new LedgerApiRequestError(url.toString(), response!.status, text, attempt);
      return JSON.parse(text);
    }
  }
}
