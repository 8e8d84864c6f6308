import type { IamRequest } from './simulate';

/**
 * The least-privilege matrix of lakepipe: for every role the stacks create, which requests IAM
 * allows; every other role is denied. The IAM decision test (iam-decisions.test.ts) simulates
 * each row against the synthesized policies of every environment, and docs/security.md shows
 * the same rows as tables (security-doc.ts), so the documentation cannot drift from the policies.
 */

/** The roles the synthesized stacks create, in the order the tables show them. */
export const LAKEPIPE_ROLES = [
  { id: 'sourcing', title: 'sourcing', role: (env: string) => `lakepipe-${env}-sourcing-fn` },
  { id: 'etl', title: 'spark-etl (Glue, stage etl)', role: (env: string) => `lakepipe-${env}-etl-etl-glue` },
  { id: 'scoring', title: 'scoring (SageMaker)', role: (env: string) => `lakepipe-${env}-scoring-sagemaker` },
  {
    id: 'scoringCounter',
    title: 'scoring counter',
    role: (env: string) => `lakepipe-${env}-scoring-counter-fn`,
  },
  { id: 'view', title: 'view', role: (env: string) => `lakepipe-${env}-view-fn` },
  { id: 'ledgerApi', title: 'ledger API', role: (env: string) => `lakepipe-${env}-ledger-api-fn` },
  { id: 'stateMachine', title: 'state machine', role: (env: string) => `lakepipe-${env}-bench-quality-sfn` },
  {
    id: 'executionCloser',
    title: 'execution closer',
    role: (env: string) => `lakepipe-${env}-bench-quality-closer-fn`,
  },
  {
    id: 'events',
    title: 'triggers (EventBridge)',
    role: (env: string) => `lakepipe-${env}-bench-quality-events`,
  },
] as const;

export type RoleId = (typeof LAKEPIPE_ROLES)[number]['id'];

/** The names and ARNs of one environment the rows are written against. */
export interface Targets {
  readonly env: string;
  readonly accountId: string;
  readonly region: string;
  readonly lakeBucket: string;
  readonly resultsBucket: string;
  readonly keyArn: string;
  readonly keyAliasArn: string;
  readonly ledgerTableArn: string;
  readonly errorTopicArn: string;
  readonly database: string;
  readonly workgroup: string;
  readonly stateMachineArn: string;
  /** the lake key of the model artifact the SageMaker model reads */
  readonly modelArtifactKey: string;
  /** the log group each role writes to directly (undefined: it writes none) */
  readonly ownLogGroup: Readonly<Record<RoleId, string | undefined>>;
}

/** One row: what is asked (every request must be allowed for the row to be allowed) and who may. */
export interface MatrixRow {
  readonly group: string;
  /** what the row checks, as the documentation shows it */
  readonly check: string;
  readonly requests: (t: Targets, role: RoleId) => readonly IamRequest[];
  /** the roles IAM allows; every other role must be denied */
  readonly allowed: readonly RoleId[];
}

export const DATASET = 'bench_tests';
export const OTHER_DATASET = 'other_tests';
export const RUN_ID = '20260101T020000Z-a1b2c3';
const EXECUTION_ARN = 'arn:aws:states:eu-west-1:111111111111:execution:lakepipe-dev-bench-quality:e1';
const SHA = 'ab'.repeat(32);

const lakeObject = (t: Targets, key: string) => `arn:aws:s3:::${t.lakeBucket}/${key}`;
const viaS3 = (t: Targets) => ({ 'kms:ViaService': `s3.${t.region}.amazonaws.com` });
const get = (key: string) => (t: Targets) => [
  { action: 's3:GetObject', resource: lakeObject(t, key) },
  { action: 'kms:Decrypt', resource: t.keyArn, context: viaS3(t) },
];
const put = (key: string) => (t: Targets) => [
  { action: 's3:PutObject', resource: lakeObject(t, key) },
  { action: 'kms:GenerateDataKey', resource: t.keyArn, context: viaS3(t) },
];
const del = (key: string) => (t: Targets) => [{ action: 's3:DeleteObject', resource: lakeObject(t, key) }];
const list = (prefix: string) => (t: Targets) => [
  { action: 's3:ListBucket', resource: `arn:aws:s3:::${t.lakeBucket}`, context: { 's3:prefix': prefix } },
];
const ledger =
  (action: string, partitionKey: string, resource = (t: Targets) => t.ledgerTableArn) =>
  (t: Targets) => [{ action, resource: resource(t), context: { 'dynamodb:LeadingKeys': [partitionKey] } }];
const key = (action: string, context?: Record<string, string>) => (t: Targets) => [
  { action, resource: t.keyArn, ...(context ? { context } : {}) },
];
const table = (t: Targets, name: string) =>
  `arn:aws:glue:${t.region}:${t.accountId}:table/${t.database}/${name}`;
const glueTable = (actions: readonly string[], name: string) => (t: Targets) => [
  ...actions.map((action) => ({ action, resource: table(t, name) })),
];
const transformJob = (t: Targets) =>
  `arn:aws:sagemaker:${t.region}:${t.accountId}:transform-job/lakepipe-${t.env}-score-${RUN_ID.toLowerCase()}-1a2b3c4d`;
const transformContext = (t: Targets, overrides: Record<string, string | string[]> = {}) => ({
  'sagemaker:ModelArn': `arn:aws:sagemaker:${t.region}:${t.accountId}:model/lakepipe-${t.env}-scoring-model`,
  'sagemaker:InstanceTypes': ['ml.m5.xlarge'],
  'sagemaker:OutputKmsKeyArn': t.keyAliasArn,
  'sagemaker:VolumeKmsKeyArn': t.keyArn,
  ...overrides,
});
const lambda = (t: Targets, component: string) =>
  `arn:aws:lambda:${t.region}:${t.accountId}:function:lakepipe-${t.env}-${component}`;
