// One measurement in its own process: `stage` (runLocalEtl), `spark` (the Glue job itself by
// spark-submit --master local[*], runSparkEtl: the same outputs), `baseline` (one DuckDB statement) or
// `baseline-outputs` (that statement plus the features and rejected outputs the stage also writes).
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runLocalEtl } from '../../services/spark-etl/src/local/run-local-etl';
import { runSparkEtl } from '../../services/spark-etl/src/local/run-spark-etl';
import { benchTestsSpec } from '../../services/spark-etl/src/test-support/pipeline';

const [kind, lake, runId] = process.argv.slice(2) as [
  'stage' | 'spark' | 'baseline' | 'baseline-outputs',
  string,
  string,
];
for (const p of ['curated', 'rejected', 'features', '_manifests', '_tmp', 'baseline'])
  rmSync(path.join(lake, p), { recursive: true, force: true });
const started = performance.now();
const cpuStarted = process.cpuUsage();
let rows = 0;
/** per raw file: read/curated/rejected (stage and spark), to prove the two engines wrote the same */
let byFile = '';
if (kind === 'stage' || kind === 'spark') {
  const options = {
    lakeRoot: lake,
    dataset: 'bench_tests',
    spec: benchTestsSpec(),
    runId,
    stageId: 'etl',
    progress: ({ message }: { message?: string }) => message && console.error(`  ${message}`),
  };
  const manifest = kind === 'stage' ? await runLocalEtl(options) : await runSparkEtl(options);
  rows = manifest.curatedRows;
  byFile = JSON.stringify(manifest.byFile);
} else {
  // The floor: DuckDB's own CSV reader, the same casts and checks in one WHERE, one partitioned write.
  // `baseline-outputs` adds what the stage also writes, the way one would by hand: the features CSV
  // and the rejected rows (raw fields, file name; no line number or reason: read_csv has neither),
  // each one more statement over the same files.
  const db = await DuckDBInstance.create(':memory:', {
    memory_limit: '1GB',
    temp_directory: path.join(lake, '_tmp'),
    preserve_insertion_order: 'false',
  });
  const c = await db.connect();
  await c.run("SET TimeZone = 'UTC'");
  const raw = path.join(lake, 'raw/bench_tests');
  const num = (col: string) => `TRY_CAST(${col} AS DOUBLE)`;
  const source = `read_csv('${raw}/**/*.csv', header = true, all_varchar = true, filename = true)`;
  const passes = `test_id IS NOT NULL AND regexp_matches(test_id, '^T-[0-9]{9}$') AND device_id IS NOT NULL
      AND TRY_CAST(started_at AS TIMESTAMPTZ) IS NOT NULL
      AND (bench_id IS NULL OR regexp_matches(bench_id, '^B[0-9]{2}$'))
      AND (firmware IS NULL OR regexp_matches(firmware, '^[0-9]+\\.[0-9]+\\.[0-9]+$'))
      AND coalesce(${num('duration_s')} >= 0, duration_s IS NULL)
      AND coalesce(${num('temperature_c')} BETWEEN -40 AND 150, temperature_c IS NULL)
      AND coalesce(${num('voltage_v')} BETWEEN 0 AND 48, voltage_v IS NULL)
      AND coalesce(${num('current_a')} BETWEEN 0 AND 20, current_a IS NULL)
      AND coalesce(${num('vibration_mm_s')} >= 0, vibration_mm_s IS NULL)
      AND coalesce(${num('pressure_kpa')} BETWEEN 50 AND 200, pressure_kpa IS NULL)
      AND coalesce(TRY_CAST(error_count AS INTEGER) >= 0, error_count IS NULL)
      AND coalesce(TRY_CAST(failed_in_field AS INTEGER) IN (0, 1), failed_in_field IS NULL)`;
  const features = [
    'duration_s',
    'temperature_c',
    'voltage_v',
    'current_a',
    'vibration_mm_s',
    'pressure_kpa',
  ];
  const result = await c.runAndReadAll(`COPY (
    SELECT test_id, device_id, bench_id, firmware, CAST(TRY_CAST(started_at AS TIMESTAMPTZ) AS TIMESTAMP) AS started_at,
      ${features.map((x) => `${num(x)} AS ${x}`).join(', ')},
      TRY_CAST(error_count AS INTEGER) AS error_count, TRY_CAST(failed_in_field AS INTEGER) AS failed_in_field,
      '${runId}' AS run_id, filename AS source_file, CAST(CAST(TRY_CAST(started_at AS TIMESTAMPTZ) AS TIMESTAMP) AS DATE) AS dt
    FROM ${source}
    WHERE ${passes}
  ) TO '${path.join(lake, 'baseline')}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dt), FILENAME_PATTERN '${runId}-{i}')`);
  rows = Number(result.getRows()[0]?.[0] ?? 0);
  if (kind === 'baseline-outputs') {
    await c.run(
      `COPY (SELECT test_id, ${features.map((x) => `${num(x)} AS ${x}`).join(', ')}, TRY_CAST(error_count AS INTEGER) AS error_count FROM ${source} WHERE ${passes}) TO '${path.join(lake, 'baseline', 'features.csv')}' (FORMAT csv, HEADER false)`,
    );
    await c.run(
      `COPY (SELECT '${runId}' AS run_id, filename AS source_file, * EXCLUDE (filename) FROM ${source} WHERE NOT coalesce(${passes}, false)) TO '${path.join(lake, 'baseline', 'rejected.parquet')}' (FORMAT parquet, COMPRESSION zstd)`,
    );
  }
  c.closeSync();
  db.closeSync();
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
readdirSync(lake);
// spark: the CPU and memory are the JVM's (a child process), not counted here
console.log(JSON.stringify({ seconds, cpuSeconds, rssMb, rows, byFile }));
