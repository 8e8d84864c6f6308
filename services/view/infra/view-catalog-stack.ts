import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { type EnvConfig, LakepipeStack, readParameter, SHARED_PARAMETERS } from '@lakepipe/constructs';
import type { PipelineModel } from '@lakepipe/workflow';
import type { Construct } from 'constructs';
import { buildLakeCatalog } from '../src/catalog';
import { athenaType, type LakeTable } from '../src/tables';

export interface ViewCatalogStackProps {
  readonly config: EnvConfig;
  /** the validated pipeline.yaml: one `scored_<dataset>` table per dataset */
  readonly pipeline: PipelineModel;
  /**
   * The Terraform stack name.
   * @default the construct id
   */
  readonly stackName?: string;
}

/**
 * The view service's always-on catalog: the Glue table `scored_<dataset>` over
 * `scored/<dataset>/run=<runId>/*.csv.out` (CSV `id,score`, no header), partitioned by `run`.
 * It outlives the ephemeral ViewStack so Athena keeps answering while compute is destroyed.
 * Partitions are registered per run by the view Lambda (`ALTER TABLE ... ADD IF NOT EXISTS
 * PARTITION`): run ids carry a random suffix, so partition projection cannot enumerate them.
 */
export class ViewCatalogStack extends LakepipeStack {
  readonly tables: readonly GlueCatalogTable[];

  constructor(scope: Construct, id: string, props: ViewCatalogStackProps) {
    super(scope, id, { config: props.config, service: 'view', stackName: props.stackName });
    const { config } = props;
    const database = readParameter(this, 'glue-database-name', {
      config,
      path: SHARED_PARAMETERS.glueDatabaseName,
    });
    const bucket = readParameter(this, 'lake-bucket-name', {
      config,
      path: SHARED_PARAMETERS.lakeBucketName,
    });
    const scored = buildLakeCatalog(props.pipeline).tables.filter((t) => t.stage === 'scored');
    this.tables = scored.map((table) => scoredTable(this, table, database, bucket));
  }
}

function scoredTable(
  scope: Construct,
  table: LakeTable,
  databaseName: string,
  bucket: string,
): GlueCatalogTable {
  return new GlueCatalogTable(scope, `table-${table.name}`, {
    name: table.name,
    databaseName,
    description: `${table.dataset}: model scores (id, score) per run, as SageMaker batch transform writes them`,
    tableType: 'EXTERNAL_TABLE',
    parameters: { EXTERNAL: 'TRUE', classification: 'csv' },
    partitionKeys: table.partitionKeys.map((c) => ({ name: c.name, type: athenaType(c.type) })),
    storageDescriptor: {
      location: `s3://${bucket}/${table.prefix}`,
      inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      serDeInfo: {
        serializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
        parameters: { 'field.delim': table.delimiter, 'serialization.format': table.delimiter },
      },
      columns: table.columns.map((c) => ({ name: c.name, type: athenaType(c.type) })),
    },
  });
}
