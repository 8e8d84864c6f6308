import type { CompileTarget } from '@lakepipe/workflow';
import type { EnvConfig } from './env-config';
import { bucketName, resourceName } from './naming';

/** The lake bucket of an environment: shared-infra creates it with exactly this name. */
export function lakeBucketName(config: Pick<EnvConfig, 'name' | 'accountId' | 'region'>): string {
  return bucketName(config.name, 'lake', config.accountId, config.region);
}

/** The ledger table of an environment: `lakepipe-<env>-ledger`. */
export function ledgerTableName(config: Pick<EnvConfig, 'name'>): string {
  return resourceName(config.name, 'ledger');
}

/** The error topic of an environment: `lakepipe-<env>-errors`. */
export function errorTopicName(config: Pick<EnvConfig, 'name'>): string {
  return resourceName(config.name, 'errors');
}

/** The error topic's ARN, computed (no Terraform token) so compiled ASL can embed it. */
export function errorTopicArn(config: Pick<EnvConfig, 'name' | 'accountId' | 'region'>): string {
  return `arn:aws:sns:${config.region}:${config.accountId}:${errorTopicName(config)}`;
}

/**
 * Where a pipeline is compiled for in an environment. Every name is derived from the config
 * alone, so the ASL holds plain strings and shared-infra creates resources with these names.
 */
export function compileTargetFor(config: EnvConfig): CompileTarget {
  return {
    env: config.name,
    accountId: config.accountId,
    region: config.region,
    resourceName: (component: string) => resourceName(config.name, component),
    lakeBucket: lakeBucketName(config),
    ledgerTable: ledgerTableName(config),
    errorTopicArn: errorTopicArn(config),
  };
}
