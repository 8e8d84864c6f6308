import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from './folder-object-store';
import { readAll } from './hashing';

async function newFolderStore() {
  return new FolderObjectStore(await mkdtemp(path.join(tmpdir(), 'lake-')));
}

describe('FolderObjectStore', () => {
  it('maps a key to a file under its folder for engines that read local files', async () => {
    // Arrange
    const store = await newFolderStore();

    // Act
    const file = store.pathOf('curated/ds/dt=2026-11-26/r-0.parquet');

    // Assert
    expect(file).toBe(path.join(store.location, 'curated/ds/dt=2026-11-26/r-0.parquet'));
  });

  it('keeps the old object and leaves no temp file when a body stream fails midway', async () => {
    // Arrange
    const store = await newFolderStore();
    await store.put('raw/ds/a.csv', 'old');
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('source connection reset'));
      },
    });

    // Act
    const put = store.put('raw/ds/a.csv', failing);

    // Assert
    await expect(put).rejects.toThrow('source connection reset');
    expect((await readAll(await store.get('raw/ds/a.csv'))).toString()).toBe('old');
    expect(await readdir(path.join(store.location, 'raw/ds'))).toEqual(['a.csv']);
  });

  it('lists in S3 byte order even where folder order differs (a-c before a/b)', async () => {
    // Arrange
    const store = await newFolderStore();
    for (const key of ['a/b', 'a-c', 'a/a/z']) await store.put(key, 'x');

    // Act
    const keys = (await store.list('a')).objects.map((o) => o.key);

    // Assert
    expect(keys).toEqual(['a-c', 'a/a/z', 'a/b']);
  });

  it('explains that a key cannot be both an object and a folder', async () => {
    // Arrange
    const store = await newFolderStore();
    await store.put('raw/ds/a', 'object');
    await store.put('raw/ds/b/c', 'object under a folder');

    // Act
    const underObject = store.put('raw/ds/a/x', 'y');
    const overFolder = store.put('raw/ds/b', 'y');

    // Assert
    await expect(underObject).rejects.toThrow(
      'object key "raw/ds/a/x" is malformed: it collides with an object or folder of the same name',
    );
    await expect(overFolder).rejects.toThrow('object key "raw/ds/b" is malformed: it collides with');
    expect((await store.list('raw/')).objects.map((o) => o.key)).toEqual(['raw/ds/a', 'raw/ds/b/c']);
  });

  it('rejects a continuation token it did not issue', async () => {
    // Arrange
    const store = await newFolderStore();

    // Act
    const listing = store.list('raw/', { continuationToken: 'not-a-token' });

    // Assert
    await expect(listing).rejects.toThrow(
      'continuation token "not-a-token" was not issued by this store: pass back the nextToken of the previous page',
    );
  });

  it('removes folders a delete leaves empty, but not the lake folder itself', async () => {
    // Arrange
    const store = await newFolderStore();
    await store.put('rejected/ds/run=20261126T064500Z-a1b2c3/part-0.parquet', 'x');

    // Act
    await store.deletePrefix('rejected/');

    // Assert
    expect(await readdir(store.location)).toEqual([]);
  });
});
