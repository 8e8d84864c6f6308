import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { type EnvConfig, LakepipeStack, readParameter, SHARED_PARAMETERS } from '@lakepipe/constructs';
import { type PipelineModel, stagesOf } from '@lakepipe/workflow';
import type { Construct } from 'constructs';
import { DatasetNotDeclaredError } from '../src/errors';
import { buildTransformModel, type TransformModel } from '../src/spec/model';
import { type LogicalType, typeName } from '../src/spec/types';
import { glueJobName, sparkEtlStageType } from '../src/stage-type';
import { glueLogGroups } from './spark-etl-stack';

export interface SparkEtlCatalogStackProps {
  readonly config: EnvConfig;
  /** the validated pipeline.yaml: tables for every dataset a spark-etl stage reads */
  readonly pipeline: PipelineModel;
  /**
   * The first day the date partition projection enumerates.
   * @default 2020-01-01
   */
  readonly projectionStart?: string;
  /**
   * The Terraform stack name.
   * @default the construct id
   */
  readonly stackName?: string;
}

const PARQUET = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serDeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
};
const text = (delimiter: string, extra: Record<string, string> = {}) => ({
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  serDeInfo: {
    serializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
    parameters: { 'field.delim': delimiter, 'serialization.format': delimiter, ...extra },
  },
});

/**
 * The always-on catalog of spark-etl: `raw_<ds>` (CSV as landed), `curated_<ds>` (Parquet,
 * partition projection on its partition columns, so no crawler and no partition maintenance),
 * `rejected_<ds>` and `features_<ds>`, in `lakepipe_<env>`. It outlives the ephemeral
 * SparkEtlStack: Athena keeps answering while the Glue job is destroyed.
 * Run-scoped tables project `run` as `injected`: a query names the run (`WHERE run = '...'`).
 * It also declares each job's log groups (retention, lake key), so logs outlive the job too.
 */
export class SparkEtlCatalogStack extends LakepipeStack {
  readonly tables: readonly GlueCatalogTable[];
  /** each spark-etl job's output and error log groups (the job's role cannot create groups) */
  readonly logGroups: readonly CloudwatchLogGroup[];

