import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { StackCatalogEntry } from './stack-catalog';

/** This repository's root (tools/ci/src -> ../../..). */
export const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

export const fixturesDir = path.join(import.meta.dirname, '__fixtures__');
export const fakeTerraform = path.join(fixturesDir, 'bin', 'terraform');

/** The catalog the tests use: infra/stacks.ts, stack for stack (test-catalog.test.ts keeps it so). */
export const testCatalog: readonly StackCatalogEntry[] = [
  { id: 'shared-infra', project: 'shared-infra', ephemeral: false },
  { id: 'orchestration', project: 'orchestration', ephemeral: false },
  { id: 'ledger-api', project: 'ledger-api', ephemeral: false },
  { id: 'sourcing', project: 'sourcing', ephemeral: false },
  { id: 'spark-etl-catalog', project: 'spark-etl', ephemeral: false },
  { id: 'spark-etl', project: 'spark-etl', ephemeral: false },
  { id: 'sagemaker-scoring', project: 'sagemaker-scoring', ephemeral: false },
  { id: 'view-catalog', project: 'view', ephemeral: false },
  { id: 'view', project: 'view', ephemeral: false },
];

/**
 * The same stacks with the compute marked ephemeral: the shape of a catalog where compute is billed
 * while it exists (an endpoint, a cluster), for the tests of the nightly deploy/run/destroy cycle.
 */
export const onDemandTestCatalog: readonly StackCatalogEntry[] = testCatalog.map((entry) => ({
  ...entry,
  ephemeral: !['shared-infra', 'spark-etl-catalog', 'view-catalog'].includes(entry.id),
}));

/** A fresh folder under the workspace's .tmp (TMPDIR), one per test. */
export function tempDir(prefix: string): string {
  const base = process.env.TMPDIR ?? path.join(repoRoot, '.tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(path.join(base, `${prefix}-`));
}

/** A workspace with infra/config copied from this repo and cdktf.out/stacks/<stack>/ folders. */
export function deliveryWorkspace(stackNames: readonly string[]): string {
  const root = tempDir('ci-ws');
  cpSync(path.join(repoRoot, 'infra', 'config'), path.join(root, 'infra', 'config'), { recursive: true });
  writeFileSync(path.join(root, 'pipeline.yaml'), 'name: bench-quality\n');
  for (const name of stackNames) mkdirSync(path.join(root, 'cdktf.out', 'stacks', name), { recursive: true });
  // committed provider lock files (infra/terraform-locks), which an apply requires
  mkdirSync(path.join(root, 'infra', 'terraform-locks'), { recursive: true });
  for (const entry of testCatalog) {
    writeFileSync(
      path.join(root, 'infra', 'terraform-locks', `${entry.id}.terraform.lock.hcl`),
      `# test lock file of ${entry.id}\n`,
    );
  }
  return root;
}

/** Environment for the fake terraform: its log file and the folder of plans it shows. */
export function fakeTerraformEnv(root: string, plans: Readonly<Record<string, string>>, fail?: string) {
  const plansDir = path.join(root, 'fake-plans');
  mkdirSync(plansDir, { recursive: true });
  for (const [stack, fixture] of Object.entries(plans)) {
    writeFileSync(
      path.join(plansDir, `${stack}.json`),
      readFileSync(path.join(fixturesDir, 'plans', fixture), 'utf8'),
    );
  }
  const log = path.join(root, 'terraform.log');
  writeFileSync(log, '');
  return {
    env: { ...process.env, FAKE_TF_LOG: log, FAKE_TF_PLANS: plansDir, FAKE_TF_FAIL: fail ?? '' },
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0),
  };
}
