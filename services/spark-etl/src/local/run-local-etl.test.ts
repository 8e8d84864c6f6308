import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseStageManifest } from '@lakepipe/lake';
import type { LedgerWriter, ObjectMovementItem } from '@lakepipe/ledger';
import { describe, expect, it } from 'vitest';
import { RejectRatioExceededError, UnsupportedFileError } from '../errors';
import { etlManifestOf } from '../manifest';
import { landRaw, listKeys, readParquetRows, readText, tempLake } from '../test-support/lake';
import { benchTestsSpec, fixturesDir } from '../test-support/pipeline';
import { FILES_PER_STATEMENT } from './duckdb/inputs';
import { runLocalEtl } from './run-local-etl';

const RUN = '20261126T020000Z-a1b2c3';
const RUN_2 = '20261126T140000Z-d4e5f6';
const RAW = `raw/bench_tests/dt=2026-11-26/run=${RUN}/`;
const FIXTURES = ['a-bench.csv', 'b-bench.csv.gz', 'c-bench.jsonl'];
// The fixtures reject 14 of 23 rows on purpose (one row per kind of bad row): allow it here.
const spec = { ...benchTestsSpec(), maxRejectRatio: 1 };

/** Records movements only: the DynamoDB Ledger class belongs to packages/ledger. */
function recordingLedger(): LedgerWriter & { movements: Omit<ObjectMovementItem, 'at'>[] } {
  const movements: Omit<ObjectMovementItem, 'at'>[] = [];
  const unused = () => Promise.reject(new Error('not used by the ETL'));
  return {
    movements,
    recordMovements: async (m) => void movements.push(...m),
    claimSource: unused,
  };
}

