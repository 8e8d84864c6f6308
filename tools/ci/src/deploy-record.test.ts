import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type RunningServer, s3ClientFor, startS3Server } from '@lakepipe/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertDescendsFromDeployed,
  memoryRecordStore,
  parseDeployRecord,
  recordObjectKey,
  s3RecordStore,
} from './deploy-record';
import { DeployOrderError, DeployRecordError, MissingProviderLockError } from './errors';
import { processRunner } from './exec';
import { loadDeliveryEnvConfig, toTarget } from './stack-catalog';
import { applyStack, planStack } from './stack-plan';
import { deliveryWorkspace, fakeTerraform, fakeTerraformEnv, tempDir, testCatalog } from './test-workspace';

/** A git repository: main is a → b → c; `side` branches off a. */
let repo: string;
const commits: Record<string, string> = {};
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
function commit(name: string) {
  writeFileSync(path.join(repo, `${name}.txt`), name);
  git('add', `${name}.txt`);
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', name);
  commits[name] = git('rev-parse', 'HEAD');
}

let s3: RunningServer;
beforeAll(async () => {
  repo = tempDir('records');
  git('init', '-q', '-b', 'main');
  commit('a');
  commit('b');
  commit('c');
  git('checkout', '-q', '-b', 'side', commits.a!);
  commit('side');
  git('checkout', '-q', 'main');
  s3 = await startS3Server({ buckets: ['lakepipe-tfstate-test'] });
}, 60_000);
afterAll(async () => {
  await s3?.stop();
});

const record = (commit: string) => ({
  commit,
  build: 'lakepipe/lakepipe/main#1',
  at: '2026-11-30T10:00:00Z',
});
const check = (store: ReturnType<typeof memoryRecordStore>, commit: string) =>
  assertDescendsFromDeployed({ store, env: 'prod', stackName: 'sourcing-prod', commit, workspaceRoot: repo });

describe('assertDescendsFromDeployed', () => {
  it('lets the first deploy of a stack through, and a commit that descends from the deployed one', async () => {
    // Arrange
    const store = memoryRecordStore();

    // Act
    const first = await check(store, commits.a!);
    await store.write({ kind: 'deployed', env: 'prod', stackName: 'sourcing-prod' }, record(commits.a!));
    const next = await check(store, commits.c!);

    // Assert
    expect(first).toBeUndefined();
    expect(next?.commit).toBe(commits.a);
  });

  it('refuses an older commit after a newer one: a silent rollback', async () => {
    // Arrange
    const store = memoryRecordStore();
    await store.write({ kind: 'deployed', env: 'prod', stackName: 'sourcing-prod' }, record(commits.c!));

    // Act
    const act = check(store, commits.b!);

    // Assert
    await expect(act).rejects.toThrow(DeployOrderError);
    await expect(act).rejects.toThrow(
      `refusing sourcing-prod at ${commits.b}: it does not descend from the recorded commit (recorded: ${commits.c})`,
    );
  });

  it('refuses a commit on another line of history, and one this clone does not have', async () => {
    // Arrange
    const store = memoryRecordStore();
    await store.write({ kind: 'deployed', env: 'prod', stackName: 'sourcing-prod' }, record(commits.b!));
    const other = memoryRecordStore();
    await other.write(
      { kind: 'deployed', env: 'prod', stackName: 'sourcing-prod' },
      record('0123456789abcdef0123456789abcdef01234567'),
    );

    // Act + Assert (one at a time: a rejection is awaited where it is made)
    await expect(check(store, commits.side!)).rejects.toThrow('it does not descend from the recorded commit');
    await expect(check(other, commits.c!)).rejects.toThrow(
      'the recorded commit is not in this clone (a shallow clone, or history rewritten on main), so descent cannot be proven; fetch full history (memory:lakepipe/prod/deployed/sourcing-prod.json)',
    );
  });
});

