import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Ledger } from '@lakepipe/ledger';
import {
  createLedgerTable,
  dynamoClientFor,
  dynamoDocumentClientFor,
  type RunningServer,
  startDynamoDbLocal,
} from '@lakepipe/testing';

/** The twin's ledger: DynamoDB Local keeping its data under `<lake>/ledger`, shared by concurrent commands. */
export interface LocalLedger {
  readonly endpoint: string;
  readonly tableName: string;
  readonly ledger: Ledger;
  readonly dynamo: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  /** Stops DynamoDB Local if this process started it; a server another command owns is left running. */
  close(): Promise<void>;
}

interface ServerRecord {
  readonly endpoint: string;
  readonly pid: number;
}

/**
 * Opens the ledger of a local lake. A `lakepipe run` and a `lakepipe serve` may be going at the
 * same time; DynamoDB Local must not open the same data folder twice, so the process that starts
 * it records its endpoint in `<lake>/ledger/server.json` and the others reuse it while it answers.
 */
export async function openLocalLedger(lakeRoot: string, tableName: string): Promise<LocalLedger> {
  const dataDir = path.join(lakeRoot, 'ledger');
  mkdirSync(dataDir, { recursive: true });
  const recordFile = path.join(dataDir, 'server.json');
  let owned: RunningServer | undefined;
  let endpoint = await reusableEndpoint(recordFile);
  if (!endpoint) {
    owned = await startDynamoDbLocal({ dbPath: dataDir });
    endpoint = owned.endpoint;
    writeFileSync(recordFile, JSON.stringify({ endpoint, pid: process.pid } satisfies ServerRecord));
  }
  const documents = dynamoDocumentClientFor(endpoint);
  const dynamo = dynamoClientFor(endpoint);
  await ensureTable(documents, tableName);
  return {
    endpoint,
    tableName,
    ledger: new Ledger({ client: documents, tableName }),
    dynamo,
    documents,
    async close() {
      documents.destroy();
      dynamo.destroy();
      if (owned) {
        rmSync(recordFile, { force: true });
        await owned.stop();
      }
    },
  };
}

async function reusableEndpoint(recordFile: string): Promise<string | undefined> {
  if (!existsSync(recordFile)) return undefined;
  try {
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as ServerRecord;
    process.kill(record.pid, 0); // throws when the owner is gone
    const response = await fetch(record.endpoint, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return record.endpoint;
  } catch {
    rmSync(recordFile, { force: true });
    return undefined;
  }
}

async function ensureTable(documents: DynamoDBDocumentClient, tableName: string): Promise<void> {
  try {
    await createLedgerTable(documents, tableName);
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
}
