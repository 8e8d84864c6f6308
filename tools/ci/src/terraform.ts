import path from 'node:path';
import type { CommandLine } from './exec';
import type { DeliveryEnvConfig, StackTarget } from './stack-catalog';

/** Where CI keeps a stack's synthesized configuration, saved plan and review. */
export interface StackPaths {
  /** cdktf.out/stacks/<stack>: `npm run synth` writes cdk.tf.json here; terraform runs here */
  readonly stackDir: string;
  readonly planFile: string;
  readonly planJson: string;
  readonly destroyPlanFile: string;
  readonly destroyPlanJson: string;
  /** cdktf.out/reviews/<stack>.md and .json: archived by Jenkins */
  readonly reviewMarkdown: string;
  readonly reviewJson: string;
}

export interface TerraformOptions {
  readonly workspaceRoot: string;
  readonly target: StackTarget;
  readonly config: DeliveryEnvConfig;
  /**
   * The terraform executable.
   * @default process.env.TERRAFORM_BIN, else `terraform` from PATH
   */
  readonly terraformBin?: string;
}

export function stackPaths(workspaceRoot: string, target: StackTarget): StackPaths {
  const stackDir = path.join(workspaceRoot, 'cdktf.out', 'stacks', target.stackName);
  const reviews = path.join(workspaceRoot, 'cdktf.out', 'reviews');
  return {
    stackDir,
    planFile: path.join(stackDir, 'plan.tfplan'),
    planJson: path.join(stackDir, 'plan.json'),
    destroyPlanFile: path.join(stackDir, 'destroy.tfplan'),
    destroyPlanJson: path.join(stackDir, 'destroy-plan.json'),
    reviewMarkdown: path.join(reviews, `${target.stackName}.md`),
    reviewJson: path.join(reviews, `${target.stackName}.json`),
  };
}

/** The state object of a stack in the environment's state bucket (as LakepipeStack's S3 backend declares it). */
export function stateKey(target: StackTarget): string {
  return `lakepipe/${target.env}/${target.stackName}.tfstate`;
}

function terraform(options: TerraformOptions): string {
  return options.terraformBin ?? process.env.TERRAFORM_BIN ?? 'terraform';
}

/**
 * `terraform init` against the environment's state bucket. The backend settings are passed on the
 * command line so the same synthesized JSON never carries an account's bucket it was not meant for.
 */
export function initCommand(options: TerraformOptions): CommandLine {
  const { target, config } = options;
  return {
    label: `init ${target.stackName}`,
    command: terraform(options),
    args: [
      'init',
      '-input=false',
      '-reconfigure',
      `-backend-config=bucket=${config.stateBucket}`,
      `-backend-config=key=${stateKey(target)}`,
      `-backend-config=region=${config.region}`,
      '-backend-config=encrypt=true',
      '-backend-config=use_lockfile=true',
    ],
    cwd: stackPaths(options.workspaceRoot, target).stackDir,
  };
}

/** init, `plan -out`, `show -json`: what CI runs before a review. */
export function planCommands(options: TerraformOptions): readonly CommandLine[] {
  const paths = stackPaths(options.workspaceRoot, options.target);
  const name = options.target.stackName;
  return [
    initCommand(options),
    {
      label: `plan ${name}`,
      command: terraform(options),
      args: ['plan', '-input=false', '-lock-timeout=5m', `-out=${path.basename(paths.planFile)}`],
      cwd: paths.stackDir,
    },
    {
      label: `show ${name}`,
      command: terraform(options),
      args: ['show', '-json', path.basename(paths.planFile)],
      cwd: paths.stackDir,
      stdoutFile: paths.planJson,
    },
  ];
}

/** Applies exactly the reviewed plan file: what was approved is what runs. */
export function applyCommand(options: TerraformOptions): CommandLine {
  const paths = stackPaths(options.workspaceRoot, options.target);
  return {
    label: `apply ${options.target.stackName}`,
    command: terraform(options),
    args: ['apply', '-input=false', '-lock-timeout=5m', path.basename(paths.planFile)],
    cwd: paths.stackDir,
  };
}

/** init, `plan -destroy -out`, `show -json`: a destroy is reviewed like any plan before it runs. */
export function destroyPlanCommands(options: TerraformOptions): readonly CommandLine[] {
  const paths = stackPaths(options.workspaceRoot, options.target);
  const name = options.target.stackName;
  return [
    initCommand(options),
    {
      label: `plan -destroy ${name}`,
      command: terraform(options),
      args: [
        'plan',
        '-destroy',
        '-input=false',
        '-lock-timeout=5m',
        `-out=${path.basename(paths.destroyPlanFile)}`,
      ],
      cwd: paths.stackDir,
    },
    {
      label: `show ${name} (destroy)`,
      command: terraform(options),
      args: ['show', '-json', path.basename(paths.destroyPlanFile)],
      cwd: paths.stackDir,
      stdoutFile: paths.destroyPlanJson,
    },
  ];
}

export function applyDestroyCommand(options: TerraformOptions): CommandLine {
  const paths = stackPaths(options.workspaceRoot, options.target);
  return {
    label: `destroy ${options.target.stackName}`,
    command: terraform(options),
    args: ['apply', '-input=false', '-lock-timeout=5m', path.basename(paths.destroyPlanFile)],
    cwd: paths.stackDir,
  };
}
