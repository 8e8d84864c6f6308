import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetSpec } from '@lakepipe/workflow';
import { etlOutputSchema } from '../src/output-schema';
import { compileSparkSql, renderSqlScript } from '../src/spec/compile';
import { buildTransformModel } from '../src/spec/model';

const glueDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/glue');

/** One file the Glue job reads from `_glue/<stageId>/` of the lake bucket. */
export interface GlueJobArtifact {
  readonly fileName: string;
  readonly content: string;
  readonly contentType: string;
  /** sha256 of the content: Terraform re-uploads when it changes (an SSE-KMS object's etag is not an MD5) */
  readonly sha256: string;
}

export interface GlueJobArtifacts {
  readonly script: GlueJobArtifact;
  readonly helpers: GlueJobArtifact;
  /** the spec the job reads: the dataset's settings and the compiled Spark SQL statements */
  readonly jobSpec: GlueJobArtifact;
  /** the same SQL as one readable script, for people (Athena/Spark users debugging a reject) */
  readonly sqlScript: GlueJobArtifact;
}

function artifact(fileName: string, content: string, contentType: string): GlueJobArtifact {
  return { fileName, content, contentType, sha256: createHash('sha256').update(content).digest('hex') };
}

/** The script, its helpers and the generated job spec of one spark-etl stage. */
export function glueJobArtifacts(dataset: string, spec: DatasetSpec): GlueJobArtifacts {
  const model = buildTransformModel(dataset, spec);
  const sql = compileSparkSql(model);
  const jobSpec = {
    generatedBy: '@lakepipe/spark-etl',
    dataset,
    partitionBy: model.partitionBy,
    features: model.features,
    idColumn: model.idColumn ?? null,
    maxRejectRatio: model.maxRejectRatio,
    // the columns the job's stage manifest records (the DuckDB engine records the same)
    schema: etlOutputSchema(model),
    sql: { dialect: sql.dialect, transform: sql.transform, outputs: sql.outputs },
  };
  return {
    script: artifact('etl_job.py', readFileSync(path.join(glueDir, 'etl_job.py'), 'utf8'), 'text/x-python'),
    helpers: artifact(
      'lakepipe_etl_helpers.py',
      readFileSync(path.join(glueDir, 'lakepipe_etl_helpers.py'), 'utf8'),
      'text/x-python',
    ),
    jobSpec: artifact('job-spec.generated.json', `${JSON.stringify(jobSpec, null, 2)}\n`, 'application/json'),
    sqlScript: artifact(`${dataset}.generated.spark.sql`, renderSqlScript(model, sql), 'application/sql'),
  };
}