describe('runLocalEtl', () => {
  it('accounts for every row of every file: read = curated + rejected, in the manifest', async () => {
    // Arrange
    const lake = tempLake();
    landRaw(lake, 'bench_tests', RUN, FIXTURES);

    // Act
    const manifest = await runLocalEtl({
      lakeRoot: lake,
      dataset: 'bench_tests',
      spec,
      runId: RUN,
      stageId: 'etl',
    });

    // Assert
    expect(manifest).toMatchObject({
      filesRead: 3,
      rowsRead: 23,
      curatedRows: 9,
      rejectedRows: 14,
      rejectedRatio: 0.608696,
      partitions: 3,
      byPartition: [
        { partition: 'dt=2026-11-24', curatedRows: 1 },
        { partition: 'dt=2026-11-25', curatedRows: 7 },
        { partition: 'dt=2026-11-26', curatedRows: 1 },
      ],
      byFile: [
        { file: `${RAW}a-bench.csv`, rowsRead: 15, curatedRows: 5, rejectedRows: 10 },
        { file: `${RAW}b-bench.csv.gz`, rowsRead: 3, curatedRows: 2, rejectedRows: 1 },
        { file: `${RAW}c-bench.jsonl`, rowsRead: 5, curatedRows: 2, rejectedRows: 3 },
      ],
    });
    // the file is the stage manifest (packages/lake): the same run, in the shared layout
    const written = parseStageManifest(readText(lake, `_manifests/run=${RUN}/etl.json`), 'etl.json');
    expect(etlManifestOf(written)).toEqual(manifest);
  });

  it('rejects each kind of bad row with its column, rule, reason, raw value and line', async () => {
    // Arrange
    const lake = tempLake();
    landRaw(lake, 'bench_tests', RUN, FIXTURES);

    // Act
    await runLocalEtl({ lakeRoot: lake, dataset: 'bench_tests', spec, runId: RUN, stageId: 'etl' });
    const rejected = await readParquetRows(lake, `rejected/bench_tests/run=${RUN}/`);

    // Assert
    expect(
      rejected.map((r) => [
        path.basename(String(r.source_file)),
        r.line_number,
        r.reason_column,
        r.reason_rule,
        r.reason,
        r.raw_value,
      ]),
    ).toEqual([
      ['a-bench.csv', 4n, null, 'required', 'test_id is required but missing', null].map((v, i) =>
        i === 2 ? 'test_id' : v,
      ),
      [
        'a-bench.csv',
        5n,
        'started_at',
        'type',
        'started_at must be a timestamp, got "not-a-time"',
        'not-a-time',
      ],
      ['a-bench.csv', 6n, 'duration_s', 'min', 'duration_s must be at least 0, got "-1"', '-1'],
      ['a-bench.csv', 7n, 'temperature_c', 'max', 'temperature_c must be at most 150, got "151"', '151'],
      ['a-bench.csv', 8n, 'bench_id', 'pattern', 'bench_id must match ^B[0-9]{2}$, got "B1"', 'B1'],
      ['a-bench.csv', 9n, 'failed_in_field', 'values', 'failed_in_field must be one of 0, 1, got "2"', '2'],
      [
        'a-bench.csv',
        10n,
        'test_id',
        'unique',
        'test_id must be unique: duplicate of an earlier row, got "T-000000001"',
        'T-000000001',
      ],
      ['a-bench.csv', 11n, null, 'column_count', 'expected 13 fields, got 3', null],
      [
        'a-bench.csv',
        14n,
        null,
        'csv',
        'malformed CSV quoting: a quote opens or closes in the middle of a field',
        null,
      ],
      ['a-bench.csv', 16n, 'error_count', 'type', 'error_count must be an int, got "1.5"', '1.5'],
      [
        'b-bench.csv.gz',
        3n,
        'test_id',
        'unique',
        'test_id must be unique: duplicate of an earlier row, got "T-000000002"',
        'T-000000002',
      ],
      ['c-bench.jsonl', 2n, null, 'json', 'the line is not a JSON object', null],
      ['c-bench.jsonl', 3n, 'voltage_v', 'max', 'voltage_v must be at most 48, got "60"', '60'],
      ['c-bench.jsonl', 4n, null, 'json', 'the line is not a JSON object', null],
    ]);
    expect(rejected[7]).toMatchObject({ run_id: RUN, raw_record: 'T-000000010,D-10,B01' });
  });

  it('numbers the lines of more text files than one statement reads within each file, and reads back the lines of later duplicates', async () => {
    // Arrange: twice as many JSON Lines files as a statement reads, all copies of one file, so every
    // later copy's good rows are unique duplicates, whose lines are read back from the files
    const lake = tempLake();
    const raw = path.join(lake, RAW);
    mkdirSync(raw, { recursive: true });
    const lines = readFileSync(path.join(fixturesDir, 'raw', 'c-bench.jsonl'), 'utf8')
      .trimEnd()
      .split('\n');
    const names = Array.from({ length: FILES_PER_STATEMENT * 2 + 1 }, (_, i) => `c-bench-${i + 1}.jsonl`);
    for (const name of names) writeFileSync(path.join(raw, name), `${lines.join('\n')}\n`);

    // Act
    const manifest = await runLocalEtl({
      lakeRoot: lake,
      dataset: 'bench_tests',
      spec,
      runId: RUN,
      stageId: 'etl',
    });
    const rejected = await readParquetRows(lake, `rejected/bench_tests/run=${RUN}/`);

    // Assert
    expect(manifest).toMatchObject({
      rowsRead: 5 * names.length,
      curatedRows: 2,
      rejectedRows: 5 * names.length - 2,
    });
    const perFile = (name: string, first: boolean) => [
      ...(first ? [] : [[name, 1n, 'unique', lines[0]]]),
      [name, 2n, 'json', lines[1]],
      [name, 3n, 'max', lines[2]],
      [name, 4n, 'json', lines[3]],
      ...(first ? [] : [[name, 5n, 'unique', lines[4]]]),
    ];
    expect(
      rejected.map((r) => [path.basename(String(r.source_file)), r.line_number, r.reason_rule, r.raw_record]),
    ).toEqual(names.flatMap((name, i) => perFile(name, i === 0)));
  });

  it('writes typed, Hive-partitioned curated Parquet with lineage that hyparquet reads back', async () => {
    // Arrange
    const lake = tempLake();
    landRaw(lake, 'bench_tests', RUN, FIXTURES);

    // Act
    await runLocalEtl({ lakeRoot: lake, dataset: 'bench_tests', spec, runId: RUN, stageId: 'etl' });
    const curated = await readParquetRows(lake, 'curated/bench_tests/');

    // Assert
    expect(await listKeys(lake, 'curated/bench_tests/')).toEqual([
      `curated/bench_tests/dt=2026-11-24/${RUN}-0.parquet`,
      `curated/bench_tests/dt=2026-11-25/${RUN}-0.parquet`,
      `curated/bench_tests/dt=2026-11-26/${RUN}-0.parquet`,
    ]);
    const byId = new Map(curated.map((r) => [r.test_id, r]));
    expect([...byId.keys()].sort()).toEqual([
      'T-000000001',
      'T-000000002',
      'T-000000006',
      'T-000000012',
      'T-000000014',
      'T-000000016',
      'T-000000020',
      'T-000000024',
      'T-000000030',
    ]);
    expect(byId.get('T-000000001')).toEqual({
      test_id: 'T-000000001',
      device_id: 'D-1',
      bench_id: 'B01',
      firmware: '1.2.3',
      started_at: new Date('2026-11-25T08:00:00Z'),
      duration_s: 12.5,
      temperature_c: 25,
      voltage_v: 12,
      current_a: 1.5,
      vibration_mm_s: 0.3,
      pressure_kpa: 101.3,
      error_count: 0,
      failed_in_field: 0,
      run_id: RUN,
      source_file: `${RAW}a-bench.csv`,
      _key: `curated/bench_tests/dt=2026-11-25/${RUN}-0.parquet`,
    });
    // quoted field with a delimiter and escaped quotes
    expect(byId.get('T-000000012')?.device_id).toBe('D-12, "quoted"');
    // an offset is converted to UTC, and the partition follows the UTC date
    expect(byId.get('T-000000014')).toMatchObject({
      started_at: new Date('2026-11-26T21:59:59Z'),
      _key: `curated/bench_tests/dt=2026-11-26/${RUN}-0.parquet`,
    });
    // optional columns left empty are nulls; a CSV header in another order maps by name (gzip, CRLF)
    expect(byId.get('T-000000016')).toMatchObject({
      duration_s: null,
      error_count: null,
      failed_in_field: null,
    });
    expect(byId.get('T-000000030')).toMatchObject({
      device_id: 'D-30',
      temperature_c: 40.25,
      error_count: 3,
      pressure_kpa: 120,
    });
    // the first T-000000006 was rejected (temperature), so the later one is the first good occurrence
    expect(byId.get('T-000000006')?.source_file).toBe(`${RAW}b-bench.csv.gz`);
  });

  it('writes the features CSV: id first, declared order, no header, nulls as empty fields', async () => {
    // Arrange
    const lake = tempLake();
    landRaw(lake, 'bench_tests', RUN, FIXTURES);

    // Act
    await runLocalEtl({ lakeRoot: lake, dataset: 'bench_tests', spec, runId: RUN, stageId: 'etl' });
    const lines = readText(lake, `features/bench_tests/run=${RUN}/part-0.csv`).trim().split('\n').sort();

    // Assert
    expect(lines).toHaveLength(9);
    expect(lines[0]).toBe('T-000000001,12.5,25.0,12.0,1.5,0.3,101.3,0');
    expect(lines).toContain('T-000000016,,,,,,,');
  });

  it('replaces its own files on a re-run of the same run id instead of duplicating rows', async () => {
    // Arrange
    const lake = tempLake();
    landRaw(lake, 'bench_tests', RUN, FIXTURES);
    await runLocalEtl({ lakeRoot: lake, dataset: 'bench_tests', spec, runId: RUN, stageId: 'etl' });

    // Act
    const again = await runLocalEtl({
      lakeRoot: lake,
      dataset: 'bench_tests',
      spec,
      runId: RUN,
      stageId: 'etl',
    });

    // Assert
    expect(again.curatedRows).toBe(9);
    expect(await readParquetRows(lake, 'curated/bench_tests/')).toHaveLength(9);
    expect(await readParquetRows(lake, 'rejected/bench_tests/')).toHaveLength(14);
    expect(await listKeys(lake, '_tmp/')).toEqual([]);
  });

  it('keeps the rows of an earlier run in the same dt partition when a second run lands', async () => {
    // Arrange
    const lake = tempLake();
    landRaw(lake, 'bench_tests', RUN, FIXTURES);
    landRaw(lake, 'bench_tests', RUN_2, ['c-bench.jsonl']);
    await runLocalEtl({ lakeRoot: lake, dataset: 'bench_tests', spec, runId: RUN, stageId: 'etl' });

    // Act
    const second = await runLocalEtl({
      lakeRoot: lake,
      dataset: 'bench_tests',
      spec,
      runId: RUN_2,
      stageId: 'etl',
    });

    // Assert
    expect(second).toMatchObject({ rowsRead: 5, curatedRows: 2, rejectedRows: 3 });
    const partition = await readParquetRows(lake, 'curated/bench_tests/dt=2026-11-25/');
    expect(partition.filter((r) => r.run_id === RUN)).toHaveLength(7);
    expect(partition.filter((r) => r.run_id === RUN_2)).toHaveLength(2);
  });

  it('reads a BOM header and CRLF lines, skips blank lines and keeps file line numbers', async () => {
    // Arrange
    const lake = tempLake();
    mkdirSync(path.join(lake, RAW), { recursive: true });
    const header =
      'test_id,device_id,bench_id,firmware,started_at,duration_s,temperature_c,voltage_v,current_a,vibration_mm_s,pressure_kpa,error_count,failed_in_field';
    const good = (id: string, device: string) =>
      `${id},${device},B01,1.2.3,2026-11-25T08:00:00Z,1,20,12,1,0.1,100,0,0`;
    const lines = [
      `\uFEFF${header}`,
      good('T-000000101', 'D-101'),
      '   ',
      '',
      good('T-000000102', '"D-102, bay ""2"""'),
      good('T-000000103', 'D-103').replace('2026-11-25T08:00:00Z', 'soon'),
    ];
    writeFileSync(path.join(lake, RAW, 'crlf.csv'), `${lines.join('\r\n')}\r\n`);

    // Act
    const manifest = await runLocalEtl({
      lakeRoot: lake,
      dataset: 'bench_tests',
      spec,
      runId: RUN,
      stageId: 'etl',
    });
    const curated = await readParquetRows(lake, 'curated/bench_tests/');
    const rejected = await readParquetRows(lake, `rejected/bench_tests/run=${RUN}/`);

    // Assert
    expect(manifest).toMatchObject({ rowsRead: 3, curatedRows: 2, rejectedRows: 1 });
    expect(curated.map((r) => [r.test_id, r.device_id]).sort()).toEqual([
      ['T-000000101', 'D-101'],
      ['T-000000102', 'D-102, bay "2"'],
    ]);
    expect(rejected).toEqual([
      expect.objectContaining({
        source_file: `${RAW}crlf.csv`,
        line_number: 6n,
        reason_rule: 'type',
        raw_value: 'soon',
        raw_record: lines[5],
      }),
    ]);
  });

  it('succeeds with zero rows when the run landed no files', async () => {
    // Arrange
    const lake = tempLake();

    // Act
    const manifest = await runLocalEtl({
      lakeRoot: lake,
      dataset: 'bench_tests',
      spec,
      runId: RUN,
      stageId: 'etl',
    });

    // Assert
    expect(manifest).toMatchObject({
      filesRead: 0,
      rowsRead: 0,
      curatedRows: 0,
      rejectedRows: 0,
      rejectedRatio: 0,
      partitions: 0,
    });
    expect(existsSync(path.join(lake, `_manifests/run=${RUN}/etl.json`))).toBe(true);
  });

  it('fails above maxRejectRatio after writing rejected rows, publishing no curated or features', async () => {
    // Arrange
    const lake = tempLake();
    landRaw(lake, 'bench_tests', RUN, FIXTURES);

    // Act
    const run = runLocalEtl({
      lakeRoot: lake,
      dataset: 'bench_tests',
      spec: benchTestsSpec(),
      runId: RUN,
      stageId: 'etl',
    });

    // Assert
    await expect(run).rejects.toThrow(RejectRatioExceededError);
    await expect(run).rejects.toThrow(
      `dataset bench_tests: rejected ratio 0.6087 (14 of 23 rows) is above maxRejectRatio 0.2; curated/ and features/ were not published, inspect rejected/bench_tests/run=${RUN}/`,
    );
    expect(await readParquetRows(lake, `rejected/bench_tests/run=${RUN}/`)).toHaveLength(14);
    expect(await listKeys(lake, 'curated/')).toEqual([]);
    expect(await listKeys(lake, 'features/')).toEqual([]);
    expect(await listKeys(lake, '_tmp/')).toEqual([]);
  });

  it('fails on a raw file it cannot read rather than skipping it', async () => {
    // Arrange
    const lake = tempLake();
    landRaw(lake, 'bench_tests', RUN, ['../golden/bench_tests.spark.sql']);

    // Act
    const run = runLocalEtl({ lakeRoot: lake, dataset: 'bench_tests', spec, runId: RUN, stageId: 'etl' });

    // Assert
    await expect(run).rejects.toThrow(UnsupportedFileError);
    await expect(run).rejects.toThrow(`raw file ${RAW}bench_tests.spark.sql has an unsupported extension`);
  });

  it('records every object it wrote in the ledger, with size and sha256', async () => {
    // Arrange
    const lake = tempLake();
    landRaw(lake, 'bench_tests', RUN, FIXTURES);
    const ledger = recordingLedger();

    // Act
    const manifest = await runLocalEtl({
      lakeRoot: lake,
      dataset: 'bench_tests',
      spec,
      runId: RUN,
      stageId: 'etl',
      ledger,
    });

    // Assert
    expect(ledger.movements.map((m) => m.to).sort()).toEqual(
      [...manifest.outputs, `_manifests/run=${RUN}/etl.json`].sort(),
    );
    expect(ledger.movements[0]).toMatchObject({
      runId: RUN,
      stageId: 'etl',
      bytes: expect.any(Number),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});
