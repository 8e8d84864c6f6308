import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ViewExecutionError } from '../errors';
import {
  NEW_RUN,
  OLD_RUN,
  tempLake,
  writeCurated,
  writeFeatures,
  writeRaw,
  writeRejected,
  writeScored,
} from '../test-support/lake-fixtures';
import { pipelineFromYaml, repoPipeline } from '../test-support/pipeline';
import { openLocalLake } from './local-lake';

/** Two runs: the old one scored T-1; the new one has T-2..T-4, of which T-4 has no score. */
async function lakeWithTwoRuns(): Promise<string> {
  const lakeRoot = tempLake();
  await writeCurated(lakeRoot, 'bench_tests', [
    { test_id: 'T-000000001', bench_id: 'B01', started_at: '2026-11-25 08:00:00', run_id: OLD_RUN },
    { test_id: 'T-000000002', bench_id: 'B01', started_at: '2026-11-26 08:00:00', run_id: NEW_RUN },
    {
      test_id: 'T-000000003',
      bench_id: 'B01',
      started_at: '2026-11-26 09:30:00',
      run_id: NEW_RUN,
      error_count: 7,
    },
    { test_id: 'T-000000004', bench_id: 'B02', started_at: '2026-11-25 23:59:00', run_id: NEW_RUN },
  ]);
  writeScored(lakeRoot, 'bench_tests', OLD_RUN, { 'T-000000001': 0.99 });
  writeScored(lakeRoot, 'bench_tests', NEW_RUN, { 'T-000000002': 0.9, 'T-000000003': 0.2 });
  await writeRejected(lakeRoot, 'bench_tests', [
    { run_id: OLD_RUN, line_number: 3, reason_column: 'test_id', reason_rule: 'pattern' },
    { run_id: NEW_RUN, line_number: 2, reason_column: 'temperature_c', reason_rule: 'max' },
    { run_id: NEW_RUN, line_number: 5, reason_column: 'temperature_c', reason_rule: 'max' },
    { run_id: NEW_RUN, line_number: 9, reason_column: 'started_at', reason_rule: 'required' },
  ]);
  writeFeatures(lakeRoot, 'bench_tests', NEW_RUN, [
    'T-000000002,12.5,40,12,1.5,0.3,101.3,0',
    'T-000000003,,41,12,1.5,0.3,101.3,7',
  ]);
  writeRaw(
    lakeRoot,
    'bench_tests',
    NEW_RUN,
    '2026-11-26',
    'tests.csv',
    'test_id,device_id,bench_id\nT-000000002,D-1,B01\n',
  );
  return lakeRoot;
}

