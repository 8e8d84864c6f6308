import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config';
import { ssmParameterName } from './naming';

/**
 * Every parameter shared-infra publishes under `/lakepipe/<env>/`. Service stacks read them
 * by constant (`readParameter(this, 'lake', { config, path: SHARED_PARAMETERS.lakeBucketName })`).
 */
export const SHARED_PARAMETERS = {
  lakeBucketName: 'storage/lake-bucket-name',
  lakeBucketArn: 'storage/lake-bucket-arn',
  logBucketName: 'storage/log-bucket-name',
  logBucketArn: 'storage/log-bucket-arn',
  kmsKeyArn: 'security/kms-key-arn',
  kmsKeyAlias: 'security/kms-key-alias',
  ledgerTableName: 'ledger/table-name',
  ledgerTableArn: 'ledger/table-arn',
  errorTopicArn: 'alerting/error-topic-arn',
  errorTopicName: 'alerting/error-topic-name',
  glueDatabaseName: 'catalog/glue-database-name',
  athenaWorkgroupName: 'athena/workgroup-name',
  athenaResultsBucketName: 'athena/results-bucket-name',
  athenaResultsBucketArn: 'athena/results-bucket-arn',
} as const;

/**
 * Parameters the application stacks publish under `/lakepipe/<env>/` for tools: the CLI's
 * `--env` paths find the deployed ledger API and each pipeline's state machine here.
 */
export const DEPLOYED_PARAMETERS = {
  /** the ledger HTTP API base URL (infra/ledger-api) */
  ledgerApiUrl: 'ledger-api/url',
  /** a pipeline's state machine ARN (infra/orchestration) */
  stateMachineArn: (pipelineName: string) => `orchestration/${pipelineName}/state-machine-arn`,
} as const;

export type SharedParameter = (typeof SHARED_PARAMETERS)[keyof typeof SHARED_PARAMETERS];

export interface PublishParameterProps {
  readonly config: EnvConfig;
  /** path under `/lakepipe/<env>/`, e.g. `SHARED_PARAMETERS.lakeBucketName` */
  readonly path: string;
  readonly value: string;
  readonly description: string;
}

/** Publishes a name or ARN as a String parameter at `/lakepipe/<env>/<path>`. */
export function publishParameter(scope: Construct, id: string, props: PublishParameterProps): SsmParameter {
  return new SsmParameter(scope, id, {
    name: ssmParameterName(props.config.name, props.path),
    type: 'String',
    value: props.value,
    description: props.description,
  });
}

export interface ReadParameterProps {
  readonly config: EnvConfig;
  /** path under `/lakepipe/<env>/`, e.g. `SHARED_PARAMETERS.ledgerTableArn` */
  readonly path: string;
}

/** Reads `/lakepipe/<env>/<path>` at plan time; returns the value as a Terraform token. */
export function readParameter(scope: Construct, id: string, props: ReadParameterProps): string {
  return new DataAwsSsmParameter(scope, id, { name: ssmParameterName(props.config.name, props.path) }).value;
}
