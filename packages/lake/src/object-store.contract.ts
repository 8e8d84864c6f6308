import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InvalidObjectKeyError, ObjectNotFoundError } from './errors';
import { readAll } from './hashing';
import type { ObjectStore } from './object-store';

/**
 * The behaviour every ObjectStore must have. Each test gets a fresh, empty store from
 * `newStore` (its own bucket or folder), so the suite runs in parallel with others.
 */
export function objectStoreContract(name: string, newStore: () => Promise<ObjectStore>): void {
  describe(`${name} (object store contract)`, () => {
    it('returns the bytes and sha256 of what it stored', async () => {
      // Arrange
      const store = await newStore();
      const body = 'id,value\n1,2\n';

      // Act
      const put = await store.put('raw/ds/a.csv', body);
      const back = await readAll(await store.get('raw/ds/a.csv'));

      // Assert
      expect(put).toEqual({ key: 'raw/ds/a.csv', bytes: 13, sha256: sha256(body) });
      expect(back.toString()).toBe(body);
    });

    it('streams a body larger than one part and hashes it on the way', async () => {
      // Arrange
      const store = await newStore();
      const chunk = Buffer.alloc(1024 * 1024, 7);
      const chunks = Array.from({ length: 12 }, (_, i) => Buffer.concat([chunk, Buffer.from([i])]));
      const whole = Buffer.concat(chunks);

      // Act
      const put = await store.put('raw/ds/big.bin', Readable.from(chunks));
      const head = await store.head('raw/ds/big.bin');
      const back = await readAll(await store.get('raw/ds/big.bin'));

      // Assert
      expect(put.bytes).toBe(whole.length);
      expect(put.sha256).toBe(sha256(whole));
      expect(head?.bytes).toBe(whole.length);
      expect(sha256(back)).toBe(sha256(whole));
    });

    it('accepts a Uint8Array body', async () => {
      // Arrange
      const store = await newStore();
      const bytes = new Uint8Array([1, 2, 3, 250]);

      // Act
      const put = await store.put('scored/ds/x.bin', bytes);

      // Assert
      expect(put.bytes).toBe(4);
      expect([...(await readAll(await store.get('scored/ds/x.bin')))]).toEqual([1, 2, 3, 250]);
    });

    it('replaces an existing object on put', async () => {
      // Arrange
      const store = await newStore();
      await store.put('k/a.txt', 'old contents');

      // Act
      await store.put('k/a.txt', 'new');

      // Assert
      expect((await readAll(await store.get('k/a.txt'))).toString()).toBe('new');
      expect((await store.head('k/a.txt'))?.bytes).toBe(3);
    });

    it('reads a byte range, inclusive at both ends, or open-ended', async () => {
      // Arrange
      const store = await newStore();
      await store.put('k/r.txt', '0123456789');

      // Act
      const middle = await readAll(await store.get('k/r.txt', { start: 2, end: 5 }));
      const tail = await readAll(await store.get('k/r.txt', { start: 7 }));

      // Assert
      expect(middle.toString()).toBe('2345');
      expect(tail.toString()).toBe('789');
    });

    it('reports a missing key as ObjectNotFoundError on get and copy, undefined on head', async () => {
      // Arrange
      const store = await newStore();

      // Act / Assert
      await expect(store.get('raw/ds/missing.csv')).rejects.toThrow(ObjectNotFoundError);
      await expect(store.get('raw/ds/missing.csv')).rejects.toThrow(
        /no object at .*\/raw\/ds\/missing\.csv$/,
      );
      await expect(store.copy('raw/ds/missing.csv', 'raw/ds/b.csv')).rejects.toThrow(ObjectNotFoundError);
      expect(await store.head('raw/ds/missing.csv')).toBeUndefined();
    });

    it('rejects keys that walk out of their prefix', async () => {
      // Arrange
      const store = await newStore();

      // Act / Assert
      await expect(store.put('raw/../../etc/passwd', 'x')).rejects.toThrow(InvalidObjectKeyError);
      await expect(store.put('raw/../../etc/passwd', 'x')).rejects.toThrow(
        'object key "raw/../../etc/passwd" is malformed: segment ".." would leave its prefix',
      );
      await expect(store.get('/etc/passwd')).rejects.toThrow(
        'object key "/etc/passwd" is malformed: it starts with /',
      );
      await expect(store.put('raw/ds/', 'x')).rejects.toThrow('it ends with / (a folder, not an object)');
    });

    it('lists keys under a prefix in byte order, page by page', async () => {
      // Arrange
      const store = await newStore();
      // (s3rver walks folders, so keys like `a-c` beside `a/` list out of S3's byte order there.)
      const keys = ['a/b', 'a_c', 'a/a/z', 'a/c', 'b/x', 'a/B', 'a/b2'];
      for (const key of keys) await store.put(key, key);

      // Act
      const first = await store.list('a', { pageSize: 3 });
      const second = await store.list('a', { pageSize: 3, continuationToken: first.nextToken });
      const all: string[] = [];
      for await (const o of store.listAll('a/')) all.push(o.key);

      // Assert
      expect(first.objects.map((o) => o.key)).toEqual(['a/B', 'a/a/z', 'a/b']);
      expect(first.nextToken).toBeTypeOf('string');
      expect(second.objects.map((o) => o.key)).toEqual(['a/b2', 'a/c', 'a_c']);
      expect(second.nextToken).toBeUndefined();
      expect(all).toEqual(['a/B', 'a/a/z', 'a/b', 'a/b2', 'a/c']);
      expect(first.objects[0]).toMatchObject({ key: 'a/B', bytes: 3 });
      expect(first.objects[0]?.lastModified).toBeInstanceOf(Date);
    });

    it('lists a key-prefix that stops mid-name and an empty prefix', async () => {
      // Arrange
      const store = await newStore();
      for (const key of ['raw/ds/dt=2026-11-26/run=1/f.csv', 'raw/ds2/x', 'rawx']) await store.put(key, '1');

      // Act
      const ds = (await store.list('raw/ds')).objects.map((o) => o.key);
      const everything = (await store.list('')).objects.map((o) => o.key);
      const none = await store.list('curated/');

      // Assert
      expect(ds).toEqual(['raw/ds/dt=2026-11-26/run=1/f.csv', 'raw/ds2/x']);
      expect(everything).toEqual(['raw/ds/dt=2026-11-26/run=1/f.csv', 'raw/ds2/x', 'rawx']);
      expect(none).toEqual({ objects: [] });
    });

    it('copies an object inside the store', async () => {
      // Arrange
      const store = await newStore();
      await store.put('landing/ds/in file.csv', 'payload');

      // Act
      await store.copy('landing/ds/in file.csv', 'raw/ds/dt=2026-11-26/in file.csv');

      // Assert
      expect((await readAll(await store.get('raw/ds/dt=2026-11-26/in file.csv'))).toString()).toBe('payload');
      expect(await store.head('landing/ds/in file.csv')).toBeDefined();
    });

    it('deletes one key, and a missing key without complaint', async () => {
      // Arrange
      const store = await newStore();
      await store.put('k/one', '1');
      await store.put('k/two', '2');

      // Act
      await store.delete('k/one');
      await store.delete('k/never-was');

      // Assert
      expect((await store.list('k/')).objects.map((o) => o.key)).toEqual(['k/two']);
    });

    it('deletes every key under a prefix and counts them', async () => {
      // Arrange
      const store = await newStore();
      for (let i = 0; i < 5; i++) await store.put(`curated/ds/dt=2026-11-26/r-${i}.parquet`, 'x');
      await store.put('curated/ds2/keep.parquet', 'x');

      // Act
      const deleted = await store.deletePrefix('curated/ds/');

      // Assert
      expect(deleted).toBe(5);
      expect((await store.list('curated/')).objects.map((o) => o.key)).toEqual(['curated/ds2/keep.parquet']);
    });
  });
}

function sha256(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}
