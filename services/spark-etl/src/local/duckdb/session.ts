import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { LocalEtlOptions } from '../run-local-etl';

/**
 * DuckDB's memory limit for one ETL run: the twin runs every stage in one process, whose peak must
 * stay under 1 GiB at any input size (bench/e2e); beyond it DuckDB spills to the work folder.
 */
export const DEFAULT_ETL_MEMORY_LIMIT = '400MB';

/** One DuckDB database for one ETL run, in a work folder under the lake that is removed on close. */
export interface EtlSession {
  readonly db: DuckDBConnection;
  /** the run's work folder: DuckDB's database and spill files, normalized inputs, outputs before they are published */
  readonly work: string;
  /** Runs one step and reports how long it took, in wall and CPU time (the twin shows it; bench/etl prints it). */
  step<T>(name: string, run: () => Promise<T>): Promise<T>;
  /** Closes DuckDB and removes the work folder. */
  close(): Promise<void>;
}

export async function openEtlSession(options: LocalEtlOptions): Promise<EtlSession> {
  const { lakeRoot, runId, stageId } = options;
  const work = path.join(lakeRoot, '_tmp', 'etl', `${runId}-${stageId}-${randomBytes(3).toString('hex')}`);
  await mkdir(path.join(work, 'spill'), { recursive: true });
  const threads = options.threads ?? os.availableParallelism();
  const instance = await DuckDBInstance.create(path.join(work, 'etl.duckdb'), {
    memory_limit: options.memoryLimit ?? DEFAULT_ETL_MEMORY_LIMIT,
    threads: String(threads),
    temp_directory: path.join(work, 'spill'),
    preserve_insertion_order: 'false',
  });
  const db = await instance.connect();
  return {
    db,
    work,
    async step(name, run) {
      const [started, cpu] = [performance.now(), process.cpuUsage()];
      const result = await run();
      const { user, system } = process.cpuUsage(cpu);
      const seconds = (performance.now() - started) / 1000;
      options.progress?.({
        message: `${name}: ${seconds.toFixed(2)} s (CPU ${((user + system) / 1e6).toFixed(2)} s)`,
      });
      return result;
    },
    async close() {
      db.closeSync();
      instance.closeSync();
      await rm(work, { recursive: true, force: true });
    },
  };
}