const glueJob = (t: Targets, name: string) =>
  `arn:aws:glue:${t.region}:${t.accountId}:job/lakepipe-${t.env}-${name}`;
const raw = `raw/${DATASET}/dt=2026-01-01/run=${RUN_ID}/tests.csv`;
const curated = `curated/${DATASET}/dt=2026-01-01/part-00000.zstd.parquet`;
const manifest = (stage: string) => `_manifests/run=${RUN_ID}/${stage}.json`;
const ALL_DATA_ROLES: readonly RoleId[] = [
  'sourcing',
  'etl',
  'scoring',
  'scoringCounter',
  'view',
  'ledgerApi',
  'stateMachine',
  'executionCloser',
];
const abort = (key: string) => (t: Targets) => [
  { action: 's3:AbortMultipartUpload', resource: lakeObject(t, key) },
];

export const LEAST_PRIVILEGE_MATRIX: readonly MatrixRow[] = [
  // lake objects: get = GetObject + Decrypt through S3, put = PutObject + GenerateDataKey through S3
  {
    group: 'Lake objects',
    check: `get landing/${DATASET}/…`,
    requests: get(`landing/${DATASET}/tests.csv`),
    allowed: ['sourcing'],
  },
  {
    group: 'Lake objects',
    check: `put landing/${DATASET}/…`,
    requests: put(`landing/${DATASET}/tests.csv`),
    allowed: [],
  },
  {
    group: 'Lake objects',
    check: `get raw/${DATASET}/…`,
    requests: get(raw),
    allowed: ['sourcing', 'etl', 'view'],
  },
  {
    group: 'Lake objects',
    check: `put raw/${DATASET}/…, abort its multipart uploads`,
    requests: (t) => [...put(raw)(t), ...abort(raw)(t)],
    allowed: ['sourcing'],
  },
  { group: 'Lake objects', check: `delete raw/${DATASET}/…`, requests: del(raw), allowed: ['sourcing'] },
  {
    group: 'Lake objects',
    check: `put raw/${OTHER_DATASET}/… (another dataset)`,
    requests: put(`raw/${OTHER_DATASET}/x.csv`),
    allowed: [],
  },
  {
    group: 'Lake objects',
    check: `get curated/${DATASET}/…`,
    requests: get(curated),
    allowed: ['etl', 'view'],
  },
  { group: 'Lake objects', check: `put curated/${DATASET}/…`, requests: put(curated), allowed: ['etl'] },
  { group: 'Lake objects', check: `delete curated/${DATASET}/…`, requests: del(curated), allowed: ['etl'] },
  {
    group: 'Lake objects',
    check: `put curated/${OTHER_DATASET}/… (another dataset)`,
    requests: put(`curated/${OTHER_DATASET}/p.parquet`),
    allowed: [],
  },
  {
    group: 'Lake objects',
    check: `put rejected/${DATASET}/…`,
    requests: put(`rejected/${DATASET}/run=${RUN_ID}/p.parquet`),
    allowed: ['etl'],
  },
  {
    group: 'Lake objects',
    check: `get features/${DATASET}/…`,
    requests: get(`features/${DATASET}/run=${RUN_ID}/p.csv`),
    allowed: ['etl', 'scoring', 'view'],
  },
  {
    group: 'Lake objects',
    check: `put features/${DATASET}/…`,
    requests: put(`features/${DATASET}/run=${RUN_ID}/p.csv`),
    allowed: ['etl'],
  },
  {
    group: 'Lake objects',
    check: `get scored/${DATASET}/…`,
    requests: get(`scored/${DATASET}/run=${RUN_ID}/p.csv.out`),
    allowed: ['scoringCounter', 'view'],
  },
  {
    group: 'Lake objects',
    check: `put scored/${DATASET}/…, abort its multipart uploads`,
    requests: (t) => [
      ...put(`scored/${DATASET}/run=${RUN_ID}/p.csv.out`)(t),
      ...abort(`scored/${DATASET}/run=${RUN_ID}/p.csv.out`)(t),
    ],
    allowed: ['scoring'],
  },
  {
    group: 'Lake objects',
    check: `delete scored/${DATASET}/…`,
    requests: del(`scored/${DATASET}/run=${RUN_ID}/p.csv.out`),
    allowed: [],
  },
  {
    group: 'Lake objects',
    check: `put scored/${OTHER_DATASET}/… (another dataset)`,
    requests: put(`scored/${OTHER_DATASET}/run=${RUN_ID}/p.csv.out`),
    allowed: [],
  },
  {
    group: 'Lake objects',
    check: 'get the etl job script (_glue/etl/)',
    requests: get('_glue/etl/etl_job.py'),
    allowed: ['etl'],
  },
  {
    group: 'Lake objects',
    check: 'put the etl job script (_glue/etl/)',
    requests: put('_glue/etl/etl_job.py'),
    allowed: [],
  },
  {
    group: 'Lake objects',
    check: 'get the model artifact (_artifacts/)',
    requests: (t) => get(t.modelArtifactKey)(t),
    allowed: ['scoring'],
  },
  {
    group: 'Lake objects',
    check: 'put and delete etl staging (_tmp/etl/<run>-etl-…, _tmp/glue/etl/)',
    requests: (t) => [
      ...put(`_tmp/etl/${RUN_ID}-etl-x1/p.parquet`)(t),
      ...del(`_tmp/etl/${RUN_ID}-etl-x1/p.parquet`)(t),
      ...put('_tmp/glue/etl/spark.tmp')(t),
    ],
    allowed: ['etl'],
  },
  {
    group: 'Lake objects',
    check: "put another stage's staging (_tmp/etl/<run>-backfill-…)",
    requests: put(`_tmp/etl/${RUN_ID}-backfill-x1/p.parquet`),
    allowed: [],
  },
  {
    group: 'Lake objects',
    check: `list landing/${DATASET}/`,
    requests: list(`landing/${DATASET}/`),
    allowed: ['sourcing'],
  },
  {
    group: 'Lake objects',
    check: `list raw/${DATASET}/`,
    requests: list(`raw/${DATASET}/`),
    allowed: ['sourcing', 'etl', 'view'],
  },
  {
    group: 'Lake objects',
    check: `list curated/${DATASET}/, rejected/${DATASET}/`,
    requests: (t) => [...list(`curated/${DATASET}/`)(t), ...list(`rejected/${DATASET}/`)(t)],
    allowed: ['etl', 'view'],
  },
  {
    group: 'Lake objects',
    check: `list features/${DATASET}/`,
    requests: list(`features/${DATASET}/`),
    allowed: ['etl', 'scoring', 'view'],
  },
  {
    group: 'Lake objects',
    check: `list scored/${DATASET}/`,
    requests: list(`scored/${DATASET}/`),
    allowed: ['scoringCounter', 'view'],
  },
  {
    group: 'Lake objects',
    check: 'list etl staging (_tmp/etl/<run>-etl-…, _tmp/glue/etl/)',
    requests: (t) => [...list(`_tmp/etl/${RUN_ID}-etl-x1/`)(t), ...list('_tmp/glue/etl/')(t)],
    allowed: ['etl'],
  },
  { group: 'Lake objects', check: 'list the whole lake', requests: list(''), allowed: [] },
  {
    group: 'Lake objects',
    check: 'get the lake bucket location',
    requests: (t) => [{ action: 's3:GetBucketLocation', resource: `arn:aws:s3:::${t.lakeBucket}` }],
    allowed: ['view'],
  },

  // manifests: each stage writes only its own
  {
    group: 'Manifests',
    check: 'put _manifests/run=…/source.json',
    requests: put(manifest('source')),
    allowed: ['sourcing'],
  },
  {
    group: 'Manifests',
    check: 'put _manifests/run=…/etl.json',
    requests: put(manifest('etl')),
    allowed: ['etl'],
  },
  {
    group: 'Manifests',
    check: 'put _manifests/run=…/score.json',
    requests: put(manifest('score')),
    allowed: ['scoringCounter'],
  },
  {
    group: 'Manifests',
    check: 'put _manifests/run=…/views.json, report.json',
    requests: (t) => [...put(manifest('views'))(t), ...put(manifest('report'))(t)],
    allowed: ['view'],
  },
  {
    group: 'Manifests',
    check: 'get _manifests/run=…/etl.json',
    requests: get(manifest('etl')),
    allowed: ['etl', 'stateMachine'],
  },
  {
    group: 'Manifests',
    check: 'get every stage manifest (source, score, views, report)',
    requests: (t) => ['source', 'score', 'views', 'report'].flatMap((stage) => get(manifest(stage))(t)),
    allowed: ['stateMachine'],
  },
  {
    group: 'Manifests',
    check: 'get a manifest of a stage the pipeline does not have',
    requests: get(manifest('not_a_stage')),
    allowed: [],
  },
  {
    group: 'Manifests',
    check: 'delete _manifests/run=…/source.json',
    requests: del(manifest('source')),
    allowed: [],
  },

  // ledger items by partition key (dynamodb:LeadingKeys)
  {
    group: 'Ledger items',
    check: 'put a run, stage or attempt item (RUN#…)',
    requests: ledger('dynamodb:PutItem', `RUN#${RUN_ID}`),
    allowed: ['stateMachine'],
  },
  {
    group: 'Ledger items',
    check: 'update a run, stage or attempt item (RUN#…)',
    requests: ledger('dynamodb:UpdateItem', `RUN#${RUN_ID}`),
    allowed: ['stateMachine', 'executionCloser'],
  },
  {
    group: 'Ledger items',
    check: 'batch-write (put or delete) RUN#…',
    requests: ledger('dynamodb:BatchWriteItem', `RUN#${RUN_ID}`),
    allowed: [],
  },
  {
    group: 'Ledger items',
    check: `put a claim of ${DATASET} (CLAIM#${DATASET}#…)`,
    requests: ledger('dynamodb:PutItem', `CLAIM#${DATASET}#${SHA}`),
    allowed: ['sourcing'],
  },
  {
    group: 'Ledger items',
    check: `put a claim of ${OTHER_DATASET}`,
    requests: ledger('dynamodb:PutItem', `CLAIM#${OTHER_DATASET}#${SHA}`),
    allowed: [],
  },
  {
    group: 'Ledger items',
    check: 'batch-write (put or delete) a claim',
    requests: ledger('dynamodb:BatchWriteItem', `CLAIM#${DATASET}#${SHA}`),
    allowed: [],
  },
  {
    group: 'Ledger items',
    check: 'update a claim',
    requests: ledger('dynamodb:UpdateItem', `CLAIM#${DATASET}#${SHA}`),
    allowed: [],
  },
  {
    group: 'Ledger items',
    check: `batch-write movements of raw/${DATASET}/, landing/${DATASET}/`,
    requests: (t) => [
      ...ledger('dynamodb:BatchWriteItem', `OBJ#${raw}`)(t),
      ...ledger('dynamodb:BatchWriteItem', `OBJ#landing/${DATASET}/tests.csv`)(t),
    ],
    allowed: ['sourcing'],
  },
  {
    group: 'Ledger items',
    check: `batch-write movements of curated/, rejected/, features/ of ${DATASET}`,
    requests: (t) =>
      ['curated', 'rejected', 'features'].flatMap((stage) =>
        ledger('dynamodb:BatchWriteItem', `OBJ#${stage}/${DATASET}/run=${RUN_ID}/p`)(t),
      ),
    allowed: ['etl'],
  },
  {
    group: 'Ledger items',
    check: `batch-write movements of scored/${DATASET}/`,
    requests: ledger('dynamodb:BatchWriteItem', `OBJ#scored/${DATASET}/run=${RUN_ID}/p.csv.out`),
    allowed: [],
  },
  {
    group: 'Ledger items',
    check: 'batch-write the movement of _manifests/…/source.json',
    requests: ledger('dynamodb:BatchWriteItem', `OBJ#${manifest('source')}`),
    allowed: ['sourcing'],
  },
  {
    group: 'Ledger items',
    check: 'batch-write the movement of _manifests/…/etl.json',
    requests: ledger('dynamodb:BatchWriteItem', `OBJ#${manifest('etl')}`),
    allowed: ['etl'],
  },
  {
    group: 'Ledger items',
    check: 'batch-write run movements (RUNMOVE#…)',
    requests: ledger('dynamodb:BatchWriteItem', `RUNMOVE#${RUN_ID}`),
    allowed: ['sourcing'],
  },
  {
    group: 'Ledger items',
    check: 'delete any item',
    requests: ledger('dynamodb:DeleteItem', `RUN#${RUN_ID}`),
    allowed: [],
  },
  {
    group: 'Ledger items',
    check: 'get a run, stage or attempt item (a redrive reads what already succeeded)',
    requests: ledger('dynamodb:GetItem', `RUN#${RUN_ID}`),
    allowed: ['ledgerApi', 'stateMachine', 'executionCloser'],
  },
  {
    group: 'Ledger items',
    check: 'query the items of a run (RUN#…: the closer aborts the RUNNING ones)',
    requests: ledger('dynamodb:Query', `RUN#${RUN_ID}`),
    allowed: ['ledgerApi', 'executionCloser'],
  },
  {
    group: 'Ledger items',
    check: 'put an execution item (EXEC#…: which run an execution runs)',
    requests: ledger('dynamodb:PutItem', `EXEC#${EXECUTION_ARN}`),
    allowed: ['stateMachine'],
  },
  {
    group: 'Ledger items',
    check: 'get an execution item (EXEC#…)',
    requests: ledger('dynamodb:GetItem', `EXEC#${EXECUTION_ARN}`),
    allowed: ['ledgerApi', 'executionCloser'],
  },
  {
    group: 'Ledger items',
    check: 'update an execution item',
    requests: ledger('dynamodb:UpdateItem', `EXEC#${EXECUTION_ARN}`),
    allowed: [],
  },
  {
    group: 'Ledger items',
    check: `get a claim of ${DATASET}`,
    requests: ledger('dynamodb:GetItem', `CLAIM#${DATASET}#${SHA}`),
    allowed: ['sourcing', 'ledgerApi'],
  },
  {
    group: 'Ledger items',
    check: 'query and batch-get items, query the runs index',
    requests: (t) => [
      ...ledger('dynamodb:Query', `RUN#${RUN_ID}`)(t),
      ...ledger('dynamodb:BatchGetItem', `RUN#${RUN_ID}`)(t),
      ...ledger('dynamodb:Query', 'RUNS', () => `${t.ledgerTableArn}/index/GSI1`)(t),
    ],
    allowed: ['ledgerApi'],
  },

  // the lake key, asked directly (as a Lambda decrypting its environment does)
  { group: 'Lake key', check: 'kms:Decrypt', requests: key('kms:Decrypt'), allowed: ALL_DATA_ROLES },
  {
    group: 'Lake key',
    check: 'kms:GenerateDataKey',
    requests: key('kms:GenerateDataKey'),
    allowed: ['sourcing', 'etl', 'scoring', 'scoringCounter', 'view', 'stateMachine', 'executionCloser'],
  },
  { group: 'Lake key', check: 'kms:Encrypt', requests: key('kms:Encrypt'), allowed: ['etl', 'scoring'] },
  { group: 'Lake key', check: 'kms:DescribeKey', requests: key('kms:DescribeKey'), allowed: ['scoring'] },
  {
    group: 'Lake key',
    check: 'kms:CreateGrant for an AWS resource (transform volumes)',
    requests: key('kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'true' }),
    allowed: ['scoring'],
  },
  {
    group: 'Lake key',
    check: 'kms:CreateGrant for anyone else',
    requests: key('kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'false' }),
    allowed: [],
  },
  {
    group: 'Lake key',
    check: 'kms:ReEncryptFrom, kms:ReEncryptTo',
    requests: (t) => [...key('kms:ReEncryptFrom')(t), ...key('kms:ReEncryptTo')(t)],
    allowed: [],
  },
  { group: 'Lake key', check: 'kms:PutKeyPolicy', requests: key('kms:PutKeyPolicy'), allowed: [] },
  {
    group: 'Lake key',
    check: 'kms:ScheduleKeyDeletion',
    requests: key('kms:ScheduleKeyDeletion'),
    allowed: [],
  },
  { group: 'Lake key', check: 'kms:DisableKey', requests: key('kms:DisableKey'), allowed: [] },

  // the Glue Data Catalog: catalog stacks own the tables; view owns its views and scored_ partitions
  {
    group: 'Glue catalog',
    check: 'read table definitions and partitions',
    requests: glueTable(
      ['glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
      `curated_${DATASET}`,
    ),
    allowed: ['view'],
  },
  {
    group: 'Glue catalog',
    check: 'create, replace and drop its views (daily_defect_rate, …)',
    requests: glueTable(['glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable'], 'daily_defect_rate'),
    allowed: ['view'],
  },
  {
    group: 'Glue catalog',
    check: `drop raw_${DATASET} (a spark-etl catalog table)`,
    requests: glueTable(['glue:DeleteTable'], `raw_${DATASET}`),
    allowed: [],
  },
  {
    group: 'Glue catalog',
    check: `change curated_${DATASET}`,
    requests: glueTable(['glue:UpdateTable'], `curated_${DATASET}`),
    allowed: [],
  },
  {
    group: 'Glue catalog',
    check: `drop scored_${DATASET} (the view catalog's table)`,
    requests: glueTable(['glue:DeleteTable'], `scored_${DATASET}`),
    allowed: [],
  },
  {
    group: 'Glue catalog',
    check: 'create a table of another name',
    requests: glueTable(['glue:CreateTable'], 'not_declared'),
    allowed: [],
  },
  {
    group: 'Glue catalog',
    check: `add a run partition to scored_${DATASET}`,
    requests: glueTable(['glue:BatchCreatePartition', 'glue:CreatePartition'], `scored_${DATASET}`),
    allowed: ['view'],
  },
  {
    group: 'Glue catalog',
    check: `add a partition to curated_${DATASET}`,
    requests: glueTable(['glue:BatchCreatePartition'], `curated_${DATASET}`),
    allowed: [],
  },
  {
    group: 'Glue catalog',
    check: 'read the database',
    requests: (t) => [
      {
        action: 'glue:GetDatabase',
        resource: `arn:aws:glue:${t.region}:${t.accountId}:database/${t.database}`,
      },
    ],
    allowed: ['view'],
  },
  {
    group: 'Glue catalog',
    check: 'drop the database',
    requests: (t) => [
      {
        action: 'glue:DeleteDatabase',
        resource: `arn:aws:glue:${t.region}:${t.accountId}:database/${t.database}`,
      },
    ],
    allowed: [],
  },

  // the services each role drives
  {
    group: 'Services',
    check: 'invoke the sourcing, scoring counter and view Lambdas',
    requests: (t) =>
      ['sourcing', 'scoring-counter', 'view'].map((c) => ({
        action: 'lambda:InvokeFunction',
        resource: lambda(t, c),
      })),
    allowed: ['stateMachine'],
  },
  {
    group: 'Services',
    check: 'invoke the ledger API Lambda',
    requests: (t) => [{ action: 'lambda:InvokeFunction', resource: lambda(t, 'ledger-api') }],
    allowed: [],
  },
  {
    group: 'Services',
    check: 'start, watch and stop the etl Glue job',
    requests: (t) =>
      ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'].map((action) => ({
        action,
        resource: glueJob(t, 'etl-etl'),
      })),
    allowed: ['stateMachine'],
  },
  {
    group: 'Services',
    check: 'start another Glue job',
    requests: (t) => [{ action: 'glue:StartJobRun', resource: glueJob(t, 'other-job') }],
    allowed: [],
  },
  {
    group: 'Services',
    check: 'create a transform job: the scoring model, ml.m5.xlarge, the lake key',
    requests: (t) => [
      { action: 'sagemaker:CreateTransformJob', resource: transformJob(t), context: transformContext(t) },
    ],
    allowed: ['stateMachine'],
  },
  {
    group: 'Services',
    check: 'create a transform job of another model',
    requests: (t) => [
      {
        action: 'sagemaker:CreateTransformJob',
        resource: transformJob(t),
        context: transformContext(t, {
          'sagemaker:ModelArn': `arn:aws:sagemaker:${t.region}:${t.accountId}:model/not-lakepipe`,
        }),
      },
    ],
    allowed: [],
  },
  {
    group: 'Services',
    check: 'create a transform job on another instance type (ml.p3.16xlarge)',
    requests: (t) => [
      {
        action: 'sagemaker:CreateTransformJob',
        resource: transformJob(t),
        context: transformContext(t, { 'sagemaker:InstanceTypes': ['ml.p3.16xlarge'] }),
      },
    ],
    allowed: [],
  },
  {
    group: 'Services',
    check: 'create a transform job writing with another key',
    requests: (t) => [
      {
        action: 'sagemaker:CreateTransformJob',
        resource: transformJob(t),
        context: transformContext(t, {
          'sagemaker:OutputKmsKeyArn': `arn:aws:kms:${t.region}:${t.accountId}:key/00000000-0000-0000-0000-000000000000`,
        }),
      },
    ],
    allowed: [],
  },
  {
    group: 'Services',
    check: 'describe, stop and tag its transform jobs',
    requests: (t) =>
      ['sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob', 'sagemaker:AddTags'].map((action) => ({
        action,
        resource: transformJob(t),
      })),
    allowed: ['stateMachine'],
  },
  {
    group: 'Services',
    check: "the .sync integration's managed EventBridge rule",
    requests: (t) =>
      ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'].map((action) => ({
        action,
        resource: `arn:aws:events:${t.region}:${t.accountId}:rule/StepFunctionsGetEventsForSageMakerTransformJobsRule`,
      })),
    allowed: ['stateMachine'],
  },
  {
    group: 'Services',
    check: 'publish to the error topic',
    requests: (t) => [{ action: 'sns:Publish', resource: t.errorTopicArn }],
    allowed: ['sourcing', 'scoringCounter', 'stateMachine', 'executionCloser'],
  },
  {
    group: 'Services',
    check: 'subscribe to or change the error topic',
    requests: (t) =>
      ['sns:Subscribe', 'sns:SetTopicAttributes'].map((action) => ({ action, resource: t.errorTopicArn })),
    allowed: [],
  },
  {
    group: 'Services',
    check: 'start an execution of the state machine',
    requests: (t) => [{ action: 'states:StartExecution', resource: t.stateMachineArn }],
    allowed: ['events'],
  },
  {
    group: 'Services',
    check: 'query Athena in the workgroup',
    requests: (t) =>
      [
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StopQueryExecution',
      ].map((action) => ({
        action,
        resource: `arn:aws:athena:${t.region}:${t.accountId}:workgroup/${t.workgroup}`,
      })),
    allowed: ['view'],
  },
  {
    group: 'Services',
    check: 'query Athena in another workgroup (primary)',
    requests: (t) => [
      {
        action: 'athena:StartQueryExecution',
        resource: `arn:aws:athena:${t.region}:${t.accountId}:workgroup/primary`,
      },
    ],
    allowed: [],
  },
  {
    group: 'Services',
    check: 'write, read and list Athena results',
    requests: (t) => [
      ...['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'].map(
        (action) => ({ action, resource: `arn:aws:s3:::${t.resultsBucket}/results/q.csv` }),
      ),
      ...['s3:ListBucket', 's3:GetBucketLocation'].map((action) => ({
        action,
        resource: `arn:aws:s3:::${t.resultsBucket}`,
      })),
    ],
    allowed: ['view'],
  },
  {
    group: 'Services',
    check: 'pull the XGBoost image',
    requests: (t) => [
      ...['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'].map(
        (action) => ({
          action,
          resource: `arn:aws:ecr:${t.region}:141502667606:repository/sagemaker-xgboost`,
        }),
      ),
      { action: 'ecr:GetAuthorizationToken', resource: '*' },
    ],
    allowed: ['scoring'],
  },
  {
    group: 'Services',
    check: 'put metrics in the Glue namespace',
    requests: () => [
      { action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': 'Glue' } },
    ],
    allowed: ['etl'],
  },
  {
    group: 'Services',
    check: 'put metrics in a SageMaker namespace',
    requests: () => [
      {
        action: 'cloudwatch:PutMetricData',
        resource: '*',
        context: { 'cloudwatch:namespace': '/aws/sagemaker/TransformJobs' },
      },
    ],
    allowed: ['scoring'],
  },
  {
    group: 'Services',
    check: 'put metrics in another namespace',
    requests: () => [
      { action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': 'Billing' } },
    ],
    allowed: [],
  },
  {
    group: 'Services',
    check: 'write to its own log group',
    requests: (t, role) =>
      t.ownLogGroup[role]
        ? ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
            action,
            resource: `${t.ownLogGroup[role]}:log-stream:s1`,
          }))
        : [
            {
              action: 'logs:PutLogEvents',
              resource: `arn:aws:logs:${t.region}:${t.accountId}:log-group:/aws/none:log-stream:s1`,
            },
          ],
    allowed: ['sourcing', 'etl', 'scoring', 'scoringCounter', 'view', 'ledgerApi', 'executionCloser'],
  },
  {
    group: 'Services',
    check: "write to the sourcing function's log group",
    requests: (t) => [{ action: 'logs:PutLogEvents', resource: `${t.ownLogGroup.sourcing}:log-stream:s1` }],
    allowed: ['sourcing'],
  },
  {
    group: 'Services',
    check: 'create a log group',
    requests: (t) => [
      {
        action: 'logs:CreateLogGroup',
        resource: `arn:aws:logs:${t.region}:${t.accountId}:log-group:/aws-glue/jobs/output`,
      },
    ],
    allowed: [],
  },
  {
    group: 'Services',
    check: 'associate the key with its Glue log groups',
    requests: (t) => [{ action: 'logs:AssociateKmsKey', resource: `${t.ownLogGroup.etl}:*` }],
    allowed: ['etl'],
  },
  {
    group: 'Services',
    check: "read the transform log group's streams",
    requests: (t) => [{ action: 'logs:DescribeLogStreams', resource: `${t.ownLogGroup.scoring}:*` }],
    allowed: ['scoring'],
  },
  {
    group: 'Services',
    check: 'deliver the state machine logs (log delivery APIs take no resource)',
    requests: () =>
      [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ].map((action) => ({ action, resource: '*' })),
    allowed: ['stateMachine'],
  },
  {
    group: 'Services',
    check: 'send X-Ray traces',
    requests: () =>
      ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'].map((action) => ({ action, resource: '*' })),
    allowed: ['sourcing', 'scoringCounter', 'view', 'ledgerApi', 'stateMachine', 'executionCloser'],
  },
  {
    group: 'Services',
    check: 'read X-Ray sampling rules',
    requests: () =>
      ['xray:GetSamplingRules', 'xray:GetSamplingTargets'].map((action) => ({ action, resource: '*' })),
    allowed: ['stateMachine'],
  },
  {
    group: 'Services',
    check: 'pass a role, create a role',
    requests: (t) =>
      ['iam:PassRole', 'iam:CreateRole'].map((action) => ({
        action,
        resource: `arn:aws:iam::${t.accountId}:role/lakepipe-${t.env}-sourcing-fn`,
      })),
    allowed: [],
  },
];

