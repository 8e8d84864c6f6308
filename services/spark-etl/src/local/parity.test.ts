import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lakePrefixes, parseStageManifest, runIdDate } from '@lakepipe/lake';
import type { LedgerWriter, ObjectMovementItem } from '@lakepipe/ledger';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EtlManifest } from '../manifest';
import { tempLake } from '../test-support/lake';
import { type LakeSnapshot, lakeSnapshot } from '../test-support/parity';
import { benchTestsSpec, fixturesDir } from '../test-support/pipeline';
import { runLocalEtl } from './run-local-etl';
import { runSparkEtl } from './run-spark-etl';

const RUN = '20261126T020000Z-a1b2c3';
const RAW = `raw/bench_tests/dt=2026-11-26/run=${RUN}/`;
// every file in one run: a file that failed an engine would fail the whole corpus
const spec = { ...benchTestsSpec(), maxRejectRatio: 1 };

function movementRecorder() {
  const movements: Omit<ObjectMovementItem, 'at'>[] = [];
  const ledger = {
    recordMovements: async (m: readonly Omit<ObjectMovementItem, 'at'>[]) => void movements.push(...m),
  };
  return { movements, ledger: ledger as unknown as LedgerWriter };
}

function landCorpus(lake: string): string[] {
  const dir = path.join(lake, lakePrefixes.raw('bench_tests', runIdDate(RUN), RUN));
  mkdirSync(dir, { recursive: true });
  const names: string[] = [];
  for (const folder of ['raw', 'dirty'])
    for (const name of readdirSync(path.join(fixturesDir, folder))) {
      cpSync(path.join(fixturesDir, folder, name), path.join(dir, name));
      names.push(name);
    }
  return names.sort();
}

interface EngineRun {
  readonly manifest: EtlManifest;
  /** the stage manifest file as written, without what differs by nature (engine, times, bytes and hashes of outputs) */
  readonly written: unknown;
  readonly snapshot: LakeSnapshot;
  readonly movedKeys: readonly string[];
}

async function runEngine(engine: 'duckdb' | 'spark'): Promise<EngineRun> {
  const lakeRoot = tempLake();
  landCorpus(lakeRoot);
  const { movements, ledger } = movementRecorder();
  const options = { lakeRoot, dataset: 'bench_tests', spec, runId: RUN, stageId: 'etl', ledger };
  const manifest = engine === 'duckdb' ? await runLocalEtl(options) : await runSparkEtl(options);
  const file = parseStageManifest(
    readFileSync(path.join(lakeRoot, lakePrefixes.manifest(RUN, 'etl')), 'utf8'),
    'etl.json',
  );
  const { engine: _e, timings: _t, outputs, ...written } = file;
  return {
    manifest,
    written: { ...written, outputs: outputs.map((o) => o.key) },
    snapshot: await lakeSnapshot(lakeRoot, manifest, 'bench_tests', RUN),
    movedKeys: movements.map((m) => m.to).sort(),
  };
}

/**
 * Both engines on one dirty corpus (src/test-fixtures/dirty: every input of issue #14's table, and
 * the clean fixtures): the same counts, rows, reasons, features, manifest, Parquet types and files,
 * read back by hyparquet. Spark is the real job (etl_job.py, spark-submit --master local[*], PySpark 3.5.4).
 */
