import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCiProgram } from './program';
import { fixturesDir, repoRoot } from './test-workspace';

/** Runs `lakepipe-ci` the way a Jenkinsfile does (tsx, no build step), in this repository. */
function ci(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'tools/ci/src/bin.ts'), ...args],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      // as on main, whatever branch runs these tests (a Jenkins branch build sets BRANCH_NAME)
      env: { ...process.env, LAKEPIPE_ALLOW_DESTROY: '', BRANCH_NAME: '', CHANGE_ID: '' },
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('lakepipe-ci', () => {
  it('prints the exact terraform commands of a plan with --dry-run', () => {
    // Act
    const { code, stdout } = ci('plan', '--stack', 'view', '--env', 'dev', '--dry-run');

    // Assert
    const dir = path.join(repoRoot, 'cdktf.out/stacks/view-dev');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual([
      `(cd ${dir} && terraform init -input=false -no-color -reconfigure -backend-config=bucket=lakepipe-tfstate-111111111111-eu-west-1 -backend-config=key=lakepipe/dev/view-dev.tfstate -backend-config=region=eu-west-1 -backend-config=encrypt=true -backend-config=use_lockfile=true)`,
      `(cd ${dir} && terraform plan -input=false -no-color -lock-timeout=5m -out=plan.tfplan)`,
      `(cd ${dir} && terraform show -json plan.tfplan > ${dir}/plan.json)`,
    ]);
  });

  it('lists one service’s stacks as `<stack> <env>` lines for its Jenkinsfile', () => {
    // Act
    const { code, stdout } = ci('stacks', '--project', 'view');

    // Assert
    expect(code).toBe(0);
    expect(stdout).toBe('view-catalog dev\nview dev\nview-catalog prod\nview prod\n');
  });

  it('prints the read-only planner role for a plan, and the deployer role only for an apply', () => {
    expect(ci('aws-target', '--env', 'prod').stdout).toBe('222222222222 eu-west-1 lakepipe-prod-planner\n');
    expect(ci('aws-target', '--env', 'prod', '--purpose', 'apply').stdout).toBe(
      '222222222222 eu-west-1 lakepipe-prod-deployer\n',
    );
  });

  it('exits 2 on a blocked review, taking the environment from the stack name', () => {
    // Arrange
    const plan = path.join(fixturesDir, 'plans', 'shared-infra-bucket-replace.json');

    // Act
    const blocked = ci('review', plan, '--stack', 'shared-infra-prod');
    const allowed = ci(
      'review',
      plan,
      '--stack',
      'shared-infra-prod',
      '--allow-destroy',
      'prod:aws_s3_bucket.lake_bucket_5C0F7E2A',
    );

    // Assert
    expect(blocked.code).toBe(2);
    expect(blocked.stdout).toContain('## Plan review: shared-infra-prod (prod)');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('**⚠️ WARN');
  });

  it('names the unknown environment and the known ones, and exits 1', () => {
    // Act
    const { code, stderr } = ci('plan', '--stack', 'view', '--env', 'staging', '--dry-run');

    // Assert
    expect(code).toBe(1);
    expect(stderr).toBe('lakepipe-ci: --env "staging" is not known: expected one of dev, prod\n');
  });

  it('refuses an ephemeral action it does not know, before touching anything', async () => {
    // Arrange
    const program = buildCiProgram(repoRoot).exitOverride();

    // Act
    const act = program.parseAsync(['ephemeral', 'teardown', '--env', 'dev'], { from: 'user' });

    // Assert
    await expect(act).rejects.toThrow(
      'ephemeral action "teardown" is not one of deploy, run, destroy, cycle',
    );
  });

  it('gives each stack exactly one applying job: delivery the always-on ones, the nightly job the ephemeral ones', () => {
    // Act
    const delivery = ci('affected', '--all', '--always-on', '--format', 'lines').stdout;
    const nightly = ci('stacks', '--ephemeral', '--format', 'lines').stdout;
    const every = ci('stacks', '--format', 'lines').stdout;

    // Assert
    const lines = (text: string) => text.split('\n').filter(Boolean);
    const owned = [...lines(delivery), ...lines(nightly)];
    expect(new Set(owned).size).toBe(owned.length);
    expect(owned.sort()).toEqual(lines(every).sort());
  });

  it('refuses an apply and the deployer role on a branch build', () => {
    // Act
    const apply = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(repoRoot, 'tools/ci/src/bin.ts'),
        'apply',
        '--stack',
        'view',
        '--env',
        'prod',
        '--dry-run',
      ],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, BRANCH_NAME: 'feature/x' } },
    );

    // Assert
    expect(apply.status).toBe(1);
    expect(apply.stderr).toBe(
      'lakepipe-ci: refusing to apply view-prod from branch feature/x: only main applies (branches and pull requests plan with the read-only planner role)\n',
    );
  });
});
