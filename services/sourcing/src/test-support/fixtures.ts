import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FolderObjectStore, newRunId } from '@lakepipe/lake';
import { createLedgerClient, Ledger } from '@lakepipe/ledger';
import { createLedgerTable, LOCAL_CREDENTIALS, LOCAL_REGION, uniqueTableName } from '@lakepipe/testing';
import { dynamoDbEndpoint } from '@lakepipe/testing/vitest';

/** A ledger on its own table in the run's DynamoDB Local. */
export async function freshLedger(): Promise<Ledger> {
  const client = createLedgerClient({
    endpoint: dynamoDbEndpoint(),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const tableName = uniqueTableName('sourcing');
  await createLedgerTable(client, tableName);
  return new Ledger({ client, tableName });
}

/** A folder lake in its own temp folder. */
export async function freshFolderLake(): Promise<{ root: string; store: FolderObjectStore }> {
  const root = await mkdtemp(path.join(tmpdir(), 'sourcing-lake-'));
  return { root, store: new FolderObjectStore(root) };
}

let clock = Date.UTC(2026, 10, 26, 6, 0, 0);
/** Distinct, increasing run ids (a second per call). */
export function nextRunId(): string {
  clock += 1000;
  return newRunId(new Date(clock));
}
