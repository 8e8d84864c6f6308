import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Ledger } from '@lakepipe/ledger';
import { createLedgerTable } from '@lakepipe/testing';
import { LedgerServerUnavailableError } from '../errors';
import { isProcessAlive, readLock } from './file-lock';
import { markLakeIfNew } from './lake-lock';
import { dropLease, type LedgerServerRecord, ledgerServerPaths } from './ledger-server';

/** The twin's ledger: DynamoDB Local keeping its data under `<lake>/ledger`, shared by concurrent commands. */
export interface LocalLedger {
  readonly endpoint: string;
  readonly tableName: string;
  readonly ledger: Ledger;
  readonly dynamo: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  /** Gives the lease back; the server stops by itself once no command has used it for a while. */
  close(): Promise<void>;
}

export interface OpenLocalLedgerOptions {
  /**
   * Called once when this command has to wait for a server another process is starting.
   * @default nothing is said
   */
  readonly onWait?: (message: string) => void;
  /**
   * How long to wait for the lake's server to answer.
   * @default 120 seconds (a cold JVM on a loaded machine)
   */
  readonly timeoutMs?: number;
}

const cliBin = fileURLToPath(new URL('../../bin/lakepipe.js', import.meta.url));
let leaseCount = 0;

/**
 * Opens the ledger of a local lake. DynamoDB Local must never open one data folder twice, so
 * each lake has one server: a detached `lakepipe ledger-server` that takes `<lake>/ledger/server.lock`
 * atomically, publishes its endpoint there, and stops when no command has held a lease on it for
 * a while (LAKEPIPE_LEDGER_IDLE_SECONDS, default 600). A command takes a lease first, then reuses
 * the server that answers, or starts one and waits for it; a server whose process is gone is taken over.
 */
export async function openLocalLedger(
  lakeRoot: string,
  tableName: string,
  options: OpenLocalLedgerOptions = {},
): Promise<LocalLedger> {
  const paths = ledgerServerPaths(lakeRoot);
  const lakeExisted = existsSync(lakeRoot);
  mkdirSync(paths.leasesDir, { recursive: true });
  if (!lakeExisted) markLakeIfNew(lakeRoot); // a lake this command made can be cleaned
  // The lease comes before reading the lock: a server deciding to stop looks at leases after
  // saying so in its lock, so it either sees this lease or this command sees "stopping".
  const lease = path.join(paths.leasesDir, `${process.pid}.${++leaseCount}`);
  writeFileSync(lease, '');
  let endpoint: string;
  try {
    endpoint = await serverEndpoint(lakeRoot, options);
  } catch (error) {
    dropLease(lease);
    throw error;
  }
  // The clients of @lakepipe/testing's dynamoClientFor, made here: that module also loads the S3 client.
  const dynamo = new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  try {
    await ensureTable(documents, tableName, paths.dataDir);
  } catch (error) {
    documents.destroy();
    dynamo.destroy();
    dropLease(lease);
    throw error;
  }
  let closed = false;
  return {
    endpoint,
    tableName,
    ledger: new Ledger({ client: documents, tableName }),
    dynamo,
    documents,
    async close() {
      if (closed) return;
      closed = true;
      documents.destroy();
      dynamo.destroy();
      dropLease(lease);
    },
  };
}

async function serverEndpoint(lakeRoot: string, options: OpenLocalLedgerOptions): Promise<string> {
  const paths = ledgerServerPaths(lakeRoot);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let starter: ReturnType<typeof spawn> | undefined;
  let said = false;
  while (true) {
    const record = readLock(paths.lockFile) as LedgerServerRecord | undefined;
    const alive = record !== undefined && isProcessAlive(record.pid);
    if (alive && record.state === 'ready' && record.endpoint && (await answers(record.endpoint)))
      return record.endpoint;
    const starterRunning = starter !== undefined && starter.exitCode === null && starter.signalCode === null;
    if (!alive && !starterRunning) {
      starter = startServerProcess(lakeRoot);
    } else if (alive && record.pid !== starter?.pid && !said) {
      said = true;
      options.onWait?.(
        `waiting for the ledger server of ${lakeRoot} (process ${record.pid}, ${record.state})`,
      );
    }
    if (Date.now() > deadline) {
      throw new LedgerServerUnavailableError(lakeRoot, paths.logFile, record?.state ?? 'not started');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `lakepipe ledger-server` detached (it outlives this command); its output goes to server.log. */
function startServerProcess(lakeRoot: string): ReturnType<typeof spawn> {
  const { logFile } = ledgerServerPaths(lakeRoot);
  const out = openSync(logFile, 'a');
  try {
    const child = spawn(process.execPath, [cliBin, 'ledger-server', '--lake', lakeRoot], {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    child.unref();
    return child;
  } finally {
    closeSync(out);
  }
}

/** DynamoDB Local answers a bare GET with 400 MissingAuthenticationToken (node:http: the SDK loads it anyway, fetch would add undici). */
function answers(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(endpoint, { timeout: 2000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve(body.includes('com.amazonaws.dynamodb')));
      response.on('error', () => resolve(false));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/**
 * Creates the ledger table once per lake: a file beside DynamoDB Local's data says it exists, so
 * later commands (status, serve) skip the round trip; both go when the ledger folder goes.
 */
async function ensureTable(
  documents: DynamoDBDocumentClient,
  tableName: string,
  dataDir: string,
): Promise<void> {
  const created = path.join(dataDir, `table-${tableName}.created`);
  if (existsSync(created)) return;
  try {
    await createLedgerTable(documents, tableName);
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
  writeFileSync(created, '');
}
