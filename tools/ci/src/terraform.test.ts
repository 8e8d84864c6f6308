import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCommandLine } from './exec';
import { toTarget } from './stack-catalog';
import { applyCommand, destroyPlanCommands, planCommands, stateKey } from './terraform';

const config = {
  name: 'prod',
  accountId: '222222222222',
  region: 'eu-west-1',
  stateBucket: 'lakepipe-tfstate-222222222222-eu-west-1',
};
const target = toTarget({ id: 'spark-etl-catalog', project: 'spark-etl', ephemeral: false }, 'prod');
const options = { workspaceRoot: '/ws', target, config, terraformBin: 'terraform' };
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
      args: [
        'init',
        '-input=false',
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
      `(cd ${stackDir} && terraform plan -input=false -lock-timeout=5m -out=plan.tfplan)`,
      `(cd ${stackDir} && terraform show -json plan.tfplan > ${stackDir}/plan.json)`,
    ]);
  });

  it('applies exactly the saved plan file, never a fresh plan', () => {
    // Act
    const apply = formatCommandLine(applyCommand(options));

    // Assert
    expect(apply).toBe(`(cd ${stackDir} && terraform apply -input=false -lock-timeout=5m plan.tfplan)`);
  });

  it('plans a destroy to its own file so it can be reviewed before it runs', () => {
    // Act
    const lines = destroyPlanCommands(options).map(formatCommandLine);

    // Assert
    expect(lines.slice(1)).toEqual([
      `(cd ${stackDir} && terraform plan -destroy -input=false -lock-timeout=5m -out=destroy.tfplan)`,
      `(cd ${stackDir} && terraform show -json destroy.tfplan > ${stackDir}/destroy-plan.json)`,
    ]);
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
