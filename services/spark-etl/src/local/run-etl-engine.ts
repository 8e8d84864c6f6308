import { UnknownEtlEngineError } from '../errors';
import type { EtlManifest } from '../manifest';
import type { LocalEtlOptions } from './run-local-etl';

/** The engines the twin can run the ETL stage on: DuckDB (default) or the Glue job itself on local Spark. */
export const ETL_ENGINES = ['duckdb', 'spark'] as const;
export type EtlEngine = (typeof ETL_ENGINES)[number];

/** The environment variable `lakepipe run --etl-engine` sets for the stage's local engine. */
export const ETL_ENGINE_VARIABLE = 'LAKEPIPE_ETL_ENGINE';

/** The engine chosen by LAKEPIPE_ETL_ENGINE (`lakepipe run --etl-engine`). @default 'duckdb' */
export function selectedEtlEngine(env: NodeJS.ProcessEnv = process.env): EtlEngine {
  const value = env[ETL_ENGINE_VARIABLE];
  if (value === undefined || value === '') return 'duckdb';
  if (!(ETL_ENGINES as readonly string[]).includes(value)) throw new UnknownEtlEngineError(value);
  return value as EtlEngine;
}

/**
 * Runs one dataset's ETL for one run on the selected engine: the DuckDB engine, or the Glue job's
 * script and compiled Spark SQL by spark-submit in local mode. Same outputs, manifest and ledger
 * movements either way (src/local/parity.test.ts).
 */
export async function runEtlEngine(
  options: LocalEtlOptions,
  engine: EtlEngine = selectedEtlEngine(),
): Promise<EtlManifest> {
  if (engine === 'spark') {
    const { runSparkEtl } = await import('./run-spark-etl');
    const { memoryLimit: _m, threads: _t, fastCsv: _f, ...sparkOptions } = options;
    return runSparkEtl(sparkOptions);
  }
  const { runLocalEtl } = await import('./run-local-etl');
  return runLocalEtl(options);
}
