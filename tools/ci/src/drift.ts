import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { errorTopicName } from '@lakepipe/constructs';
import type { CommandRunner } from './exec';
import type { DeliveryEnvConfig, StackCatalogEntry } from './stack-catalog';
import { toTarget } from './stack-catalog';
import { prepareStackDir } from './stack-plan';
import { driftCommands } from './terraform';

/** Where CI tells people that something needs them: the environment's error topic. */
export interface Notifier {
  publish(subject: string, message: string): Promise<void>;
}

/** `arn:aws:sns:<region>:<account>:lakepipe-<env>-errors`, the name shared-infra gives the topic. */
export function errorTopicArnOf(config: Pick<DeliveryEnvConfig, 'name' | 'accountId' | 'region'>): string {
  return `arn:aws:sns:${config.region}:${config.accountId}:${errorTopicName(config)}`;
}

/** Publishes to the environment's error topic (`lakepipe-<env>-errors`, created by shared-infra). */
export function errorTopicNotifier(client: SNSClient, config: DeliveryEnvConfig): Notifier {
  return {
    async publish(subject, message) {
      await client.send(
        new PublishCommand({
          TopicArn: errorTopicArnOf(config),
          // SNS caps subjects at 100 characters
          Subject: subject.slice(0, 100),
          Message: message,
        }),
      );
    },
  };
}

export interface DriftOptions {
  readonly workspaceRoot: string;
  readonly env: string;
  readonly config: DeliveryEnvConfig;
  readonly catalog: readonly StackCatalogEntry[];
  readonly runner: CommandRunner;
  /** @default process.env.TERRAFORM_BIN, else `terraform` */
  readonly terraformBin?: string;
  /** @default process.env.TF_PLUGIN_CACHE_DIR, else ~/.cache/lakepipe/terraform-plugins */
  readonly pluginCacheDir?: string;
}

export interface DriftReport {
  readonly env: string;
  /** stacks whose real resources differ from the code (plan -detailed-exitcode exited 2) */
  readonly drifted: readonly string[];
  readonly clean: readonly string[];
  /** stacks whose check itself failed: as bad as drift, since nobody knows */
  readonly failed: readonly { readonly stackName: string; readonly error: string }[];
}

/**
 * The scheduled drift check: `plan -detailed-exitcode` of every stack of one environment, without the
 * state lock (it writes nothing), each stack on its own so one failure does not hide the others.
 */
export async function driftCheck(options: DriftOptions): Promise<DriftReport> {
  const drifted: string[] = [];
  const clean: string[] = [];
  const failed: { stackName: string; error: string }[] = [];
  for (const entry of options.catalog) {
    const target = toTarget(entry, options.env);
    const terraformOptions = { ...options, target };
    try {
      const lockfileReadonly = prepareStackDir(terraformOptions);
      const [init, plan] = driftCommands(terraformOptions);
      await options.runner.run({
        ...init!,
        args: lockfileReadonly ? [...init!.args, '-lockfile=readonly'] : init!.args,
      });
      const code = await options.runner.run({ ...plan!, okExitCodes: [0, 2] });
      (code === 2 ? drifted : clean).push(target.stackName);
    } catch (error) {
      failed.push({ stackName: target.stackName, error: (error as Error).message });
    }
  }
  return { env: options.env, drifted, clean, failed };
}

/** The notification of a drift report, or undefined when every stack matches its code. */
export function driftNotification(
  report: DriftReport,
  buildUrl?: string,
): { readonly subject: string; readonly message: string } | undefined {
  if (report.drifted.length === 0 && report.failed.length === 0) return undefined;
  const lines = [
    `lakepipe drift check of ${report.env}:`,
    ...report.drifted.map(
      (stack) => `- ${stack}: the real resources differ from the code (changed by hand?)`,
    ),
    ...report.failed.map((f) => `- ${f.stackName}: the check failed: ${f.error.split('\n')[0]}`),
    '',
    'Reconcile by changing the code and deploying through the pipeline, or by re-applying main.',
    ...(buildUrl ? [`Build: ${buildUrl}`] : []),
  ];
  const what = [
    report.drifted.length > 0 ? `${report.drifted.length} stack(s) drifted` : '',
    report.failed.length > 0 ? `${report.failed.length} check(s) failed` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return { subject: `lakepipe ${report.env}: ${what}`, message: `${lines.join('\n')}\n` };
}
