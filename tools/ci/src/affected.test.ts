import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { affected, classifyChangedFiles, deployOrder, targetsFor } from './affected';
import { AffectedError } from './errors';
import { loadStackCatalog, type StackCatalogEntry } from './stack-catalog';
import { repoRoot, tempDir } from './test-workspace';

/** The projects of the temporary workspace: this repo's project.json, a package.json with these deps. */
const projects: Readonly<Record<string, readonly string[]>> = {
  'packages/lake': [],
  'packages/constructs': [],
  'infra/shared-infra': ['@lakepipe/constructs'],
  'infra/orchestration': ['@lakepipe/constructs'],
  'infra/ledger-api': ['@lakepipe/constructs'],
  'services/sourcing': ['@lakepipe/lake', '@lakepipe/constructs'],
  'services/spark-etl': ['@lakepipe/lake', '@lakepipe/constructs'],
  'services/sagemaker-scoring': ['@lakepipe/constructs'],
  'services/view': ['@lakepipe/constructs'],
  'tools/ci': ['@lakepipe/lake'],
};

let workspace: string;
let catalog: readonly StackCatalogEntry[];
const commits: Record<string, string> = {};

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: workspace, encoding: 'utf8' }).trim();
}

function commit(name: string, files: Readonly<Record<string, string>>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
    writeFileSync(path.join(workspace, file), text);
  }
  git('add', '-A');
  git('-c', 'user.name=ci-test', '-c', 'user.email=ci-test@example.com', 'commit', '-q', '-m', name);
  commits[name] = git('rev-parse', 'HEAD');
}

const envs = ['dev', 'prod'];
const run = (base: string, head: string) =>
  affected({
    base: commits[base]!,
    head: commits[head]!,
    workspaceRoot: workspace,
    catalog,
    environments: envs,
  });

beforeAll(async () => {
  // Arrange (shared): a minimal copy of this Nx workspace in a fresh git repository, one commit per change
  catalog = await loadStackCatalog(repoRoot);
  workspace = tempDir('affected');
  git('init', '-q', '-b', 'main');
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(workspace, 'node_modules'));
  cpSync(path.join(repoRoot, 'nx.json'), path.join(workspace, 'nx.json'));
  cpSync(path.join(repoRoot, 'infra', 'config'), path.join(workspace, 'infra', 'config'), {
    recursive: true,
  });
  const files: Record<string, string> = {
    '.gitignore': 'node_modules\n.nx\n',
    'package.json': JSON.stringify({
      name: 'ws',
      private: true,
      type: 'module',
      workspaces: Object.keys(projects),
    }),
    'pipeline.yaml': 'name: test\n',
    Jenkinsfile: "pipeline { agent any\n stages { stage('x') { steps { echo 'x' } } } }\n",
  };
  for (const [root, deps] of Object.entries(projects)) {
    files[`${root}/project.json`] = readFileSync(path.join(repoRoot, root, 'project.json'), 'utf8');
    files[`${root}/package.json`] = JSON.stringify({
      name: `@lakepipe/${path.basename(root)}`,
      version: '0.1.0',
      type: 'module',
      dependencies: Object.fromEntries(deps.map((dep) => [dep, '*'])),
    });
    files[`${root}/src/index.ts`] = 'export {};\n';
  }
  commit('init', files);
  commit('sourcing', { 'services/sourcing/src/handler.ts': 'export const handler = () => 1;\n' });
  commit('lake', { 'packages/lake/src/prefixes.ts': 'export const raw = "raw/";\n' });
  commit('prod-config', {
    'infra/config/prod.yaml': `${readFileSync(path.join(repoRoot, 'infra/config/prod.yaml'), 'utf8')}# resized\n`,
  });
  commit('docs', {
    Jenkinsfile: "pipeline { agent any\n stages { stage('y') { steps { echo 'y' } } } }\n",
    'services/view/README.md': '# view\n',
    'services/view/src/index.test.ts': 'export {};\n',
  });
  commit('pipeline', { 'pipeline.yaml': 'name: test2\n' });
  // one commit per file class that every stack is built from (docs/delivery.md, "What a change deploys")
  commit('stacks', { 'infra/stacks.ts': 'export const stackCatalog = [];\n' });
  commit('stack-factories', { 'infra/stack-factories.ts': 'export {};\n' });
  commit('main', { 'infra/main.ts': 'export {};\n' });
  commit('stages', { 'packages/stages/src/index.ts': 'export const stages = [];\n' });
  commit('shared-config', { 'infra/config/defaults.json': '{}\n' });
  commit('lockfile', {
    'package-lock.json': '{"name":"ws","lockfileVersion":3,"requires":true,"packages":{}}\n',
  });
  commit('root-package', {
    'package.json': JSON.stringify({
      name: 'ws',
      private: true,
      type: 'module',
      workspaces: Object.keys(projects),
      scripts: { synth: 'tsx infra/main.ts' },
    }),
  });
  commit('stray', { 'scripts/release.sh': 'echo release\n' });
}, 60_000);