describe('openLocalLake', () => {
  it("holds DuckDB to the memory limit it is given (the twin's stages share one process)", async () => {
    const lake = await openLocalLake({
      lakeRoot: await lakeWithTwoRuns(),
      pipeline: repoPipeline(),
      memoryLimit: '256MB',
    });

    const result = await lake.query("SELECT current_setting('memory_limit') AS memory_limit");
    lake.close();

    // DuckDB shows 256 MB (10^6 bytes) in MiB
    expect(result.rows).toEqual([['244.1 MiB']]);
  });

  it('serves bench_tests_latest: the newest run joined with its scores, flagged at the scoring threshold', async () => {
    // Arrange
    const lake = await openLocalLake({ lakeRoot: await lakeWithTwoRuns(), pipeline: repoPipeline() });
    // Act
    const result = await lake.query(
      'SELECT test_id, bench_id, CAST(dt AS VARCHAR) AS dt, run_id, error_count, score, flagged FROM bench_tests_latest ORDER BY test_id',
    );
    lake.close();
    // Assert
    expect(result.rows).toEqual([
      ['T-000000002', 'B01', '2026-11-26', NEW_RUN, 0, 0.9, true],
      ['T-000000003', 'B01', '2026-11-26', NEW_RUN, 7, 0.2, false],
      ['T-000000004', 'B02', '2026-11-25', NEW_RUN, 0, null, null],
    ]);
  });

  it('creates only the tables and views a query reads when asked to (onlyFor), with what those views read', async () => {
    // Arrange
    const lake = await openLocalLake({
      lakeRoot: await lakeWithTwoRuns(),
      pipeline: repoPipeline(),
      onlyFor: 'SELECT COUNT(*) AS n FROM bench_tests_latest',
    });
    // Act
    const result = await lake.query('SELECT COUNT(*) AS n FROM bench_tests_latest');
    const tables = await lake.query(
      "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%bench_tests%' ORDER BY 1",
    );
    lake.close();
    // Assert
    expect(result.rows).toEqual([[3]]);
    expect(lake.views).toEqual(['bench_tests_latest']);
    expect(tables.rows.map((r) => r[0])).toEqual([
      'bench_tests_latest',
      'curated_bench_tests',
      'scored_bench_tests',
    ]);
  });

  it('runs the declared view daily_defect_rate from pipeline.yaml over the latest rows', async () => {
    // Arrange
    const lake = await openLocalLake({ lakeRoot: await lakeWithTwoRuns(), pipeline: repoPipeline() });
    // Act
    const result = await lake.query(
      'SELECT CAST(dt AS VARCHAR), bench_id, tests, flagged_tests, flagged_ratio, round(mean_score, 6) FROM daily_defect_rate ORDER BY dt, bench_id',
    );
    lake.close();
    // Assert: BIGINT counts come back as numbers
    expect(result.rows).toEqual([
      ['2026-11-25', 'B02', 1, 0, 0, null],
      ['2026-11-26', 'B01', 2, 1, 0.5, 0.55],
    ]);
  });

  it('summarises rejects by run, column and rule', async () => {
    // Arrange
    const lake = await openLocalLake({ lakeRoot: await lakeWithTwoRuns(), pipeline: repoPipeline() });
    // Act
    const result = await lake.query(
      'SELECT * FROM bench_tests_rejects_summary ORDER BY run_id, reason_column',
    );
    lake.close();
    // Assert
    expect(result.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'run_id:VARCHAR',
      'reason_column:VARCHAR',
      'reason_rule:VARCHAR',
      'rejected_rows:BIGINT',
    ]);
    expect(result.rows).toEqual([
      [OLD_RUN, 'test_id', 'pattern', 1],
      [NEW_RUN, 'started_at', 'required', 1],
      [NEW_RUN, 'temperature_c', 'max', 2],
    ]);
  });

  it('exposes every stage as a table under its Athena name, typed, with run and dt from the path', async () => {
    // Arrange
    const lake = await openLocalLake({ lakeRoot: await lakeWithTwoRuns(), pipeline: repoPipeline() });
    // Act
    const features = await lake.query(
      'SELECT id, duration_s, error_count, run FROM features_bench_tests ORDER BY id',
    );
    const scored = await lake.query('SELECT id, score, run FROM scored_bench_tests ORDER BY run, id');
    const raw = await lake.query('SELECT test_id, bench_id, CAST(dt AS VARCHAR), run FROM raw_bench_tests');
    const curated = await lake.query('SELECT count(*) AS n FROM curated_bench_tests');
    lake.close();
    // Assert
    expect(features.columns.map((c) => c.type)).toEqual(['VARCHAR', 'DOUBLE', 'INTEGER', 'VARCHAR']);
    expect(features.rows).toEqual([
      ['T-000000002', 12.5, 0, NEW_RUN],
      ['T-000000003', null, 7, NEW_RUN],
    ]);
    expect(scored.rows).toEqual([
      ['T-000000001', 0.99, OLD_RUN],
      ['T-000000002', 0.9, NEW_RUN],
      ['T-000000003', 0.2, NEW_RUN],
    ]);
    expect(raw.rows).toEqual([['T-000000002', 'B01', '2026-11-26', NEW_RUN]]);
    expect(curated.rows).toEqual([[4]]);
  });

  it('gives typed, empty tables and views when the lake has no files yet', async () => {
    // Arrange
    const lake = await openLocalLake({ lakeRoot: tempLake(), pipeline: repoPipeline() });
    // Act
    const counts = await lake.query(
      `SELECT (SELECT count(*) FROM raw_bench_tests), (SELECT count(*) FROM curated_bench_tests),
              (SELECT count(*) FROM rejected_bench_tests), (SELECT count(*) FROM features_bench_tests),
              (SELECT count(*) FROM scored_bench_tests), (SELECT count(*) FROM bench_tests_latest),
              (SELECT count(*) FROM daily_defect_rate)`,
    );
    const latest = await lake.query('SELECT started_at, dt, score, flagged FROM bench_tests_latest');
    lake.close();
    // Assert
    expect(counts.rows).toEqual([[0, 0, 0, 0, 0, 0, 0]]);
    expect(latest.columns.map((c) => c.type)).toEqual(['TIMESTAMP', 'DATE', 'DOUBLE', 'BOOLEAN']);
  });

  it('names the view when DuckDB refuses its SQL (a column that does not exist)', async () => {
    // Arrange
    const pipeline = repoPipeline();
    const broken = {
      ...pipeline,
      views: {
        bench_health: {
          sql: 'SELECT bench_id, AVG(no_such_column) AS x FROM bench_tests_latest GROUP BY bench_id',
        },
      },
    };
    // Act
    const opening = openLocalLake({ lakeRoot: tempLake(), pipeline: broken });
    // Assert
    await expect(opening).rejects.toThrow(ViewExecutionError);
    await expect(opening).rejects.toThrow(/^view bench_health: DuckDB: Binder Error: .*no_such_column/);
  });

  it('reads JSON-lines raw files as text columns', async () => {
    // Arrange
    const lakeRoot = tempLake();
    const pipeline = pipelineFromYaml(`
name: p
datasets:
  events:
    source: { type: directory, path: ./in }
    format: { jsonl: {} }
    columns:
      event_id: { type: string, unique: true }
      value: { type: double }
stages: {}
`);
    writeRaw(
      lakeRoot,
      'events',
      NEW_RUN,
      '2026-11-26',
      'a.jsonl',
      '{"event_id":"e1","value":1.5}\n{"event_id":"e2"}\n',
    );
    const lake = await openLocalLake({ lakeRoot, pipeline });
    // Act
    const result = await lake.query('SELECT event_id, value, run FROM raw_events ORDER BY event_id');
    lake.close();
    // Assert
    expect(result.rows).toEqual([
      ['e1', '1.5', NEW_RUN],
      ['e2', null, NEW_RUN],
    ]);
  });

  it('reads raw CSV, gzipped CSV and JSON lines of one run side by side, keeping ragged and malformed lines', async () => {
    // Arrange
    const lakeRoot = tempLake();
    const header = 'test_id,device_id,bench_id\n';
    writeRaw(
      lakeRoot,
      'bench_tests',
      NEW_RUN,
      '2026-11-26',
      'a.csv',
      `${header}T-000000001,D-1,B01\nT-000000002,D-2\n`,
    );
    writeRaw(
      lakeRoot,
      'bench_tests',
      NEW_RUN,
      '2026-11-26',
      'b.csv.gz',
      gzipSync(`${header}T-000000003,D-3,B03\n`),
    );
    writeRaw(
      lakeRoot,
      'bench_tests',
      NEW_RUN,
      '2026-11-26',
      'c.jsonl',
      '{"test_id":"T-000000004","error_count":3}\n{"test_id": oops\n',
    );
    const lake = await openLocalLake({ lakeRoot, pipeline: repoPipeline() });
    // Act
    const result = await lake.query(
      'SELECT test_id, bench_id, error_count FROM raw_bench_tests ORDER BY test_id NULLS LAST',
    );
    lake.close();
    // Assert
    expect(result.rows).toEqual([
      ['T-000000001', 'B01', null],
      ['T-000000002', null, null],
      ['T-000000003', 'B03', null],
      ['T-000000004', null, '3'],
      [null, null, null],
    ]);
  });

  it('stays queryable with a binary file, an unterminated quote and a Latin-1 byte in raw/', async () => {
    // Arrange: what a team's own landing folder holds on a bad day
    const lakeRoot = tempLake();
    const header = 'test_id,device_id,bench_id\n';
    const raw = (name: string, body: string | Buffer) =>
      writeRaw(lakeRoot, 'bench_tests', NEW_RUN, '2026-11-26', name, body);
    raw('binary.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe, 0x00, 0x9c]));
    raw('quote.csv', `${header}T-000000001,D-1,B01\nT-000000002,"D-2,B02\n`);
    raw(
      'latin1.csv',
      Buffer.concat([
        Buffer.from(`${header}T-000000003,D-caf`),
        Buffer.from([0xe9]),
        Buffer.from(',B03\nT-000000004,D-4,B04\n'),
      ]),
    );
    raw('good.csv', `${header}T-000000005,D-5,B05\n`);
    // Act
    const lake = await openLocalLake({ lakeRoot, pipeline: repoPipeline() });
    const ids = await lake.query('SELECT test_id FROM raw_bench_tests ORDER BY test_id');
    const one = await lake.query('SELECT 1 AS one');
    lake.close();
    // Assert: every readable line is there, the binary file is not data, nothing fails
    expect(ids.rows.map((r) => r[0])).toEqual(
      expect.arrayContaining(['T-000000001', 'T-000000002', 'T-000000004', 'T-000000005']),
    );
    expect(ids.rows.map((r) => r[0])).not.toContain(null);
    expect(one.rows).toEqual([[1]]);
  });

  it('keeps the newest row per unique key across runs in bench_tests_current, while _latest is the newest run only', async () => {
    // Arrange: run 1 had T-1 and T-2; an incremental run 2 brought a corrected T-1 only
    const lakeRoot = tempLake();
    await writeCurated(lakeRoot, 'bench_tests', [
      { test_id: 'T-000000001', bench_id: 'B01', started_at: '2026-11-25 08:00:00', run_id: OLD_RUN },
      { test_id: 'T-000000002', bench_id: 'B02', started_at: '2026-11-25 09:00:00', run_id: OLD_RUN },
      { test_id: 'T-000000001', bench_id: 'B09', started_at: '2026-11-26 08:00:00', run_id: NEW_RUN },
    ]);
    writeScored(lakeRoot, 'bench_tests', OLD_RUN, { 'T-000000001': 0.1, 'T-000000002': 0.8 });
    writeScored(lakeRoot, 'bench_tests', NEW_RUN, { 'T-000000001': 0.7 });
    const lake = await openLocalLake({ lakeRoot, pipeline: repoPipeline() });
    // Act
    const current = await lake.query(
      'SELECT test_id, bench_id, run_id, score, flagged FROM bench_tests_current ORDER BY test_id',
    );
    const latest = await lake.query('SELECT test_id FROM bench_tests_latest');
    lake.close();
    // Assert
    expect(current.rows).toEqual([
      ['T-000000001', 'B09', NEW_RUN, 0.7, true],
      ['T-000000002', 'B02', OLD_RUN, 0.8, true],
    ]);
    expect(latest.rows).toEqual([['T-000000001']]);
  });
});
