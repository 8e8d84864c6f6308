import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FolderObjectStore } from '@lakepipe/lake';
import { describe, expect, it } from 'vitest';
import { UnsupportedFileError } from '../../errors';
import { tempLake } from '../../test-support/lake';
import { deleteRunFiles, listRawFiles, publishFolder } from './lake-files';

const RUN = '20261126T020000Z-a1b2c3';
const RAW = `raw/bench_tests/dt=2026-11-26/run=${RUN}/`;

function write(root: string, relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  writeFileSync(path.join(root, relative), text);
}

describe('the DuckDB engine on the folder lake', () => {
  it("lists the run's raw files in key order, leaving out a temp file a crashed writer left behind", async () => {
    // Arrange
    const lake = tempLake();
    write(lake, `${RAW}b.csv.gz`, 'x');
    write(lake, `${RAW}a.csv`, 'x');
    write(lake, `${RAW}.a.csv.0a1b2c.lakepipe-tmp`, 'half');

    // Act
    const files = await listRawFiles(new FolderObjectStore(lake), RAW);

    // Assert
    expect(files).toEqual([`${RAW}a.csv`, `${RAW}b.csv.gz`]);
  });

  it('refuses a raw file the ETL cannot read, naming it', async () => {
    // Arrange
    const lake = tempLake();
    write(lake, `${RAW}a.csv`, 'x');
    write(lake, `${RAW}sheet.xlsx`, 'x');

    // Act
    const listing = listRawFiles(new FolderObjectStore(lake), RAW);

    // Assert
    await expect(listing).rejects.toThrow(UnsupportedFileError);
    await expect(listing).rejects.toThrow(`raw file ${RAW}sheet.xlsx has an unsupported extension`);
  });

  it('publishes a work folder under a prefix with the bytes and sha256 of every file, leaving no temp file', async () => {
    // Arrange
    const lake = tempLake();
    const work = path.join(lake, '_tmp', 'etl', 'w', 'curated');
    write(work, 'dt=2026-11-26/r-0.parquet', 'parquet bytes');

    // Act
    const written = await publishFolder(new FolderObjectStore(lake), work, 'curated/bench_tests/');

    // Assert
    expect(written).toEqual([
      {
        key: 'curated/bench_tests/dt=2026-11-26/r-0.parquet',
        bytes: 13,
        sha256: createHash('sha256').update('parquet bytes').digest('hex'),
      },
    ]);
    expect(readdirSync(path.join(lake, 'curated/bench_tests/dt=2026-11-26'))).toEqual(['r-0.parquet']);
  });

  it("deletes only the run's own curated files, in every partition", async () => {
    // Arrange
    const lake = tempLake();
    write(lake, `curated/bench_tests/dt=2026-11-25/${RUN}-0.parquet`, 'x');
    write(lake, `curated/bench_tests/dt=2026-11-26/${RUN}-1.parquet`, 'x');
    write(lake, 'curated/bench_tests/dt=2026-11-26/20261125T020000Z-ffffff-0.parquet', 'x');
    const store = new FolderObjectStore(lake);

    // Act
    await deleteRunFiles(store, 'curated/bench_tests/', RUN);

    // Assert
    const left: string[] = [];
    for await (const { key } of store.listAll('curated/')) left.push(key);
    expect(left).toEqual(['curated/bench_tests/dt=2026-11-26/20261125T020000Z-ffffff-0.parquet']);
  });
});
