import os from 'node:os';
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
  /**
   * Where terraform keeps downloaded providers across stacks and builds (TF_PLUGIN_CACHE_DIR): the AWS
   * provider is ~700 MB, fetched once per agent instead of once per stack and build.
   * @default process.env.TF_PLUGIN_CACHE_DIR, else ~/.cache/lakepipe/terraform-plugins
   */
  readonly pluginCacheDir?: string;
}

/** The committed provider lock file of a stack id (the same providers in every environment). */
export function providerLockFile(workspaceRoot: string, stackId: string): string {
  return path.join(workspaceRoot, 'infra', 'terraform-locks', `${stackId}.terraform.lock.hcl`);
}

/** The plugin cache directory terraform is pointed at. */
export function pluginCacheDirOf(options: Pick<TerraformOptions, 'pluginCacheDir'>): string {
  return (
    options.pluginCacheDir ??
    process.env.TF_PLUGIN_CACHE_DIR ??
    path.join(os.homedir(), '.cache', 'lakepipe', 'terraform-plugins')
  );
}

/** The environment of every terraform call: no prompts, automation wording, the shared plugin cache. */
export function terraformEnv(
  options: Pick<TerraformOptions, 'pluginCacheDir'>,
): Readonly<Record<string, string>> {
  return { TF_IN_AUTOMATION: '1', TF_INPUT: '0', TF_PLUGIN_CACHE_DIR: pluginCacheDirOf(options) };
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
export function initCommand(
  options: TerraformOptions & { readonly lockfileReadonly?: boolean },
): CommandLine {
  const { target, config } = options;
  return {
    label: `init ${target.stackName}`,
    command: terraform(options),
    env: terraformEnv(options),
    args: [
      'init',
      '-input=false',
      '-no-color',
      '-reconfigure',
      // with the committed lock file in place, init may not pick other provider versions than it names
      ...(options.lockfileReadonly ? ['-lockfile=readonly'] : []),
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
export function planCommands(
  options: TerraformOptions & { readonly lockfileReadonly?: boolean },
): readonly CommandLine[] {
  const paths = stackPaths(options.workspaceRoot, options.target);
  const name = options.target.stackName;
  return [
    initCommand(options),
    {
      label: `plan ${name}`,
      command: terraform(options),
      env: terraformEnv(options),
      args: [
        'plan',
        '-input=false',
        '-no-color',
        '-lock-timeout=5m',
        `-out=${path.basename(paths.planFile)}`,
      ],
      cwd: paths.stackDir,
    },
    {
      label: `show ${name}`,
      command: terraform(options),
      env: terraformEnv(options),
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
    env: terraformEnv(options),
    args: ['apply', '-input=false', '-no-color', '-lock-timeout=5m', path.basename(paths.planFile)],
    cwd: paths.stackDir,
  };
}

/** init, `plan -destroy -out`, `show -json`: a destroy is reviewed like any plan before it runs. */
export function destroyPlanCommands(
  options: TerraformOptions & { readonly lockfileReadonly?: boolean },
): readonly CommandLine[] {
  const paths = stackPaths(options.workspaceRoot, options.target);
  const name = options.target.stackName;
  return [
    initCommand(options),
    {
      label: `plan -destroy ${name}`,
      command: terraform(options),
      env: terraformEnv(options),
      args: [
        'plan',
        '-destroy',
        '-input=false',
        '-no-color',
        '-lock-timeout=5m',
        `-out=${path.basename(paths.destroyPlanFile)}`,
      ],
      cwd: paths.stackDir,
    },
    {
      label: `show ${name} (destroy)`,
      command: terraform(options),
      env: terraformEnv(options),
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
    env: terraformEnv(options),
    args: ['apply', '-input=false', '-no-color', '-lock-timeout=5m', path.basename(paths.destroyPlanFile)],
    cwd: paths.stackDir,
  };
}

/**
 * The drift check of one stack: init, then `plan -detailed-exitcode` without taking the state lock (it
 * writes nothing). Exit 0 = no drift, 2 = the real resources differ from the code, 1 = error.
 */
export function driftCommands(options: TerraformOptions): readonly CommandLine[] {
  return [
    initCommand(options),
    {
      label: `drift ${options.target.stackName}`,
      command: terraform(options),
      env: terraformEnv(options),
      args: ['plan', '-input=false', '-no-color', '-lock=false', '-detailed-exitcode', '-refresh=true'],
      cwd: stackPaths(options.workspaceRoot, options.target).stackDir,
    },
  ];
}

/** The platforms a committed lock file carries checksums for: Jenkins agents and engineers' machines. */
export const lockPlatforms = ['linux_amd64', 'linux_arm64', 'darwin_amd64', 'darwin_arm64'] as const;

/**
 * `terraform providers lock` for one synthesized stack: where the registry is reachable (Jenkins), it
 * writes .terraform.lock.hcl with every platform's checksums, to be committed under infra/terraform-locks.
 */
export function providersLockCommand(options: TerraformOptions): CommandLine {
  return {
    label: `providers lock ${options.target.stackName}`,
    command: terraform(options),
    env: terraformEnv(options),
    args: ['providers', 'lock', '-no-color', ...lockPlatforms.map((platform) => `-platform=${platform}`)],
    cwd: stackPaths(options.workspaceRoot, options.target).stackDir,
  };
}
