// The SSM parameter paths stacks publish and tools read; no cdktf here, so the CLI loads it fast
// through @lakepipe/constructs/env.

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
