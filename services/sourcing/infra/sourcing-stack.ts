import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConstructPropsError,
  type EnvConfig,
  LakepipeNodeFunction,
  LakepipeStack,
  type PolicyStatement,
  publishParameter,
  readParameter,
  SHARED_PARAMETERS,
} from '@lakepipe/constructs';
import { type PipelineModel, type SourceSpec, type StageModel, stagesOf } from '@lakepipe/workflow';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import {
  DEFAULT_SOURCING_MEMORY_MB,
  resolveSources,
  SOURCING_COMPONENT,
  type SourcingAttributes,
  sourcingFunctionTimeoutSeconds,
  sourcingStageType,
} from '../src/stage-type';

export interface SourcingStackProps {
  readonly config: EnvConfig;
  readonly pipeline: PipelineModel;
  /**
   * The Terraform stack name.
   * @default `sourcing-<env>`
   */
  readonly stackName?: string;
}

/** Where the function's ARN is published: `/lakepipe/<env>/sourcing/function-arn`. */
export const SOURCING_FUNCTION_ARN_PARAMETER = 'sourcing/function-arn';
const handlerEntry = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'handler.ts');

/**
 * The sourcing service (ephemeral): one Lambda shared by every `sourcing` stage of the pipeline,
 * sized by the largest stage. It may read only its sources' prefixes, write only its datasets'
 * raw/<dataset>/ and its stages' manifests, claim its datasets' sources and record movements of
 * those keys in the ledger (never a run or stage item), and use the lake key.
 * Shared resources come from the SSM parameters shared-infra publishes.
 */
export class SourcingStack extends LakepipeStack {
  readonly function: LakepipeNodeFunction;