/**
 * Principals outside lakepipe's stacks, each assumed to hold AdministratorAccess in its own
 * account: what they can do is what the key, bucket and topic policies leave them.
 */
export const OTHER_PRINCIPALS = [
  { id: 'deployer', title: 'deployer (keyAccess.administratorRoleArn)' },
  { id: 'breakGlass', title: 'break-glass (keyAccess.breakGlassRoleArn)' },
  { id: 'reader', title: 'reader (keyAccess.readerRoleArns)' },
  { id: 'accountAdmin', title: 'another role in the account' },
  { id: 'crossAccount', title: 'a role in another account' },
  { id: 'anonymous', title: 'anonymous' },
] as const;

export type OtherPrincipalId = (typeof OTHER_PRINCIPALS)[number]['id'];

export interface ResourcePolicyRow {
  readonly check: string;
  readonly requests: (t: Targets) => readonly IamRequest[];
  readonly allowed: readonly OtherPrincipalId[];
}

/** What the resource policies (key, lake bucket, error topic) leave principals outside lakepipe. */
export const RESOURCE_POLICY_MATRIX: readonly ResourcePolicyRow[] = [
  { check: `read a lake object (get raw/${DATASET}/…)`, requests: get(raw), allowed: ['reader'] },
  { check: `upload a lake object (put raw/${DATASET}/…)`, requests: put(raw), allowed: ['deployer'] },
  { check: 'kms:Decrypt directly', requests: key('kms:Decrypt'), allowed: ['reader'] },
  {
    check: 'kms:Decrypt through S3 (lake objects)',
    requests: (t) => key('kms:Decrypt', viaS3(t))(t),
    allowed: ['reader'],
  },
  {
    check: 'kms:Decrypt through DynamoDB (ledger items)',
    requests: (t) => key('kms:Decrypt', { 'kms:ViaService': `dynamodb.${t.region}.amazonaws.com` })(t),
    allowed: ['reader'],
  },
  {
    check: 'kms:Decrypt through Glue (table definitions)',
    requests: (t) => key('kms:Decrypt', { 'kms:ViaService': `glue.${t.region}.amazonaws.com` })(t),
    allowed: ['deployer', 'reader'],
  },
  {
    check: 'kms:GenerateDataKey through S3',
    requests: (t) => key('kms:GenerateDataKey', viaS3(t))(t),
    allowed: ['deployer'],
  },
  { check: 'kms:Encrypt directly', requests: key('kms:Encrypt'), allowed: [] },
  {
    check: 'kms:CreateGrant for an AWS resource through DynamoDB',
    requests: (t) =>
      key('kms:CreateGrant', {
        'kms:ViaService': `dynamodb.${t.region}.amazonaws.com`,
        'kms:GrantIsForAWSResource': 'true',
      })(t),
    allowed: ['deployer'],
  },
  { check: 'kms:CreateGrant directly', requests: key('kms:CreateGrant'), allowed: [] },
  {
    check: 'administer the key (rotation, description, tags, aliases)',
    requests: (t) =>
      [
        'kms:EnableKeyRotation',
        'kms:UpdateKeyDescription',
        'kms:TagResource',
        'kms:ListResourceTags',
      ].flatMap((action) => key(action)(t)),
    allowed: ['deployer'],
  },
  {
    check: 'kms:PutKeyPolicy, kms:GetKeyPolicy',
    requests: (t) => [...key('kms:PutKeyPolicy')(t), ...key('kms:GetKeyPolicy')(t)],
    allowed: ['deployer', 'breakGlass'],
  },
  {
    check: 'kms:CancelKeyDeletion, kms:EnableKey',
    requests: (t) => [...key('kms:CancelKeyDeletion')(t), ...key('kms:EnableKey')(t)],
    allowed: ['deployer', 'breakGlass'],
  },
  {
    check: 'kms:ScheduleKeyDeletion, kms:DisableKey',
    requests: (t) => [...key('kms:ScheduleKeyDeletion')(t), ...key('kms:DisableKey')(t)],
    allowed: ['deployer'],
  },
  {
    check: 'publish to the error topic (sns:Publish + a data key through SNS)',
    requests: (t) => [
      { action: 'sns:Publish', resource: t.errorTopicArn },
      ...key('kms:GenerateDataKey', { 'kms:ViaService': `sns.${t.region}.amazonaws.com` })(t),
    ],
    allowed: [],
  },
];

