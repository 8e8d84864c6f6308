import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AthenaClient } from '@aws-sdk/client-athena';

/** What the fake does with one statement: the states GetQueryExecution reports, in turn (the last repeats). */
export interface ScriptedQuery {
  readonly states: readonly ('QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED')[];
  readonly reason?: string;
  /** for a SELECT: column names and string rows */
  readonly columns?: readonly { name: string; type: string }[];
  readonly rows?: readonly (readonly (string | null)[])[];
}

export interface RecordedCall {
  readonly action: string;
  readonly body: Record<string, unknown>;
}

/**
 * A loopback HTTP server speaking Athena's JSON 1.1 protocol (X-Amz-Target: AmazonAthena.<Action>)
 * for StartQueryExecution, GetQueryExecution, StopQueryExecution and GetQueryResults, so the
 * real SDK client (serialization, errors) is exercised. `script` decides each statement's fate.
 */
export class FakeAthena {
  readonly calls: RecordedCall[] = [];
  private readonly queries = new Map<
    string,
    { sql: string; script: ScriptedQuery; polls: number; stopped: boolean }
  >();
  private server?: Server;
  private counter = 0;

  constructor(private readonly script: (sql: string) => ScriptedQuery) {}

  async start(): Promise<AthenaClient> {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => {
        text += chunk;
      });
      req.on('end', () => {
        const action = String(req.headers['x-amz-target'] ?? '').replace('AmazonAthena.', '');
        const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
        this.calls.push({ action, body });
        const reply = this.handle(action, body);
        res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return new AthenaClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The SQL of every StartQueryExecution, in order. */
  get statements(): string[] {
    return this.calls
      .filter((c) => c.action === 'StartQueryExecution')
      .map((c) => String(c.body.QueryString));
  }

  private handle(action: string, body: Record<string, unknown>): { status: number; body: unknown } {
    if (action === 'StartQueryExecution') {
      const id = `q-${++this.counter}`;
      const sql = String(body.QueryString);
      this.queries.set(id, { sql, script: this.script(sql), polls: 0, stopped: false });
      return { status: 200, body: { QueryExecutionId: id } };
    }
    const id = String(body.QueryExecutionId);
    const query = this.queries.get(id);
    if (!query)
      return {
        status: 400,
        body: { __type: 'InvalidRequestException', Message: `QueryExecution ${id} was not found` },
      };
    if (action === 'GetQueryExecution') {
      const states = query.script.states;
      const state = query.stopped ? 'CANCELLED' : states[Math.min(query.polls++, states.length - 1)]!;
      const status: Record<string, unknown> = { State: state };
      if (state === 'FAILED' || state === 'CANCELLED')
        status.StateChangeReason = query.script.reason ?? 'Query cancelled by user';
      return {
        status: 200,
        body: { QueryExecution: { QueryExecutionId: id, Query: query.sql, Status: status } },
      };
    }
    if (action === 'StopQueryExecution') {
      query.stopped = true;
      return { status: 200, body: {} };
    }
    if (action === 'GetQueryResults') {
      const columns = query.script.columns ?? [];
      const header = { Data: columns.map((c) => ({ VarCharValue: c.name })) };
      const rows = (query.script.rows ?? []).map((r) => ({
        Data: r.map((v) => (v === null ? {} : { VarCharValue: v })),
      }));
      return {
        status: 200,
        body: {
          ResultSet: {
            Rows: [header, ...rows],
            ResultSetMetadata: { ColumnInfo: columns.map((c) => ({ Name: c.name, Type: c.type })) },
          },
        },
      };
    }
    return {
      status: 400,
      body: { __type: 'InvalidRequestException', Message: `unsupported action ${action}` },
    };
  }
}

/** A fake clock for the poller: sleep advances it, so backoff is observable and instant. */
export function fakeClock(): { now: () => number; sleep: (ms: number) => Promise<void>; waits: number[] } {
  let t = 0;
  const waits: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
    waits,
  };
}
