import path from 'node:path';
import type { Command } from 'commander';
// small and dependency-free, so loading it eagerly keeps `lakepipe --help` fast
import { renderTable } from '../format/table';

/** `lakepipe query "SQL"`: ad-hoc SQL over the local lake (DuckDB), or on Athena with --athena. */
export function register(program: Command): void {
  program
    .command('query')
    .description('run SQL over every lake stage: the local lake through DuckDB, or Athena with --athena')
    .argument('<sql>', 'one query, e.g. "SELECT * FROM bench_tests_latest LIMIT 5"')
    .option('--format <format>', 'table, csv or json', 'table')
    .option('--lake <dir>', 'the local lake folder', '.lake')
    .option('--config <file>', 'the pipeline file (its datasets and views)', 'pipeline.yaml')
    .option('--athena', "send the query to Athena (the env's workgroup and database) instead of DuckDB")
    .option('--env <env>', 'environment for --athena (infra/config/<env>.yaml)', 'dev')
    .option('--max-width <n>', 'table format: cut longer values', '40')
    .addHelpText(
      'after',
      '\nTables: raw_<ds>, curated_<ds>, rejected_<ds>, features_<ds>, scored_<ds>; views: <ds>_latest,\n<ds>_rejects_summary and those declared under views: in pipeline.yaml (services/view/README.md).',
    )
    .action(async (sql: string, options: QueryOptions) => {
      process.exitCode = await queryCommand(sql, options);
    });
}

export interface QueryOptions {
  readonly format: string;
  readonly lake: string;
  readonly config: string;
  readonly athena?: boolean;
  readonly env: string;
  readonly maxWidth?: string;
}

const FORMATS = ['table', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

type Value = string | number | boolean | null;
interface Rows {
  readonly columns: readonly { readonly name: string }[];
  readonly rows: readonly (readonly Value[])[];
}

export async function queryCommand(
  sql: string,
  options: QueryOptions,
  out: { write(text: string): unknown } = process.stdout,
): Promise<number> {
  const { InvalidOptionError } = await import('../errors');
  if (!(FORMATS as readonly string[]).includes(options.format))
    throw new InvalidOptionError('--format', options.format, `use one of ${FORMATS.join(', ')}`);
  const maxWidth = Number(options.maxWidth ?? 40);
  if (!Number.isInteger(maxWidth) || maxWidth < 4)
    throw new InvalidOptionError('--max-width', String(options.maxWidth), 'use a whole number of at least 4');
  const result = options.athena ? await onAthena(sql, options.env) : await onLocalLake(sql, options);
  out.write(formatRows(result, options.format as Format, maxWidth));
  return 0;
}

async function onLocalLake(sql: string, options: QueryOptions): Promise<Rows> {
  const [{ openLocalLake }, { loadPipelineForCli }] = await Promise.all([
    import('../twin/lake-api'),
    import('../stage-registry'),
  ]);
  const pipeline = loadPipelineForCli(options.config);
  // only the tables and views this query reads: a lake with many datasets and runs opens as fast as one
  const lake = await openLocalLake({ lakeRoot: path.resolve(options.lake), pipeline, onlyFor: sql });
  try {
    return await lake.query(sql);
  } finally {
    lake.close();
  }
}

async function onAthena(sql: string, env: string): Promise<Rows> {
  const [
    { AthenaClient },
    { loadEnvConfig, resourceName, glueDatabaseName },
    { queryAthena, ATHENA_WORKGROUP_COMPONENT },
  ] = await Promise.all([
    import('@aws-sdk/client-athena'),
    import('@lakepipe/constructs'),
    import('@lakepipe/view'),
  ]);
  const config = loadEnvConfig(env);
  const athena = new AthenaClient({ region: config.region });
  return queryAthena(athena, {
    sql,
    workgroup: resourceName(config.name, ATHENA_WORKGROUP_COMPONENT),
    database: glueDatabaseName(config.name),
  });
}

/** The rows as an aligned table (NULL for nulls, long values cut), CSV (RFC 4180) or JSON objects. */
export function formatRows(result: Rows, format: Format, maxWidth = 40): string {
  const names = result.columns.map((c) => c.name);
  if (format === 'json')
    return `${JSON.stringify(
      result.rows.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i] ?? null]))),
      null,
      2,
    )}\n`;
  if (format === 'csv') {
    const field = (v: Value) => {
      if (v === null) return '';
      const text = String(v);
      return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    };
    return [names, ...result.rows]
      .map((row) => row.map((v) => field(v as Value)).join(','))
      .join('\n')
      .concat('\n');
  }
  return `${renderTableSync(names, result.rows, maxWidth)}\n(${result.rows.length} ${result.rows.length === 1 ? 'row' : 'rows'})\n`;
}

function renderTableSync(
  names: readonly string[],
  rows: readonly (readonly Value[])[],
  maxWidth: number,
): string {
  return renderTable(
    names.map((header) => ({ header, maxWidth })),
    rows.map((row) => row.map((v) => (typeof v === 'boolean' ? String(v) : v))),
  );
}
