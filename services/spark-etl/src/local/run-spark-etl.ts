import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lakePrefixes, parseStageManifest } from '@lakepipe/lake';
import { RejectRatioExceededError, SparkJobError, SparkNotInstalledError } from '../errors';
import { type EtlManifest, etlManifestOf } from '../manifest';
import { etlOutputSchema } from '../output-schema';
import { compileSparkSql } from '../spec/compile';
import { buildTransformModel } from '../spec/model';
import { recordMovements } from './movements';
import type { LocalEtlOptions } from './run-local-etl';

const glueDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../glue');
/** the repo root: where tools/setup/setup-python.sh builds .venv/ */
const workspaceRoot = path.resolve(glueDir, '../../../..');

export interface SparkEtlOptions extends Omit<LocalEtlOptions, 'memoryLimit' | 'threads' | 'fastCsv'> {
  /** Spark's master. @default `local[<CPU cores>]` */
  readonly master?: string;
  /** the project's virtualenv with pyspark (tools/setup/setup-python.sh). @default `<repo>/.venv` */
  readonly venv?: string;
  /** spark.driver.memory (local mode: the whole job). @default '1g' */
  readonly driverMemory?: string;
}

/** The job spec the Glue job reads (the same object glueJobArtifacts uploads as job-spec.generated.json). */
export function sparkJobSpec(dataset: string, options: Pick<LocalEtlOptions, 'spec' | 'locate'>) {
  const model = buildTransformModel(dataset, options.spec, options.locate ? { locate: options.locate } : {});
  const sql = compileSparkSql(model);
  return {
    generatedBy: '@lakepipe/spark-etl',
    dataset,
    partitionBy: model.partitionBy,
    features: model.features,
    idColumn: model.idColumn ?? null,
    maxRejectRatio: model.maxRejectRatio,
    // the columns the stage manifest records, as the DuckDB engine records them
    schema: etlOutputSchema(model),
    sql: { dialect: sql.dialect, transform: sql.transform, outputs: sql.outputs },
  };
}

/**
 * Runs the ETL of one dataset for one run with the very Glue job script (`src/glue/etl_job.py`)
 * and compiled Spark SQL, by `spark-submit --master local[*]` on the lake folder (`--lake_root`).
 * Same outputs, manifest and ledger movements as on Glue; the job hands its movements over in a
 * file and they are recorded in `ledger` here. The job's progress lines go to `progress`.
 */
export async function runSparkEtl(options: SparkEtlOptions): Promise<EtlManifest> {
  const { lakeRoot, dataset, runId, stageId } = options;
  const venv = options.venv ?? path.join(workspaceRoot, '.venv');
  const sparkSubmit = path.join(venv, 'bin', 'spark-submit');
  if (!existsSync(sparkSubmit)) throw new SparkNotInstalledError(sparkSubmit);
  const work = path.join(lakeRoot, '_tmp', 'spark', `${runId}-${stageId}-${process.pid}`);
  await mkdir(work, { recursive: true });
  try {
    const specFile = path.join(work, 'job-spec.json');
    await writeFile(specFile, JSON.stringify(sparkJobSpec(dataset, options)));
    const movementsFile = path.join(work, 'movements.json');
    const args = [
      '--master',
      options.master ?? `local[${os.availableParallelism()}]`,
      '--driver-memory',
      options.driverMemory ?? '1g',
      // local mode settings only: the job sets every setting its results depend on itself
      '--conf',
      'spark.ui.enabled=false',
      '--conf',
      `spark.sql.shuffle.partitions=${Math.max(2, os.availableParallelism())}`,
      '--conf',
      `spark.local.dir=${path.join(work, 'spark-local')}`,
      '--conf',
      `spark.driver.extraJavaOptions=-Dlog4j2.configurationFile=${path.join(path.dirname(fileURLToPath(import.meta.url)), 'log4j2.properties')}`,
      '--py-files',
      path.join(glueDir, 'lakepipe_etl_helpers.py'),
      path.join(glueDir, 'etl_job.py'),
      '--spec',
      specFile,
      '--lake_root',
      lakeRoot,
      '--dataset',
      dataset,
      '--run_id',
      runId,
      '--stage_id',
      stageId,
      '--movements_out',
      movementsFile,
    ];
    options.progress?.({ message: `spark-submit --master ${args[1]} etl_job.py` });
    const started = performance.now();
    const { code, stderr } = await spawnJob(sparkSubmit, args, venv, options.progress);
    // movements of what was published, also when the job failed after writing rejected/
    const movements = existsSync(movementsFile)
      ? (JSON.parse(await readFile(movementsFile, 'utf8')) as { to: string; bytes: number; sha256: string }[])
      : [];
    await recordMovements(
      options.ledger,
      runId,
      stageId,
      movements.map((m) => ({ key: m.to, bytes: m.bytes, sha256: m.sha256 })),
    );
    if (code !== 0) throw jobError(stderr, code, options);
    options.progress?.({
      message: `spark job: ${((performance.now() - started) / 1000).toFixed(2)} s`,
    });
    const manifestKey = lakePrefixes.manifest(runId, stageId);
    // the job writes the stage manifest of packages/lake: validated by its schema here
    return etlManifestOf(
      parseStageManifest(await readFile(path.join(lakeRoot, manifestKey), 'utf8'), manifestKey),
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function spawnJob(
  command: string,
  args: readonly string[],
  venv: string,
  progress: SparkEtlOptions['progress'],
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const python = path.join(venv, 'bin', 'python');
    const child = spawn(command, args, {
      env: {
        ...process.env,
        PYSPARK_PYTHON: python,
        PYSPARK_DRIVER_PYTHON: python,
        SPARK_LOCAL_IP: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdoutRest = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (stdoutRest + chunk).split('\n');
      stdoutRest = lines.pop() ?? '';
      for (const line of lines)
        if (line.startsWith('lakepipe-progress '))
          progress?.(JSON.parse(line.slice('lakepipe-progress '.length)));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      // keep the tail: the job's error is its last lines
      stderr = (stderr + chunk).slice(-200_000);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

/** The job's own error (its `Name: message` line), as a typed error where the DuckDB engine has one. */
function jobError(stderr: string, code: number, options: SparkEtlOptions): Error {
  const lines = stderr.split('\n');
  const ratio = lines.find((l) => l.startsWith('RejectRatioExceededError: '));
  if (ratio) {
    const m = /rejected ratio ([\d.]+) \((\d+) of (\d+) rows\) is above maxRejectRatio ([\d.e-]+)/.exec(
      ratio,
    );
    if (m)
      return new RejectRatioExceededError(
        options.dataset,
        Number(m[2]) / Number(m[3]),
        Number(m[4]),
        Number(m[2]),
        Number(m[3]),
        lakePrefixes.rejected(options.dataset, options.runId),
      );
  }
  const named = lines.findLast((l) => /^[A-Z][A-Za-z0-9_.]*(Error|Exception): /.test(l));
  if (process.env.LAKEPIPE_SPARK_DEBUG) process.stderr.write(stderr);
  return new SparkJobError(named ?? lines.filter((l) => l.trim()).slice(-1)[0] ?? '', code);
}
