import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateBenchTests } from '@lakepipe/datagen';
import { FolderObjectStore, lakePrefixes, readAll, runIdDate } from '@lakepipe/lake';
import { describe, expect, it } from 'vitest';
import { SourcingConfigurationError } from './errors';
import { ingestSources } from './ingest';
import { freshFolderLake, freshLedger, nextRunId } from './test-support/fixtures';

const LANDING = { bench_tests: { type: 's3' as const, prefix: 'landing/bench_tests/' } };

async function generatedFiles(rows = 600, files = 4) {
  const dir = await mkdtemp(path.join(tmpdir(), 'sourcing-gen-'));
  const summary = await generateBenchTests({ outDir: dir, rows, files, seed: 7, badFraction: 0.02 });
  return { dir, summary };
}

/** Puts every file of `dir` under `landing/bench_tests/` of the store. */
async function land(store: FolderObjectStore, dir: string): Promise<string[]> {
  const names = (await readdir(dir)).sort();
  for (const name of names)
    await store.put(`landing/bench_tests/${name}`, await readFile(path.join(dir, name)));
  return names;
}

async function keysUnder(store: FolderObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.listAll(prefix)) keys.push(o.key);
  return keys;
}

describe('ingestSources over a folder lake', () => {
  it('lands every generated file in the run prefix byte for byte, gzip kept, with claims and movements', async () => {
    // Arrange
    const { store } = await freshFolderLake();
    const ledger = await freshLedger();
    const { dir, summary } = await generatedFiles();
    await land(store, dir);
    const runId = nextRunId();

    // Act
    const result = await ingestSources({ runId, stageId: 'source', sources: LANDING, store, ledger });

    // Assert
    const prefix = lakePrefixes.raw('bench_tests', runIdDate(runId), runId);
    const names = summary.files.map((f) => f.name);
    expect((await keysUnder(store, 'raw/')).sort()).toEqual(names.map((n) => `${prefix}${n}`).sort());
    for (const file of summary.files) {
      const landed = await readAll(await store.get(`${prefix}${file.name}`));
      expect(landed.equals(await readFile(path.join(dir, file.name))), file.name).toBe(true);
    }
    expect(result).toMatchObject({
      files: 4,
      bytes: summary.files.reduce((s, f) => s + f.bytes, 0),
      duplicates: 0,
      skipped: 0,
    });
    expect(result.details.map((d) => d.sha256).sort()).toEqual(summary.files.map((f) => f.sha256).sort());
    const gz = summary.files.find((f) => f.format === 'csv.gz')!;
    const history = await ledger.objectHistory(`${prefix}${gz.name}`);
    expect(history).toEqual([
      expect.objectContaining({
        runId,
        stageId: 'source',
        from: `landing/bench_tests/${gz.name}`,
        bytes: gz.bytes,
        sha256: gz.sha256,
      }),
    ]);
    const manifest = JSON.parse(
      (await readAll(await store.get(lakePrefixes.manifest(runId, 'source')))).toString(),
    );
    expect(manifest).toMatchObject({
      runId,
      stageId: 'source',
      stageType: 'sourcing',
      counts: { files: 4, duplicates: 0, skipped: 0 },
    });
    expect(manifest.outputs).toContainEqual({
      key: `${prefix}${gz.name}`,
      bytes: gz.bytes,
      sha256: gz.sha256,
    });
  });

  it('lands nothing new on a second run and says which run has each file', async () => {
    // Arrange
    const { store } = await freshFolderLake();
    const ledger = await freshLedger();
    const { dir } = await generatedFiles(200, 2);
    await land(store, dir);
    const firstRun = nextRunId();
    await ingestSources({ runId: firstRun, stageId: 'source', sources: LANDING, store, ledger });
    const secondRun = nextRunId();

    // Act
    const result = await ingestSources({
      runId: secondRun,
      stageId: 'source',
      sources: LANDING,
      store,
      ledger,
    });

    // Assert
    expect(result).toMatchObject({ files: 0, bytes: 0, duplicates: 2, skipped: 0 });
    expect(result.details.map((d) => d.message)).toEqual([
      `already ingested by run ${firstRun} as ${lakePrefixes.raw('bench_tests', runIdDate(firstRun), firstRun)}bench_tests_2026-11-01.csv`,
      `already ingested by run ${firstRun} as ${lakePrefixes.raw('bench_tests', runIdDate(firstRun), firstRun)}bench_tests_2026-11-02.csv.gz`,
    ]);
    expect(await keysUnder(store, lakePrefixes.raw('bench_tests', runIdDate(secondRun), secondRun))).toEqual(
      [],
    );
    const history = await ledger.objectHistory('landing/bench_tests/bench_tests_2026-11-01.csv');
    expect(history.map((m) => [m.runId, m.to])).toEqual(
      expect.arrayContaining([[secondRun, lakePrefixes.manifest(secondRun, 'source')]]),
    );
  });

  it('keeps one copy when the same run is ingested twice (a retried stage) and reports the same counts', async () => {
    // Arrange
    const { store } = await freshFolderLake();
    const ledger = await freshLedger();
    const { dir } = await generatedFiles(200, 2);
    await land(store, dir);
    const runId = nextRunId();
    const first = await ingestSources({ runId, stageId: 'source', sources: LANDING, store, ledger });

    // Act
    const again = await ingestSources({ runId, stageId: 'source', sources: LANDING, store, ledger });

    // Assert
    expect({ ...again, details: undefined }).toEqual({ ...first, details: undefined });
    expect(again.details.every((d) => d.alreadyLanded)).toBe(true);
    expect(await keysUnder(store, 'raw/')).toHaveLength(2);
  });

  it('lands the same bytes under two names once and counts the other as a duplicate', async () => {
    // Arrange
    const { store } = await freshFolderLake();
    const ledger = await freshLedger();
    await store.put('landing/bench_tests/a.csv', 'test_id\nT-000000001\n');
    await store.put('landing/bench_tests/copy-of-a.csv', 'test_id\nT-000000001\n');
    const runId = nextRunId();

    // Act
    const result = await ingestSources({ runId, stageId: 'source', sources: LANDING, store, ledger });

    // Assert
    expect(result).toMatchObject({ files: 1, duplicates: 1 });
    expect(result.details[1]).toMatchObject({
      status: 'duplicate',
      source: 'landing/bench_tests/copy-of-a.csv',
      message: `same bytes as ${lakePrefixes.rawObject('bench_tests', runIdDate(runId), runId, 'a.csv')}, landed earlier in this run`,
    });
    expect(await keysUnder(store, 'raw/')).toEqual([
      lakePrefixes.rawObject('bench_tests', runIdDate(runId), runId, 'a.csv'),
    ]);
  });

  it('skips an empty file and one over the size limit, quarantines a non-UTF-8 .csv and a fake .gz, each with its reason, and lands none of them', async () => {
    // Arrange
    const { store } = await freshFolderLake();
    const ledger = await freshLedger();
    await store.put('landing/bench_tests/empty.csv', '');
    await store.put(
      'landing/bench_tests/latin1.csv',
      Buffer.from('test_id,city\nT-000000001,K\xf6ln\n', 'latin1'),
    );
    await store.put('landing/bench_tests/fake.csv.gz', 'test_id\n');
    await store.put('landing/bench_tests/big.csv', `test_id\n${'T-000000001\n'.repeat(200)}`);
    await store.put('landing/bench_tests/good.csv', 'test_id\nT-000000002\n');
    const runId = nextRunId();

    // Act
    const result = await ingestSources({
      runId,
      stageId: 'source',
      sources: LANDING,
      store,
      ledger,
      maxBytes: 1000,
    });

    // Assert
    expect(result).toMatchObject({ files: 1, skipped: 2, quarantined: 2, duplicates: 0 });
    const byName = Object.fromEntries(result.details.map((d) => [d.name, d]));
    expect(byName['empty.csv']).toMatchObject({
      status: 'skipped',
      reason: 'empty',
      message: 'landing/bench_tests/empty.csv is empty (0 bytes)',
    });
    expect(byName['latin1.csv']).toMatchObject({ status: 'quarantined', reason: 'not_utf8' });
    expect(byName['latin1.csv']!.message).toMatch(/^landing\/bench_tests\/latin1\.csv is not valid UTF-8/);
    expect(byName['fake.csv.gz']).toMatchObject({
      status: 'quarantined',
      reason: 'not_gzip',
      message: `landing/bench_tests/fake.csv.gz is named .gz but is not gzip (no 1f 8b magic bytes); moved to ${lakePrefixes.quarantineObject('bench_tests', runId, 'fake.csv.gz')}`,
    });
    expect(byName['big.csv']).toMatchObject({
      reason: 'too_large',
      message: 'landing/bench_tests/big.csv is larger than the limit of 1000 bytes',
    });
    expect(await keysUnder(store, 'raw/')).toEqual([
      lakePrefixes.rawObject('bench_tests', runIdDate(runId), runId, 'good.csv'),
    ]);
    const manifestHistory = await ledger.objectHistory(lakePrefixes.manifest(runId, 'source'));
    expect(manifestHistory.map((m) => m.from).sort()).toEqual([
      'landing/bench_tests/big.csv',
      'landing/bench_tests/empty.csv',
    ]);
    expect((await keysUnder(store, 'quarantine/')).sort()).toEqual(
      ['fake.csv.gz', 'fake.csv.gz.reason.json', 'latin1.csv', 'latin1.csv.reason.json'].map((name) =>
        lakePrefixes.quarantineObject('bench_tests', runId, name),
      ),
    );
  });

  it('quarantines a binary file, a spreadsheet and a CSV with NUL bytes with their reasons, once across runs', async () => {
    // Arrange: what a team's own landing folder holds on a bad day
    const { store } = await freshFolderLake();
    const ledger = await freshLedger();
    const xlsx = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0xff, 0xfe]);
    await store.put('landing/bench_tests/binary.xlsx', xlsx);
    await store.put('landing/bench_tests/export.csv', Buffer.from('test_id\nT-1\u0000\u0000\n'));
    await store.put('landing/bench_tests/good.csv', 'test_id\nT-000000002\n');
    const first = nextRunId();
    const second = nextRunId();

    // Act
    const result = await ingestSources({ runId: first, stageId: 'source', sources: LANDING, store, ledger });
    const again = await ingestSources({ runId: second, stageId: 'source', sources: LANDING, store, ledger });

    // Assert
    expect(result).toMatchObject({ files: 1, quarantined: 2, skipped: 0 });
    const byName = Object.fromEntries(result.details.map((d) => [d.name, d]));
    const xlsxKey = lakePrefixes.quarantineObject('bench_tests', first, 'binary.xlsx');
    expect(byName['binary.xlsx']).toMatchObject({
      status: 'quarantined',
      reason: 'unsupported_format',
      quarantineKey: xlsxKey,
    });
    expect(byName['export.csv']).toMatchObject({ status: 'quarantined', reason: 'binary_content' });
    expect(byName['export.csv']!.message).toMatch(/holds binary data \(a NUL byte at offset 11\)/);
    expect((await readAll(await store.get(xlsxKey))).equals(xlsx)).toBe(true);
    const reason = JSON.parse((await readAll(await store.get(`${xlsxKey}.reason.json`))).toString());
    expect(reason).toMatchObject({
      source: 'landing/bench_tests/binary.xlsx',
      runId: first,
      reason: 'unsupported_format',
    });
    expect(await ledger.objectHistory(xlsxKey)).toEqual([
      expect.objectContaining({
        runId: first,
        from: 'landing/bench_tests/binary.xlsx',
        to: xlsxKey,
        bytes: xlsx.length,
      }),
    ]);
    expect(await keysUnder(store, 'raw/')).toEqual([
      lakePrefixes.rawObject('bench_tests', runIdDate(first), first, 'good.csv'),
    ]);
    // the second run neither lands nor quarantines them again
    expect(again).toMatchObject({ files: 0, quarantined: 0, duplicates: 3 });
    expect(await keysUnder(store, lakePrefixes.quarantine('bench_tests', second))).toEqual([]);
  });

  it('lands a local folder (directory kind) with the same results as the landing prefix', async () => {
    // Arrange
    const { dir } = await generatedFiles(300, 3);
    const viaPrefix = { ...(await freshFolderLake()), ledger: await freshLedger() };
    const viaFolder = { ...(await freshFolderLake()), ledger: await freshLedger() };
    await land(viaPrefix.store, dir);
    const runId = nextRunId();

    // Act
    const fromPrefix = await ingestSources({ runId, stageId: 'source', sources: LANDING, ...viaPrefix });
    const fromFolder = await ingestSources({
      runId,
      stageId: 'source',
      sources: { bench_tests: { type: 'directory', path: dir } },
      ...viaFolder,
    });

    // Assert
    const strip = (r: typeof fromPrefix) => ({ ...r, details: r.details.map(({ source: _s, ...d }) => d) });
    expect(strip(fromFolder)).toEqual(strip(fromPrefix));
    expect(fromFolder.files).toBe(3);
    expect(fromFolder.details[0]!.source).toBe(`file://${path.join(dir, 'bench_tests_2026-11-01.csv')}`);
  });

  it('lets a retry land a file whose claim succeeded but whose copy failed', async () => {
    // Arrange
    const { root } = await freshFolderLake();
    let failCopies = 1;
    const flaky = new (class extends FolderObjectStore {
      override async copy(from: string, to: string) {
        if (failCopies-- > 0) throw new Error('EIO: disk went away');
        return super.copy(from, to);
      }
    })(root);
    const ledger = await freshLedger();
    await flaky.put('landing/bench_tests/a.csv', 'test_id\nT-000000001\n');
    const runId = nextRunId();
    const rawKey = lakePrefixes.rawObject('bench_tests', runIdDate(runId), runId, 'a.csv');

    // Act
    const failed = await ingestSources({ runId, stageId: 'source', sources: LANDING, store: flaky, ledger });
    const retried = await ingestSources({ runId, stageId: 'source', sources: LANDING, store: flaky, ledger });

    // Assert
    expect(failed).toMatchObject({ files: 0, skipped: 1 });
    expect(failed.details[0]).toMatchObject({
      reason: 'copy_failed',
      message: `copying landing/bench_tests/a.csv to ${rawKey} failed: EIO: disk went away; its claim is released to the next attempt`,
    });
    expect(retried).toMatchObject({ files: 1, skipped: 0 });
    expect(await keysUnder(flaky, 'raw/')).toEqual([rawKey]);
  });

  it('lets a later run land a file an earlier run claimed but never copied', async () => {
    // Arrange
    const { root } = await freshFolderLake();
    let failCopies = 1;
    const flaky = new (class extends FolderObjectStore {
      override async copy(from: string, to: string) {
        if (failCopies-- > 0) throw new Error('EIO');
        return super.copy(from, to);
      }
    })(root);
    const ledger = await freshLedger();
    await flaky.put('landing/bench_tests/a.csv', 'test_id\nT-000000001\n');
    const firstRun = nextRunId();
    await ingestSources({ runId: firstRun, stageId: 'source', sources: LANDING, store: flaky, ledger });
    const secondRun = nextRunId();

    // Act
    const result = await ingestSources({
      runId: secondRun,
      stageId: 'source',
      sources: LANDING,
      store: flaky,
      ledger,
    });

    // Assert
    expect(result.details[0]).toMatchObject({
      status: 'ingested',
      rawKey: lakePrefixes.rawObject('bench_tests', runIdDate(secondRun), secondRun, 'a.csv'),
      message: `took over the claim of run ${firstRun}, whose copy never landed`,
    });
  });

  it('throws one configuration error naming every source that cannot be read, before landing anything', async () => {
    // Arrange
    const { store } = await freshFolderLake();
    const ledger = await freshLedger();
    await store.put('landing/bench_tests/a.csv', 'test_id\nT-000000001\n');
    const missing = path.join(tmpdir(), 'no-such-folder-for-sourcing');

    // Act
    const attempt = ingestSources({
      runId: nextRunId(),
      stageId: 'source',
      sources: {
        bench_tests: LANDING.bench_tests,
        from_disk: { type: 'directory', path: missing },
        partner: { type: 's3', prefix: 'drop/', bucket: 'partner-bucket' },
        looped: { type: 's3', prefix: 'raw/bench_tests/' },
      },
      store,
      ledger,
    });

    // Assert
    await expect(attempt).rejects.toThrow(SourcingConfigurationError);
    await expect(attempt).rejects.toThrow(
      [
        'sourcing cannot read its sources:',
        `  - dataset from_disk: source folder ${missing} does not exist`,
        '  - dataset partner: source bucket partner-bucket cannot be read here: only the lake is available (pass bucketStore)',
        "  - dataset looped: source prefix raw/bench_tests/ is inside the lake's own output; use landing/<dataset>/ or another bucket",
      ].join('\n'),
    );
    expect(await keysUnder(store, 'raw/')).toEqual([]);
  });

  it('succeeds with zero files when the source is empty, ignoring marker files', async () => {
    // Arrange
    const { store } = await freshFolderLake();
    const ledger = await freshLedger();
    const dir = await mkdtemp(path.join(tmpdir(), 'sourcing-empty-'));
    await mkdir(path.join(dir, '.hidden'));
    await writeFile(path.join(dir, '_generated.json'), '{}');
    await writeFile(path.join(dir, '_SUCCESS'), '');

    // Act
    const result = await ingestSources({
      runId: nextRunId(),
      stageId: 'source',
      sources: { bench_tests: { type: 'directory', path: dir } },
      store,
      ledger,
    });

    // Assert
    expect(result).toEqual({ files: 0, bytes: 0, duplicates: 0, skipped: 0, quarantined: 0, details: [] });
  });

  it('does not keep a copy of a landing file a writer replaced while it was being landed', async () => {
    // Arrange
    const { root } = await freshFolderLake();
    const racing = new (class extends FolderObjectStore {
      override async copy(from: string, to: string) {
        await new Promise((r) => setTimeout(r, 20)); // a later mtime for the rewrite
        await super.put(from, 'test_id\nT-000000099\n'); // another writer replaces the file mid-way
        return super.copy(from, to);
      }
    })(root);
    const ledger = await freshLedger();
    await racing.put('landing/bench_tests/a.csv', 'test_id\nT-000000001\n');

    // Act
    const result = await ingestSources({
      runId: nextRunId(),
      stageId: 'source',
      sources: LANDING,
      store: racing,
      ledger,
    });

    // Assert
    expect(result.details[0]).toMatchObject({
      status: 'skipped',
      reason: 'changed_while_reading',
      message:
        'landing/bench_tests/a.csv was replaced while it was being landed; the next run will pick it up',
    });
    expect(await keysUnder(racing, 'raw/')).toEqual([]);
  });
});