describe('affected', () => {
  it('names only the stacks of the one service a commit touches, dev before prod', async () => {
    // Act
    const result = await run('init', 'sourcing');

    // Assert
    expect(result.files).toEqual(['services/sourcing/src/handler.ts']);
    expect(result.projects).toEqual(['sourcing']);
    expect(result.targets.map((t) => t.stackName)).toEqual(['sourcing-dev', 'sourcing-prod']);
    expect(result.targets[0]?.reasons).toEqual(['project sourcing is affected']);
  });

  it('reaches every service that depends on a changed shared package, and no other', async () => {
    // Act
    const result = await run('sourcing', 'lake');

    // Assert
    expect(result.projects).toEqual(['ci', 'lake', 'sourcing', 'spark-etl']);
    expect(result.targets.map((t) => t.stackName)).toEqual([
      'sourcing-dev',
      'spark-etl-catalog-dev',
      'spark-etl-dev',
      'sourcing-prod',
      'spark-etl-catalog-prod',
      'spark-etl-prod',
    ]);
  });

  it('reaches every stack of one environment when its config file changes, and only that environment', async () => {
    // Act
    const result = await run('lake', 'prod-config');

    // Assert
    expect(result.projects).toEqual([]);
    expect(result.targets.map((t) => t.stackName)).toEqual(catalog.map((entry) => `${entry.id}-prod`));
    expect(result.targets[0]?.reasons).toEqual(['infra/config/prod.yaml changed']);
  });

  it('deploys nothing for a change to Jenkinsfiles, docs and tests only', async () => {
    // Act
    const result = await run('prod-config', 'docs');

    // Assert
    expect(result.files).toHaveLength(3);
    expect(result.targets).toEqual([]);
  });

  it('reaches every stack in every environment when pipeline.yaml changes', async () => {
    // Act
    const result = await run('docs', 'pipeline');

    // Assert
    expect(result.targets).toHaveLength(catalog.length * envs.length);
  });

  it.each([
    ['stacks', 'infra/stacks.ts'],
    ['stack-factories', 'infra/stack-factories.ts'],
    ['main', 'infra/main.ts'],
    ['stages', 'packages/stages/src/index.ts'],
    ['shared-config', 'infra/config/defaults.json'],
    ['lockfile', 'package-lock.json'],
    ['root-package', 'package.json'],
  ])(
    'deploys every stack in every environment for a change to the %s file class (%s)',
    async (name, file) => {
      // Arrange
      const previous = Object.keys(commits)[Object.keys(commits).indexOf(name) - 1]!;

      // Act
      const result = await run(previous, name);

      // Assert
      expect(result.files).toEqual([file]);
      expect(result.targets).toHaveLength(catalog.length * envs.length);
      expect(result.targets[0]?.reasons).toContain(`${file} changed (every stack is built from it)`);
      expect(result.targets.at(-1)?.stackName).toBe(`${catalog.at(-1)!.id}-prod`);
    },
  );

  it('deploys every stack for a file outside every Nx project, naming it', async () => {
    // Act
    const result = await run('root-package', 'stray');

    // Assert
    expect(result.targets).toHaveLength(catalog.length * envs.length);
    expect(result.targets[0]?.reasons).toEqual([
      'scripts/release.sh changed (it is outside every Nx project)',
    ]);
  });

  it('falls back to every stack with a warning when the base commit is missing (rebased history)', async () => {
    // Act
    const result = await affected({
      base: '0123456789abcdef0123456789abcdef01234567',
      workspaceRoot: workspace,
      catalog,
      environments: envs,
    });

    // Assert
    expect(result.targets).toHaveLength(catalog.length * envs.length);
    expect(result.warnings).toEqual([
      'base 0123456789abcdef0123456789abcdef01234567 is not a commit this clone shares with HEAD (rebased or force-pushed history, a re-created job, or a shallow clone): deploying every stack in every environment',
    ]);
  });

  it('deploys everything on a first build (no base at all)', async () => {
    // Act
    const result = await affected({ base: '', workspaceRoot: workspace, catalog, environments: envs });

    // Assert
    expect(result.targets).toHaveLength(catalog.length * envs.length);
    expect(result.targets[0]?.reasons).toEqual([
      'every stack: no base commit was given (the first build of this job)',
    ]);
  });

  it('says when the work tree has uncommitted changes, which it does not count', async () => {
    // Arrange
    writeFileSync(path.join(workspace, 'services/view/src/index.ts'), 'export const dirty = 1;\n');

    try {
      // Act
      const result = await run('stages', 'shared-config');

      // Assert
      expect(result.warnings).toEqual([
        'the work tree has 1 uncommitted change(s) (services/view/src/index.ts): affected compares commits, so they are not counted; commit them to include them',
      ]);
    } finally {
      git('checkout', '-q', '--', 'services/view/src/index.ts');
    }
  });

  it('explains a head that git does not know', async () => {
    // Act
    const act = affected({
      base: 'HEAD',
      head: 'no-such-ref',
      workspaceRoot: workspace,
      catalog,
      environments: envs,
    });

    // Assert
    await expect(act).rejects.toThrow(AffectedError);
    await expect(act).rejects.toThrow(
      /^cannot compare --base HEAD with --head no-such-ref \(is the ref fetched\?/,
    );
  });
});

describe('the stack catalog and the affected mapping', () => {
  it('reaches every deployable stack in every environment from its Nx project', async () => {
    // Arrange
    const nxProjects: string[] = JSON.parse(
      execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'nx'), ['show', 'projects', '--json'], {
        cwd: repoRoot,
        encoding: 'utf8',
      }),
    );

    // Act
    const unreachable = catalog.flatMap((entry) =>
      envs
        .filter(
          (env) =>
            !nxProjects.includes(entry.project) ||
            !targetsFor([entry.project], new Map(), { catalog, environments: envs }).some(
              (t) => t.id === entry.id && t.env === env,
            ),
        )
        .map((env) => `${entry.id}-${env}`),
    );

    // Assert
    expect(catalog.length).toBeGreaterThanOrEqual(9);
    expect(unreachable).toEqual([]);
  });
});

describe('classifyChangedFiles', () => {
  it('sends environment configs to CI, catalog files to every stack, tests and docs nowhere, the rest to Nx', () => {
    // Act
    const split = classifyChangedFiles([
      'infra/config/dev.yaml',
      'services/view/src/view.test.ts',
      'docs/delivery.md',
      'services/view/src/view.ts',
      'package-lock.json',
      'infra/stacks.ts',
    ]);

    // Assert
    expect(split.forNx).toEqual(['services/view/src/view.ts']);
    expect(split.everyStack).toEqual(['package-lock.json', 'infra/stacks.ts']);
    expect([...split.envConfigs]).toEqual([['dev', 'infra/config/dev.yaml']]);
    expect(split.ignored).toEqual(['services/view/src/view.test.ts', 'docs/delivery.md']);
  });
});

describe('deployOrder', () => {
  it('promotes through unprotected environments before protected ones', () => {
    expect(deployOrder(['dev', 'preview-42', 'prod'], ['prod'])).toEqual(['dev', 'preview-42', 'prod']);
    expect(deployOrder(['prod', 'dev'], ['prod'])).toEqual(['dev', 'prod']);
  });
});