  constructor(scope: Construct, id: string, props: SourcingStackProps) {
    super(scope, id, {
      config: props.config,
      service: 'sourcing',
      stackName: props.stackName ?? `sourcing-${props.config.name}`,
    });
    const { config, pipeline } = props;
    const stages = stagesOf(pipeline, sourcingStageType);

    const lakeBucketName = readParameter(this, 'lake-bucket-name', {
      config,
      path: SHARED_PARAMETERS.lakeBucketName,
    });
    const lakeBucketArn = readParameter(this, 'lake-bucket-arn', {
      config,
      path: SHARED_PARAMETERS.lakeBucketArn,
    });
    const kmsKeyArn = readParameter(this, 'kms-key-arn', { config, path: SHARED_PARAMETERS.kmsKeyArn });
    const ledgerTableName = readParameter(this, 'ledger-table-name', {
      config,
      path: SHARED_PARAMETERS.ledgerTableName,
    });
    const ledgerTableArn = readParameter(this, 'ledger-table-arn', {
      config,
      path: SHARED_PARAMETERS.ledgerTableArn,
    });

    const sources = sourcePrefixes(pipeline, stages);
    const datasets = [...new Set(stages.flatMap((s) => s.attributes.datasets))].sort();
    const rawPrefixes = datasets.map((dataset) => `raw/${dataset}/`);
    const manifests = stages.map((s) => `_manifests/run=*/${s.id}.json`);
    const lakeSourcePrefixes = sources.filter((s) => s.bucket === undefined).map((s) => s.prefix);
    // one function serves every sourcing stage: size it for the largest
    const memorySize = Math.max(
      ...stages.map((s) => s.attributes.memoryMb ?? DEFAULT_SOURCING_MEMORY_MB),
      128,
    );
    const timeoutSeconds = sourcingFunctionTimeoutSeconds(stages.map((s) => s.timeoutSeconds));

    this.function = new LakepipeNodeFunction(this, 'function', {
      config,
      name: SOURCING_COMPONENT,
      entry: handlerEntry,
      description: 'lakepipe sourcing: lands new source files in raw/ exactly once',
      memorySize: stages.length > 0 ? memorySize : DEFAULT_SOURCING_MEMORY_MB,
      timeoutSeconds,
      environment: {
        LAKE_BUCKET: lakeBucketName,
        LEDGER_TABLE: ledgerTableName,
        KMS_KEY_ARN: kmsKeyArn,
        POWERTOOLS_SERVICE_NAME: 'sourcing',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      onFailureDestinationArn: this.compileTarget.errorTopicArn,
      // logs and environment encrypted with the lake key (the role may decrypt it)
      kmsKeyArn,
      policyStatements: [
        ...sourceStatements(sources, lakeBucketArn, rawPrefixes),
        ...(stages.length === 0
          ? []
          : [
              {
                sid: 'WriteRaw',
                // Get/Delete: the http staging key and the duplicate check live under raw/<dataset>/ too.
                actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
                resources: rawPrefixes.map((prefix) => `${lakeBucketArn}/${prefix}*`),
              },
              {
                sid: 'WriteManifests',
                actions: ['s3:PutObject'],
                resources: manifests.map((manifest) => `${lakeBucketArn}/${manifest}`),
              },
              {
                sid: 'ClaimSources',
                // a claim is a conditional PutItem, read back when it already exists
                actions: ['dynamodb:PutItem', 'dynamodb:GetItem'],
                resources: [ledgerTableArn],
                conditions: {
                  'ForAllValues:StringLike': {
                    'dynamodb:LeadingKeys': datasets.map((dataset) => `CLAIM#${dataset}#*`),
                  },
                },
              },
              {
                sid: 'RecordMovements',
                // BatchWriteItem could also delete: it reaches only movement partitions, never a claim or a run
                actions: ['dynamodb:BatchWriteItem'],
                resources: [ledgerTableArn],
                conditions: {
                  'ForAllValues:StringLike': {
                    'dynamodb:LeadingKeys': [
                      ...[...rawPrefixes, ...lakeSourcePrefixes].map((prefix) => `OBJ#${prefix}*`),
                      ...manifests.map((manifest) => `OBJ#${manifest}`),
                      'RUNMOVE#*',
                    ],
                  },
                },
              },
            ]),
        {
          sid: 'UseLakeKey',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [kmsKeyArn],
        },
      ],
    });

    publishParameter(this, 'function-arn-parameter', {
      config,
      path: SOURCING_FUNCTION_ARN_PARAMETER,
      value: this.function.functionArn,
      description: 'ARN of the sourcing Lambda (lakepipe sourcing stage)',
    });
    new TerraformOutput(this, 'function-arn', { value: this.function.functionArn });
  }
}

interface SourcePrefix {
  /** undefined: the lake bucket */
  readonly bucket?: string;
  readonly prefix: string;
}

/** Every s3 source prefix the pipeline's sourcing stages read, deduplicated. */
function sourcePrefixes(
  pipeline: PipelineModel,
  stages: readonly StageModel<SourcingAttributes>[],
): SourcePrefix[] {
  const seen = new Map<string, SourcePrefix>();
  const problems: string[] = [];
  for (const stage of stages) {
    const missing = stage.attributes.datasets.filter((d) => !(d in pipeline.datasets));
    if (missing.length > 0) {
      problems.push(`stage ${stage.id} names undeclared datasets: ${missing.join(', ')}`);
      continue;
    }
    for (const [dataset, source] of Object.entries(resolveSources(stage.attributes, pipeline.datasets))) {
      const spec: SourceSpec = source;
      if (spec.type === 'directory')
        problems.push(
          `stage ${stage.id}, dataset ${dataset}: directory sources (${spec.path}) run only in the local twin`,
        );
      if (spec.type !== 's3') continue;
      const prefix = spec.prefix.endsWith('/') ? spec.prefix : `${spec.prefix}/`;
      seen.set(`${spec.bucket ?? ''}|${prefix}`, { bucket: spec.bucket, prefix });
    }
  }
  if (problems.length > 0) throw new ConstructPropsError('SourcingStack', problems.join('; '));
  return [...seen.values()];
}

/** Read exactly the source prefixes: GetObject on `<bucket>/<prefix>*`, ListBucket with a prefix condition. */
function sourceStatements(
  sources: readonly SourcePrefix[],
  lakeBucketArn: string,
  rawPrefixes: readonly string[],
): PolicyStatement[] {
  const bucketArnOf = (bucket: string | undefined) =>
    bucket === undefined ? lakeBucketArn : `arn:aws:s3:::${bucket}`;
  const statements: PolicyStatement[] = [];
  if (sources.length > 0)
    statements.push({
      sid: 'ReadSources',
      actions: ['s3:GetObject'],
      resources: sources.map((s) => `${bucketArnOf(s.bucket)}/${s.prefix}*`),
    });
  // Listing the lake also covers raw/<dataset>/: without it, S3 answers 403 instead of 404 for a missing raw key.
  const lakePrefixesListed = [
    ...sources.filter((s) => s.bucket === undefined).map((s) => `${s.prefix}*`),
    ...rawPrefixes.map((prefix) => `${prefix}*`),
  ];
  statements.push({
    sid: 'ListLake',
    actions: ['s3:ListBucket'],
    resources: [lakeBucketArn],
    conditions: { StringLike: { 's3:prefix': lakePrefixesListed } },
  });
  const otherBuckets = [
    ...new Set(sources.filter((s) => s.bucket !== undefined).map((s) => s.bucket!)),
  ].sort();
  for (const [i, bucket] of otherBuckets.entries())
    statements.push({
      sid: `ListSourceBucket${i + 1}`,
      actions: ['s3:ListBucket'],
      resources: [`arn:aws:s3:::${bucket}`],
      conditions: {
        StringLike: { 's3:prefix': sources.filter((s) => s.bucket === bucket).map((s) => `${s.prefix}*`) },
      },
    });
  return statements;
}