describe('DuckDB and Spark engines: the same answer on dirty data', () => {
  let duckdb: EngineRun;
  let spark: EngineRun;

  beforeAll(async () => {
    duckdb = await runEngine('duckdb');
    spark = await runEngine('spark');
  }, 1_500_000);

  it('reads, curates and rejects the same rows per file, and neither fails the run', () => {
    // Assert
    expect(spark.manifest.byFile).toEqual(duckdb.manifest.byFile);
    const counts = Object.fromEntries(
      duckdb.manifest.byFile.map((f) => [
        f.file.slice(RAW.length),
        `${f.rowsRead}/${f.curatedRows}/${f.rejectedRows}`,
      ]),
    );
    expect(counts).toEqual({
      'a-bench.csv': '15/5/10',
      'b-bench.csv.gz': '3/2/1',
      'c-bench.jsonl': '5/2/3',
      'd01-old-timestamps.csv': '5/5/0',
      'd02-long-fields.csv': '4/3/1',
      'd03-long-first-line.jsonl': '2/2/0',
      'd04-stray-cr.csv': '4/3/1',
      'd05-crlf-bare-lf.csv': '4/4/0',
      'd06-cr-only.csv': '1/0/1',
      'd07-latin1.csv': '3/2/1',
      'd08-json-quirks.jsonl': '14/5/9',
      'd09-numbers.csv': '10/7/3',
      'd10-unicode-spaces.csv': '7/3/4',
      'd11-timestamps.csv': '14/9/5',
      'd12-json-newlines.jsonl': '6/1/5',
      'd13-header-only.csv': '0/0/0',
      'd14-empty.csv': '0/0/0',
      'd15-bom-blank-lines.csv': '2/2/0',
      'd16-quoted-crlf.csv.gz': '4/2/2',
    });
  });

  it('curates the same rows, doubles bit for bit and timestamps to the microsecond', () => {
    // Assert
    for (const file of Object.keys(duckdb.snapshot.curated))
      expect(spark.snapshot.curated[file], file).toEqual(duckdb.snapshot.curated[file]);
    expect(Object.keys(spark.snapshot.curated).sort()).toEqual(Object.keys(duckdb.snapshot.curated).sort());
    // before 1900 and before the Gregorian switch: written as they are, never a job failure
    const old = duckdb.snapshot.curated[`${RAW}d01-old-timestamps.csv`]!.join('\n');
    expect(old).toContain('started_at="micros:-62135596800000000"'); // 0001-01-01T00:00:00
    expect(old).toContain('started_at="micros:-2209161600000000"'); // 1899-12-30T00:00:00
  });

  it('rejects the same lines with the same column, rule, reason, raw value and raw record', () => {
    // Assert
    expect(spark.snapshot.rejected).toEqual(duckdb.snapshot.rejected);
    const rules = (file: string) =>
      (duckdb.snapshot.rejected[`${RAW}${file}`] ?? []).map((r) => r.split('|').slice(0, 3).join('|'));
    expect(rules('d06-cr-only.csv')).toEqual(['i:1|null|"line_ending"']);
    expect(rules('d07-latin1.csv')).toEqual(['i:3|null|"encoding"']);
    expect(rules('d04-stray-cr.csv')).toEqual(['i:3|null|"line_ending"']);
    expect(rules('d12-json-newlines.jsonl')).toContain('i:1|"test_id"|"pattern"');
    // 24:00, +19:00, +05:60, February 30, second 60
    expect(rules('d11-timestamps.csv').map((r) => r.split('|')[0])).toEqual([
      'i:2',
      'i:3',
      'i:4',
      'i:12',
      'i:13',
    ]);
    expect(rules('d08-json-quirks.jsonl')).toEqual([
      'i:2|null|"json"', // NaN
      'i:3|null|"json"', // single quotes
      'i:4|null|"json"', // a raw TAB inside a string
      'i:5|null|"json"', // a trailing ,}
      'i:6|null|"json"', // [{...},
      'i:7|null|"json"', // {...}, of a pretty-printed array
      'i:12|null|"json"', // [1,2]
      'i:13|null|"json"', // not json
      'i:14|"started_at"|"required"',
    ]);
  });

  it('writes the same features lines, numbers as their shortest text, in one file', () => {
    // Assert
    expect(spark.snapshot.features).toEqual(duckdb.snapshot.features);
    expect(duckdb.snapshot.features[0]).toBe('1 file(s)');
    expect(duckdb.snapshot.features).toContain('T-000000137,1e+22,25.0,12.0,0.0002,1e-05,101.3,0');
  });

  it('writes the same manifest, Parquet types, files per partition and ledger movements', () => {
    // Assert
    expect(spark.snapshot.manifest).toEqual(duckdb.snapshot.manifest);
    expect(spark.written).toEqual(duckdb.written);
    expect(spark.snapshot.parquetTypes).toEqual(duckdb.snapshot.parquetTypes);
    expect(duckdb.snapshot.parquetTypes.curated!.started_at).toBe(
      'INT64 {"type":"TIMESTAMP","isAdjustedToUTC":false,"unit":"MICROS"}',
    );
    expect(spark.snapshot.filesPerPartition).toEqual(duckdb.snapshot.filesPerPartition);
    expect(spark.movedKeys).toEqual(duckdb.movedKeys);
    expect(spark.manifest.engine).toBe('spark');
  });
});