/** Requests whose outcome depends on how they are made: TLS, encryption headers, who assumes a role. */
export interface ScenarioRow {
  readonly scenario: string;
  /** a lakepipe role, or a principal from OTHER_PRINCIPALS, or an AWS service (for trust policies) */
  readonly caller:
    | { readonly role: RoleId }
    | { readonly other: OtherPrincipalId }
    | { readonly service: string };
  readonly request: (t: Targets) => IamRequest;
  readonly expected: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
}

const http = { 'aws:SecureTransport': 'false' };
const roleArn = (t: Targets, role: RoleId) =>
  `arn:aws:iam::${t.accountId}:role/${LAKEPIPE_ROLES.find((r) => r.id === role)!.role(t.env)}`;
const assume = (role: RoleId, context: (t: Targets) => Record<string, string>) => (t: Targets) => ({
  action: 'sts:AssumeRole',
  resource: roleArn(t, role),
  context: context(t),
});
const from = (t: Targets, account = t.accountId) => ({ 'aws:SourceAccount': account });

export const RESOURCE_POLICY_SCENARIOS: readonly ScenarioRow[] = [
  {
    scenario: 'sourcing puts raw/ over plain HTTP',
    caller: { role: 'sourcing' },
    request: (t) => ({ action: 's3:PutObject', resource: lakeObject(t, raw), context: http }),
    expected: 'ExplicitlyDenied',
  },
  {
    scenario: 'view gets curated/ over plain HTTP',
    caller: { role: 'view' },
    request: (t) => ({ action: 's3:GetObject', resource: lakeObject(t, curated), context: http }),
    expected: 'ExplicitlyDenied',
  },
  {
    scenario: 'the state machine publishes an error over plain HTTP',
    caller: { role: 'stateMachine' },
    request: (t) => ({ action: 'sns:Publish', resource: t.errorTopicArn, context: http }),
    expected: 'ExplicitlyDenied',
  },
  {
    scenario: 'another role in the account subscribes to the error topic over plain HTTP',
    caller: { other: 'accountAdmin' },
    request: (t) => ({ action: 'sns:Subscribe', resource: t.errorTopicArn, context: http }),
    expected: 'ExplicitlyDenied',
  },
  {
    scenario: 'sourcing puts raw/ asking for SSE-S3 (AES256)',
    caller: { role: 'sourcing' },
    request: (t) => ({
      action: 's3:PutObject',
      resource: lakeObject(t, raw),
      context: { 's3:x-amz-server-side-encryption': 'AES256' },
    }),
    expected: 'ExplicitlyDenied',
  },
  {
    scenario: 'sourcing puts raw/ with another KMS key',
    caller: { role: 'sourcing' },
    request: (t) => ({
      action: 's3:PutObject',
      resource: lakeObject(t, raw),
      context: {
        's3:x-amz-server-side-encryption': 'aws:kms',
        's3:x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${t.region}:${t.accountId}:key/00000000-0000-0000-0000-000000000000`,
      },
    }),
    expected: 'ExplicitlyDenied',
  },
  {
    scenario: 'sourcing puts raw/ with the lake key',
    caller: { role: 'sourcing' },
    request: (t) => ({
      action: 's3:PutObject',
      resource: lakeObject(t, raw),
      context: {
        's3:x-amz-server-side-encryption': 'aws:kms',
        's3:x-amz-server-side-encryption-aws-kms-key-id': t.keyArn,
      },
    }),
    expected: 'Allowed',
  },
  {
    scenario: 'SageMaker puts scored/ with the lake key by its alias',
    caller: { role: 'scoring' },
    request: (t) => ({
      action: 's3:PutObject',
      resource: lakeObject(t, `scored/${DATASET}/run=${RUN_ID}/p.csv.out`),
      context: {
        's3:x-amz-server-side-encryption': 'aws:kms',
        's3:x-amz-server-side-encryption-aws-kms-key-id': t.keyAliasArn,
      },
    }),
    expected: 'Allowed',
  },
  {
    scenario: 'sourcing puts raw/ naming no encryption (the bucket default: the lake key)',
    caller: { role: 'sourcing' },
    request: (t) => ({ action: 's3:PutObject', resource: lakeObject(t, raw) }),
    expected: 'Allowed',
  },
  {
    scenario: 'anonymous gets a lake object',
    caller: { other: 'anonymous' },
    request: (t) => ({ action: 's3:GetObject', resource: lakeObject(t, raw) }),
    expected: 'ImplicitlyDenied',
  },
  {
    scenario: 'anonymous publishes to the error topic',
    caller: { other: 'anonymous' },
    request: (t) => ({ action: 'sns:Publish', resource: t.errorTopicArn }),
    expected: 'ImplicitlyDenied',
  },
  {
    scenario: 'anonymous decrypts with the lake key',
    caller: { other: 'anonymous' },
    request: (t) => ({ action: 'kms:Decrypt', resource: t.keyArn }),
    expected: 'ImplicitlyDenied',
  },
  {
    scenario: 'a role in another account gets a lake object',
    caller: { other: 'crossAccount' },
    request: (t) => ({ action: 's3:GetObject', resource: lakeObject(t, raw) }),
    expected: 'ImplicitlyDenied',
  },
  {
    scenario: 'a role in another account decrypts with the lake key',
    caller: { other: 'crossAccount' },
    request: (t) => ({ action: 'kms:Decrypt', resource: t.keyArn }),
    expected: 'ImplicitlyDenied',
  },
  {
    scenario: 'a role in another account publishes to the error topic',
    caller: { other: 'crossAccount' },
    request: (t) => ({ action: 'sns:Publish', resource: t.errorTopicArn }),
    expected: 'ImplicitlyDenied',
  },
  {
    scenario: 'another role in the account (AdministratorAccess) decrypts with the lake key',
    caller: { other: 'accountAdmin' },
    request: (t) => ({ action: 'kms:Decrypt', resource: t.keyArn }),
    expected: 'ImplicitlyDenied',
  },
  {
    scenario: 'another role in the account (AdministratorAccess) schedules the key for deletion',
    caller: { other: 'accountAdmin' },
    request: (t) => ({ action: 'kms:ScheduleKeyDeletion', resource: t.keyArn }),
    expected: 'ImplicitlyDenied',
  },
  {
    scenario: 'another role in the account (AdministratorAccess) rewrites the key policy',
    caller: { other: 'accountAdmin' },
    request: (t) => ({ action: 'kms:PutKeyPolicy', resource: t.keyArn }),
    expected: 'ImplicitlyDenied',
  },
  {
    scenario: 'Lambda assumes the sourcing role for this account and function',
    caller: { service: 'lambda.amazonaws.com' },
    request: assume('sourcing', (t) => ({ ...from(t), 'aws:SourceArn': lambda(t, 'sourcing') })),
    expected: 'Allowed',
  },
  {
    scenario: "Lambda assumes the sourcing role for another account's function",
    caller: { service: 'lambda.amazonaws.com' },
    request: assume('sourcing', (t) => ({
      ...from(t, '999999999999'),
      'aws:SourceArn': `arn:aws:lambda:${t.region}:999999999999:function:lakepipe-${t.env}-sourcing`,
    })),
    expected: 'ImplicitlyDenied',
  },
  {
    scenario: 'Lambda assumes the sourcing role for another function',
    caller: { service: 'lambda.amazonaws.com' },
    request: assume('sourcing', (t) => ({ ...from(t), 'aws:SourceArn': lambda(t, 'view') })),
    expected: 'ImplicitlyDenied',
  },
  {
    scenario: 'Glue assumes the etl role for this account',
    caller: { service: 'glue.amazonaws.com' },
    request: assume('etl', (t) => ({ ...from(t), 'aws:SourceArn': glueJob(t, 'etl-etl') })),
    expected: 'Allowed',
  },
  {
    scenario: 'Glue assumes the etl role for another account',
    caller: { service: 'glue.amazonaws.com' },
    request: assume('etl', (t) => ({
      ...from(t, '999999999999'),
      'aws:SourceArn': `arn:aws:glue:${t.region}:999999999999:job/x`,
    })),
    expected: 'ImplicitlyDenied',
  },
  {
    scenario: 'SageMaker assumes the scoring role for another account',
    caller: { service: 'sagemaker.amazonaws.com' },
    request: assume('scoring', (t) => ({
      ...from(t, '999999999999'),
      'aws:SourceArn': `arn:aws:sagemaker:${t.region}:999999999999:transform-job/x`,
    })),
    expected: 'ImplicitlyDenied',
  },
  {
    scenario: 'Step Functions assumes the state machine role for this machine',
    caller: { service: 'states.amazonaws.com' },
    request: assume('stateMachine', (t) => ({ ...from(t), 'aws:SourceArn': t.stateMachineArn })),
    expected: 'Allowed',
  },
  {
    scenario: 'Step Functions assumes the state machine role for another machine',
    caller: { service: 'states.amazonaws.com' },
    request: assume('stateMachine', (t) => ({ ...from(t), 'aws:SourceArn': `${t.stateMachineArn}-copy` })),
    expected: 'ImplicitlyDenied',
  },
  {
    scenario: 'EventBridge assumes the trigger role for another account',
    caller: { service: 'events.amazonaws.com' },
    request: assume('events', (t) => ({
      ...from(t, '999999999999'),
      'aws:SourceArn': `arn:aws:events:${t.region}:999999999999:rule/x`,
    })),
    expected: 'ImplicitlyDenied',
  },
];
