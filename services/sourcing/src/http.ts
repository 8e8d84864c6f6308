import { RetryableError, SkipFileError } from './errors';

export interface HttpOptions {
  /**
   * Time allowed per attempt, from the request until the last byte of the body.
   * @default 30000 ms
   */
  readonly timeoutMs?: number;
  /**
   * Retries after the first attempt, on 5xx, 429, timeouts and connection errors (never on other 4xx).
   * @default 3
   */
  readonly retries?: number;
  /**
   * Wait before the first retry; doubles with each retry (exponential backoff).
   * @default 500 ms
   */
  readonly retryBaseMs?: number;
}

/** The content types an `http` source accepts unless its spec lists its own. */
export const DEFAULT_CONTENT_TYPES = [
  'text/csv',
  'application/x-ndjson',
  'application/json',
  'application/gzip',
  'application/octet-stream',
  'text/plain',
];

export type Fetch = typeof globalThis.fetch;

export interface HttpAttempt {
  readonly response: Response;
  readonly signal: AbortSignal;
}

/**
 * GETs `url` and hands the checked response to `consume` (which streams the body somewhere),
 * retrying the whole exchange with exponential backoff when the server answers 5xx/429, does not
 * answer in time, or drops the connection. A file the server will never give gets a SkipFileError.
 */
export async function getWithRetries<T>(
  url: string,
  options: HttpOptions & { readonly fetch: Fetch; readonly check: (response: Response) => void },
  consume: (attempt: HttpAttempt) => Promise<T>,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 3;
  const baseMs = options.retryBaseMs ?? 500;
  let last: RetryableError | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(baseMs * 2 ** (attempt - 1));
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    try {
      const response = await options.fetch(url, { signal: controller.signal, redirect: 'follow' });
      if (response.status === 404 || response.status === 410) {
        await response.body?.cancel();
        throw new SkipFileError(
          'not_found',
          `GET ${url} answered ${response.status} ${response.statusText}`.trim(),
        );
      }
      if (response.status >= 500 || response.status === 429) {
        await response.body?.cancel();
        throw new RetryableError(
          'http_status',
          `GET ${url} answered ${response.status} ${response.statusText}`.trim(),
        );
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new SkipFileError(
          'http_status',
          `GET ${url} answered ${response.status} ${response.statusText}`.trim(),
        );
      }
      options.check(response);
      return await consume({ response, signal: controller.signal });
    } catch (error) {
      if (error instanceof SkipFileError) throw error;
      if (error instanceof RetryableError) last = error;
      else if (timedOut) last = new RetryableError('timeout', `GET ${url} timed out after ${timeoutMs} ms`);
      else last = new RetryableError('unreachable', `GET ${url} failed: ${describeNetworkError(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }
  const attempts = retries + 1;
  throw new SkipFileError(
    last!.reason,
    `${last!.message} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`,
  );
}

/** Rejects a response whose declared type or length the source does not accept. */
export function responseCheck(url: string, contentTypes: readonly string[], maxBytes: number) {
  const allowed = new Set(contentTypes.map((t) => t.toLowerCase()));
  return (response: Response): void => {
    const type = (response.headers.get('content-type') ?? 'application/octet-stream')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (!allowed.has(type))
      throw new SkipFileError(
        'content_type',
        `GET ${url} returned content type ${type}, not one of ${[...allowed].join(', ')}`,
      );
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(length) && length > maxBytes)
      throw new SkipFileError(
        'too_large',
        `GET ${url} declares ${length} bytes, over the limit of ${maxBytes} bytes`,
      );
  };
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.message)
    return cause.code && !cause.message.includes(cause.code)
      ? `${cause.code} ${cause.message}`
      : cause.message;
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