  constructor(scope: Construct, id: string, props: SparkEtlCatalogStackProps) {
    super(scope, id, { config: props.config, service: 'spark-etl', stackName: props.stackName });
    const { config, pipeline } = props;
    const databaseName = readParameter(this, 'glue-database-name', {
      config,
      path: SHARED_PARAMETERS.glueDatabaseName,
    });
    const bucket = readParameter(this, 'lake-bucket-name', {
      config,
      path: SHARED_PARAMETERS.lakeBucketName,
    });
    const start = props.projectionStart ?? '2020-01-01';
    const datasets = [...new Set(stagesOf(pipeline, sparkEtlStageType).map((s) => s.attributes.dataset))];

    const tables: GlueCatalogTable[] = [];
    for (const dataset of datasets.sort()) {
      const spec = pipeline.datasets[dataset];
      if (!spec) throw new DatasetNotDeclaredError('(catalog)', dataset, Object.keys(pipeline.datasets));
      const model = buildTransformModel(dataset, spec);
      const table = (
        name: string,
        description: string,
        body: Omit<
          ConstructorParameters<typeof GlueCatalogTable>[2],
          'name' | 'databaseName' | 'description' | 'tableType'
        >,
      ) =>
        tables.push(
          new GlueCatalogTable(this, `table-${name}`, {
            name,
            databaseName,
            description,
            tableType: 'EXTERNAL_TABLE',
            ...body,
          }),
        );
      const location = (prefix: string) => `s3://${bucket}/${prefix}`;
      const runProjection = (prefix: string) => ({
        'projection.enabled': 'true',
        'projection.run.type': 'injected',
        'storage.location.template': `${location(prefix)}run=\${run}/`,
      });

      table(
        `raw_${dataset}`,
        `${dataset}: source files as landed (CSV text; JSON lines are not parsed here)`,
        {
          parameters: {
            EXTERNAL: 'TRUE',
            classification: 'csv',
            'skip.header.line.count': model.csv.header ? '1' : '0',
            ...dateProjection('dt', start),
            'projection.run.type': 'injected',
            'storage.location.template': `${location(`raw/${dataset}/`)}dt=\${dt}/run=\${run}/`,
          },
          partitionKeys: [
            { name: 'dt', type: 'string' },
            { name: 'run', type: 'string' },
          ],
          storageDescriptor: {
            location: location(`raw/${dataset}/`),
            ...text(model.csv.delimiter),
            columns: model.columns.map((c) => ({ name: c.name, type: 'string' })),
          },
        },
      );

      table(
        `curated_${dataset}`,
        `${dataset}: typed rows (zstd Parquet), with run_id and source_file lineage`,
        {
          parameters: {
            EXTERNAL: 'TRUE',
            classification: 'parquet',
            'parquet.compression': 'ZSTD',
            ...curatedProjection(model, location(`curated/${dataset}/`), start),
          },
          partitionKeys: model.partitionBy.map((p) => ({ name: p, type: hiveType(typeOf(model, p)) })),
          storageDescriptor: {
            location: location(`curated/${dataset}/`),
            ...PARQUET,
            columns: [
              ...model.columns
                .filter((c) => !model.partitionBy.includes(c.name))
                .map((c) => ({ name: c.name, type: hiveType(c.type) })),
              ...model.derived
                .filter((d) => !model.partitionBy.includes(d.name))
                .map((d) => ({ name: d.name, type: hiveType(d.type) })),
              { name: 'run_id', type: 'string' },
              { name: 'source_file', type: 'string' },
            ],
          },
        },
      );

      table(
        `rejected_${dataset}`,
        `${dataset}: rejected rows, one per bad input line, with the rule and the reason`,
        {
          parameters: {
            EXTERNAL: 'TRUE',
            classification: 'parquet',
            ...runProjection(`rejected/${dataset}/`),
          },
          partitionKeys: [{ name: 'run', type: 'string' }],
          storageDescriptor: {
            location: location(`rejected/${dataset}/`),
            ...PARQUET,
            columns: [
              ['run_id', 'string'],
              ['source_file', 'string'],
              ['line_number', 'bigint'],
              ['reason_column', 'string'],
              ['reason_rule', 'string'],
              ['reason', 'string'],
              ['raw_value', 'string'],
              ['raw_record', 'string'],
            ].map(([name, type]) => ({ name: name!, type: type! })),
          },
        },
      );

      if (model.idColumn && model.features.length > 0)
        table(
          `features_${dataset}`,
          `${dataset}: model input (id, then the features in declared order; CSV, no header)`,
          {
            parameters: { EXTERNAL: 'TRUE', classification: 'csv', ...runProjection(`features/${dataset}/`) },
            partitionKeys: [{ name: 'run', type: 'string' }],
            storageDescriptor: {
              location: location(`features/${dataset}/`),
              ...text(','),
              columns: [model.idColumn, ...model.features].map((c) => ({
                name: c,
                type: hiveType(typeOf(model, c)),
              })),
            },
          },
        );
    }
    this.tables = tables;

    const keyArn = readParameter(this, 'kms-key-arn', { config, path: SHARED_PARAMETERS.kmsKeyArn });
    this.logGroups = stagesOf(pipeline, sparkEtlStageType).flatMap((stage) =>
      glueLogGroups(glueJobName(this.compileTarget, stage.id)).map(
        (name) =>
          new CloudwatchLogGroup(this, `logs-${name.replace(/[^a-zA-Z0-9]+/g, '-')}`, {
            name,
            retentionInDays: config.logRetentionDays,
            kmsKeyId: keyArn,
          }),
      ),
    );
  }
}

function typeOf(model: TransformModel, column: string): LogicalType {
  return (model.columns.find((c) => c.name === column) ?? model.derived.find((d) => d.name === column))!.type;
}

/** Glue/Hive type names; the spec's names are already Hive's. */
function hiveType(type: LogicalType): string {
  return typeName(type);
}

function dateProjection(column: string, start: string): Record<string, string> {
  return {
    'projection.enabled': 'true',
    [`projection.${column}.type`]: 'date',
    [`projection.${column}.range`]: `${start},NOW`,
    [`projection.${column}.format`]: 'yyyy-MM-dd',
    [`projection.${column}.interval`]: '1',
    [`projection.${column}.interval.unit`]: 'DAYS',
  };
}

/** Date partition columns are projected over a date range; other partition columns are `injected`. */
function curatedProjection(model: TransformModel, location: string, start: string): Record<string, string> {
  if (model.partitionBy.length === 0) return {};
  const projection: Record<string, string> = { 'projection.enabled': 'true' };
  for (const p of model.partitionBy) {
    if (typeOf(model, p).kind === 'date') Object.assign(projection, dateProjection(p, start));
    else projection[`projection.${p}.type`] = 'injected';
  }
  projection['storage.location.template'] =
    `${location}${model.partitionBy.map((p) => `${p}=\${${p}}`).join('/')}/`;
  return projection;
}