describe('s3RecordStore', () => {
  it('keeps one record per stack and env, and the approved commit per env, in the state bucket', async () => {
    // Arrange
    const store = s3RecordStore(s3ClientFor(s3.endpoint), 'lakepipe-tfstate-test');
    const deployed = { kind: 'deployed', env: 'prod', stackName: 'view-prod' } as const;

    // Act
    const before = await store.read(deployed);
    await store.write(deployed, record(commits.b!));
    await store.write({ kind: 'approved', env: 'prod' }, record(commits.c!));

    // Assert
    expect(before).toBeUndefined();
    expect(await store.read(deployed)).toEqual(record(commits.b!));
    expect(await store.read({ kind: 'deployed', env: 'dev', stackName: 'view-dev' })).toBeUndefined();
    expect((await store.read({ kind: 'approved', env: 'prod' }))?.commit).toBe(commits.c);
    expect(store.locate(deployed)).toBe('s3://lakepipe-tfstate-test/lakepipe/prod/deployed/view-prod.json');
  });

  it('names the object and the field of a record CI did not write', async () => {
    // Arrange
    const client = s3ClientFor(s3.endpoint);
    const key = { kind: 'approved', env: 'dev' } as const;
    await client.send(
      new PutObjectCommand({
        Bucket: 'lakepipe-tfstate-test',
        Key: recordObjectKey(key),
        Body: JSON.stringify({ commit: 'main', at: 'now' }),
      }),
    );

    // Act
    const act = s3RecordStore(client, 'lakepipe-tfstate-test').read(key);

    // Assert
    await expect(act).rejects.toThrow(DeployRecordError);
    await expect(act).rejects.toThrow(
      's3://lakepipe-tfstate-test/lakepipe/dev/approved.json is not a lakepipe deploy record:\n  - commit: must be a full 40-character commit id (got "main")',
    );
  });

  it('rejects a record that is not JSON', () => {
    expect(() => parseDeployRecord('{', 'x.json')).toThrow(
      /^x\.json is not a lakepipe deploy record:\n {2}- not JSON/,
    );
  });
});

describe('applyStack with deploy records', () => {
  async function planned(stackIndex: number) {
    const root = deliveryWorkspace(['sourcing-prod']);
    const tf = fakeTerraformEnv(root, { 'sourcing-prod': 'sourcing-lambda-update.json' });
    const options = {
      workspaceRoot: root,
      target: toTarget(testCatalog[stackIndex]!, 'prod'),
      config: loadDeliveryEnvConfig(root, 'prod'),
      catalog: testCatalog,
      runner: processRunner({ env: tf.env, log: () => undefined }),
      terraformBin: fakeTerraform,
    };
    await planStack(options);
    // the workspace is a clone: two commits on main, old → new
    const inRoot = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
    inRoot('init', '-q', '-b', 'main');
    const history: string[] = [];
    for (const name of ['old', 'new']) {
      writeFileSync(path.join(root, `${name}.txt`), name);
      inRoot('add', `${name}.txt`);
      inRoot('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', name);
      history.push(inRoot('rev-parse', 'HEAD'));
    }
    return { root, tf, options, oldCommit: history[0]!, newCommit: history[1]! };
  }

  it('records the applied commit for the stack and env after the apply', async () => {
    // Arrange
    const { tf, options, oldCommit, newCommit } = await planned(3);
    const store = memoryRecordStore();
    await store.write({ kind: 'deployed', env: 'prod', stackName: 'sourcing-prod' }, record(oldCommit));

    // Act
    await applyStack({ ...options, record: { store, commit: newCommit } });

    // Assert
    expect(tf.calls().at(-1)).toBe('sourcing-prod apply -input=false -no-color -lock-timeout=5m plan.tfplan');
    expect(store.records.get('lakepipe/prod/deployed/sourcing-prod.json')?.commit).toBe(newCommit);
  });

  it('refuses a rollback before terraform runs', async () => {
    // Arrange
    const { tf, options, oldCommit, newCommit } = await planned(3);
    const store = memoryRecordStore();
    await store.write({ kind: 'deployed', env: 'prod', stackName: 'sourcing-prod' }, record(newCommit));
    const calls = tf.calls().length;

    // Act
    const act = applyStack({ ...options, record: { store, commit: oldCommit } });

    // Assert
    await expect(act).rejects.toThrow(
      `refusing sourcing-prod at ${oldCommit}: it does not descend from the recorded commit (recorded: ${newCommit})`,
    );
    expect(tf.calls()).toHaveLength(calls);
    expect(store.records.get('lakepipe/prod/deployed/sourcing-prod.json')?.commit).toBe(newCommit);
  });

  it('refuses an apply without the committed provider lock file, naming it', async () => {
    // Arrange
    const { root, options } = await planned(3);
    rmSync(path.join(root, 'infra', 'terraform-locks', 'sourcing.terraform.lock.hcl'));

    // Act
    const act = applyStack(options);

    // Assert
    await expect(act).rejects.toThrow(MissingProviderLockError);
    await expect(act).rejects.toThrow(
      'refusing to apply sourcing-prod: infra/terraform-locks/sourcing.terraform.lock.hcl is not committed.',
    );
  });
});
