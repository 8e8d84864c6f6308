import {
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import { DeployOrderError, DeployRecordError } from './errors';
import { captureOutput } from './exec';

/**
 * What CI remembers about an environment, next to the Terraform state (same bucket, same access):
 * - `deployed`: the commit last applied to one stack in one environment;
 * - `approved`: the last commit promoted to an environment (dev: applied on main; prod: approved at the
 *   gate and applied). The nightly job deploys this commit, never main's HEAD.
 */
export type RecordKey =
  | { readonly kind: 'deployed'; readonly env: string; readonly stackName: string }
  | { readonly kind: 'approved'; readonly env: string };

export interface DeployRecord {
  readonly commit: string;
  /** the Jenkins build that wrote it (`lakepipe/lakepipe/main#42`) */
  readonly build?: string;
  /** ISO time it was written */
  readonly at: string;
}

/** Reads and writes deploy records; the S3 one in CI, the in-memory one in tests and dry runs. */
export interface DeployRecordStore {
  read(key: RecordKey): Promise<DeployRecord | undefined>;
  write(key: RecordKey, record: DeployRecord): Promise<void>;
  /** where a key lives, for messages: `s3://bucket/lakepipe/prod/deployed/sourcing-prod.json` */
  locate(key: RecordKey): string;
}

const recordSchema = z.object({
  commit: z.string().regex(/^[0-9a-f]{40}$/, 'must be a full 40-character commit id'),
  build: z.string().optional(),
  at: z.string().min(1),
});

/** `lakepipe/<env>/deployed/<stack>.json` or `lakepipe/<env>/approved.json` in the state bucket. */
export function recordObjectKey(key: RecordKey): string {
  return key.kind === 'deployed'
    ? `lakepipe/${key.env}/deployed/${key.stackName}.json`
    : `lakepipe/${key.env}/approved.json`;
}

/** Parses a stored record, naming the location and the field when it is not what CI writes. */
export function parseDeployRecord(text: string, location: string): DeployRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DeployRecordError(location, [`not JSON: ${(error as Error).message}`]);
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) {
    throw new DeployRecordError(
      location,
      parsed.error.issues.map(
        (issue) =>
          `${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(readPath(json, issue.path))})`,
      ),
    );
  }
  return parsed.data;
}

function readPath(value: unknown, keys: readonly PropertyKey[]): unknown {
  return keys.reduce<unknown>(
    (node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key],
    value,
  );
}

/** Deploy records as S3 objects in the environment's state bucket. */
export function s3RecordStore(client: S3Client, bucket: string): DeployRecordStore {
  const locate = (key: RecordKey) => `s3://${bucket}/${recordObjectKey(key)}`;
  return {
    locate,
    async read(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: recordObjectKey(key) }));
        return parseDeployRecord(await object.Body!.transformToString('utf8'), locate(key));
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return undefined;
        throw error;
      }
    },
    async write(key, record) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: recordObjectKey(key),
          Body: `${JSON.stringify(record, null, 2)}\n`,
          ContentType: 'application/json',
          ServerSideEncryption: 'AES256',
        }),
      );
    },
  };
}

/** The fake: records in a Map (tests, `--dry-run`). */
export function memoryRecordStore(): DeployRecordStore & { readonly records: Map<string, DeployRecord> } {
  const records = new Map<string, DeployRecord>();
  return {
    records,
    locate: (key) => `memory:${recordObjectKey(key)}`,
    read: async (key) => records.get(recordObjectKey(key)),
    write: async (key, record) => {
      records.set(recordObjectKey(key), record);
    },
  };
}

/**
 * Refuses an apply of `commit` to a stack unless it descends from (or is) the commit last deployed to
 * that stack and environment. Returns the previous record (undefined on the stack's first deploy).
 */
export function assertDescendsFromDeployed(options: {
  readonly store: DeployRecordStore;
  readonly env: string;
  readonly stackName: string;
  readonly commit: string;
  readonly workspaceRoot: string;
}): Promise<DeployRecord | undefined> {
  return assertDescendsFrom({
    ...options,
    key: { kind: 'deployed', env: options.env, stackName: options.stackName },
    label: options.stackName,
  });
}

/** Refuses `commit` unless it descends from (or is) the commit recorded under `key`. */
export async function assertDescendsFrom(options: {
  readonly store: DeployRecordStore;
  readonly key: RecordKey;
  /** what is refused, for the message: `sourcing-prod`, `promotion to prod` */
  readonly label: string;
  readonly commit: string;
  readonly workspaceRoot: string;
}): Promise<DeployRecord | undefined> {
  const { key } = options;
  const previous = await options.store.read(key);
  if (!previous || previous.commit === options.commit) return previous;
  const git = (...args: string[]) => captureOutput('git', args, options.workspaceRoot);
  const known = await git('cat-file', '-e', `${previous.commit}^{commit}`).then(
    () => true,
    () => false,
  );
  if (!known) {
    throw new DeployOrderError(
      options.label,
      previous.commit,
      options.commit,
      `the recorded commit is not in this clone (a shallow clone, or history rewritten on main), so descent cannot be proven; fetch full history (${options.store.locate(key)})`,
    );
  }
  const descends = await git('merge-base', '--is-ancestor', previous.commit, options.commit).then(
    () => true,
    () => false,
  );
  if (!descends) {
    throw new DeployOrderError(
      options.label,
      previous.commit,
      options.commit,
      'it does not descend from the recorded commit',
    );
  }
  return previous;
}

/** The full commit id of a ref (`HEAD`), so records never hold a branch name or a short id. */
export async function resolveCommit(workspaceRoot: string, ref: string): Promise<string> {
  return (await captureOutput('git', ['rev-parse', '--verify', `${ref}^{commit}`], workspaceRoot)).trim();
}
