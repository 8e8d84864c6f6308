import { assertRunId, assertSafeName, lakePrefixes } from '@lakepipe/lake';
import type { ViewDefinition } from '../catalog';
import { ViewPublishError, ViewPublishTimeoutError, ViewValueError } from '../errors';
import { tableName } from '../tables';
import { type AthenaSender, type PollOptions, runAthenaStatement } from './athena-query';
import { createViewStatement } from './ddl';

export interface PublishViewsOptions extends PollOptions {
  readonly athena: AthenaSender;
  /** the environment's workgroup: it owns the result location, encryption and the scan cutoff */
  readonly workgroup: string;
  /** `lakepipe_<env>` */
  readonly database: string;
  /** the views to (re)create, in dependency order (a view after those it reads) */
  readonly views: readonly Pick<ViewDefinition, 'name' | 'sql'>[];
  /**
   * Register this run's `scored/<dataset>/run=<runId>/` partition of `scored_<dataset>` first,
   * so the views see the new scores. Needs `lakeBucket`. @default no partition is registered
   */
  readonly scoredPartitions?: { readonly runId: string; readonly datasets: readonly string[] };
  /** the lake bucket, for partition locations. @default none (required with scoredPartitions) */
  readonly lakeBucket?: string;
}

export interface PublishViewsResult {
  /** the views published, in the order they were created */
  readonly views: readonly string[];
}

/** `ALTER TABLE scored_<ds> ADD IF NOT EXISTS PARTITION (run = '<runId>') LOCATION 's3://<bucket>/scored/<ds>/run=<runId>/'` */
export function addScoredPartitionStatement(dataset: string, runId: string, lakeBucket: string): string {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(lakeBucket))
    throw new ViewValueError('lake bucket', lakeBucket, 'is not a valid S3 bucket name');
  const table = tableName('scored', assertSafeName('dataset', dataset));
  const run = assertRunId(runId);
  return `ALTER TABLE \`${table}\` ADD IF NOT EXISTS PARTITION (\`run\` = '${run}') LOCATION 's3://${lakeBucket}/${lakePrefixes.scored(dataset, run)}'`;
}

/**
 * (Re)creates views in Athena, one StartQueryExecution each, in order, waiting for each with
 * backoff. Tables are Terraform's and are never recreated here; only the run's scored
 * partition is added. The first statement Athena fails ends the publish with a
 * ViewPublishError carrying Athena's StateChangeReason; one that outlasts the wait, a
 * ViewPublishTimeoutError.
 */
export async function publishViews(options: PublishViewsOptions): Promise<PublishViewsResult> {
  const statements: { subject: string; sql: string; view?: string }[] = [];
  if (options.scoredPartitions) {
    if (!options.lakeBucket)
      throw new ViewValueError(
        'publishViews lakeBucket',
        options.lakeBucket,
        'is required with scoredPartitions',
      );
    for (const dataset of options.scoredPartitions.datasets) {
      statements.push({
        subject: `table ${tableName('scored', dataset)} partition run=${options.scoredPartitions.runId}`,
        sql: addScoredPartitionStatement(dataset, options.scoredPartitions.runId, options.lakeBucket),
      });
    }
  }
  for (const view of options.views)
    statements.push({ subject: view.name, view: view.name, sql: createViewStatement(view) });

  const published: string[] = [];
  for (const statement of statements) {
    const outcome = await runAthenaStatement(
      options.athena,
      { sql: statement.sql, workgroup: options.workgroup, database: options.database },
      options,
    );
    if (outcome.state === 'TIMED_OUT')
      throw new ViewPublishTimeoutError(statement.subject, outcome.queryExecutionId, outcome.waitedMs);
    if (outcome.state !== 'SUCCEEDED')
      throw new ViewPublishError(statement.subject, outcome.queryExecutionId, outcome.state, outcome.reason);
    if (statement.view) published.push(statement.view);
  }
  return { views: published };
}
