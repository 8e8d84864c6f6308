import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCommandLine } from './exec';
import { toTarget } from './stack-catalog';
import {
  applyCommand,
  destroyPlanCommands,
  driftCommands,
  planCommands,
  providersLockCommand,
  stateKey,
} from './terraform';

const config = {
  name: 'prod',
  accountId: '222222222222',
  region: 'eu-west-1',
  stateBucket: 'lakepipe-tfstate-222222222222-eu-west-1',
};
const target = toTarget({ id: 'spark-etl-catalog', project: 'spark-etl', ephemeral: false }, 'prod');
const options = {
  workspaceRoot: '/ws',
  target,
  config,
  terraformBin: 'terraform',
  pluginCacheDir: '/cache/tf',
};
const tfEnv = { TF_IN_AUTOMATION: '1', TF_INPUT: '0', TF_PLUGIN_CACHE_DIR: '/cache/tf' };
const stackDir = path.join('/ws', 'cdktf.out', 'stacks', 'spark-etl-catalog-prod');

describe('terraform command lines', () => {
  it('inits against the environment state bucket with one state key per stack', () => {
    // Act
    const [init] = planCommands(options);

    // Assert
    expect(stateKey(target)).toBe('lakepipe/prod/spark-etl-catalog-prod.tfstate');
    expect(init).toEqual({
      label: 'init spark-etl-catalog-prod',
      command: 'terraform',
      env: tfEnv,
      args: [
        'init',
        '-input=false',
        '-no-color',
        '-reconfigure',
        '-backend-config=bucket=lakepipe-tfstate-222222222222-eu-west-1',
        '-backend-config=key=lakepipe/prod/spark-etl-catalog-prod.tfstate',
        '-backend-config=region=eu-west-1',
        '-backend-config=encrypt=true',
        '-backend-config=use_lockfile=true',
      ],
      cwd: stackDir,
    });
  });

  it('plans to a saved file and shows it as JSON next to it', () => {
    // Act
    const lines = planCommands(options).map(formatCommandLine);

    // Assert
    expect(lines.slice(1)).toEqual([
      `(cd ${stackDir} && terraform plan -input=false -no-color -lock-timeout=5m -out=plan.tfplan)`,
      `(cd ${stackDir} && terraform show -json plan.tfplan > ${stackDir}/plan.json)`,
    ]);
  });

  it('applies exactly the saved plan file, never a fresh plan', () => {
    // Act
    const apply = formatCommandLine(applyCommand(options));

    // Assert
    expect(apply).toBe(
      `(cd ${stackDir} && terraform apply -input=false -no-color -lock-timeout=5m plan.tfplan)`,
    );
  });

  it('plans a destroy to its own file so it can be reviewed before it runs', () => {
    // Act
    const lines = destroyPlanCommands(options).map(formatCommandLine);

    // Assert
    expect(lines.slice(1)).toEqual([
      `(cd ${stackDir} && terraform plan -destroy -input=false -no-color -lock-timeout=5m -out=destroy.tfplan)`,
      `(cd ${stackDir} && terraform show -json destroy.tfplan > ${stackDir}/destroy-plan.json)`,
    ]);
  });

  it('pins providers to the committed lock file when there is one, with the shared plugin cache', () => {
    // Act
    const [init, plan] = planCommands({ ...options, lockfileReadonly: true });

    // Assert
    expect(init?.args).toContain('-lockfile=readonly');
    expect(plan?.env).toEqual(tfEnv);
  });

  it('checks drift with plan -detailed-exitcode, without taking the state lock', () => {
    // Act
    const lines = driftCommands(options).map(formatCommandLine);

    // Assert
    expect(lines[1]).toBe(
      `(cd ${stackDir} && terraform plan -input=false -no-color -lock=false -detailed-exitcode -refresh=true)`,
    );
  });

  it('locks providers for the agents and engineers platforms', () => {
    // Act
    const line = formatCommandLine(providersLockCommand(options));

    // Assert
    expect(line).toBe(
      `(cd ${stackDir} && terraform providers lock -no-color -platform=linux_amd64 -platform=linux_arm64 -platform=darwin_amd64 -platform=darwin_arm64)`,
    );
  });

  it('uses TERRAFORM_BIN when no binary is given', () => {
    // Arrange
    process.env.TERRAFORM_BIN = '/opt/terraform/1.9.8/terraform';

    // Act
    const [init] = planCommands({ workspaceRoot: '/ws', target, config });
    delete process.env.TERRAFORM_BIN;

    // Assert
    expect(init?.command).toBe('/opt/terraform/1.9.8/terraform');
  });

  it('quotes words a shell would split', () => {
    expect(formatCommandLine({ label: 'x', command: 'echo', args: ["it's here", 'a b'], cwd: '/w s' })).toBe(
      `(cd '/w s' && echo 'it'\\''s here' 'a b')`,
    );
  });
});
