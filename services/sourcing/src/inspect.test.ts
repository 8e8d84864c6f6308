import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { FileInspector } from './inspect';

async function inspectChunks(name: string, chunks: Buffer[], maxBytes = 1_000_000) {
  const inspector = new FileInspector(name, maxBytes);
  const sink = new Writable({ write: (_c, _e, done) => done() });
  try {
    await pipeline(Readable.from(chunks), inspector, sink);
    return { ok: true as const, bytes: inspector.bytes, sha256: inspector.digest() };
  } catch {
    return { ok: false as const, failure: inspector.failure };
  }
}

describe('FileInspector', () => {
  it('accepts UTF-8 characters split across chunks at every byte position', async () => {
    // Arrange
    const text = Buffer.from('id,city\n1,Köln 東京 🚀\n');

    // Act
    const results = await Promise.all(
      Array.from({ length: text.length - 1 }, (_, cut) =>
        inspectChunks('cities.csv', [text.subarray(0, cut + 1), text.subarray(cut + 1)]),
      ),
    );

    // Assert
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('rejects a Latin-1 byte, a character cut off at the end and a stray continuation byte', async () => {
    // Arrange
    const latin1 = Buffer.from('id,city\n1,K\xf6ln\n', 'latin1');
    const truncated = Buffer.from('id\n東').subarray(0, 4);
    const stray = Buffer.from([0x61, 0x80, 0x62]);

    // Act
    const results = await Promise.all([
      inspectChunks('a.csv', [latin1]),
      inspectChunks('b.jsonl', [truncated]),
      inspectChunks('c.csv', [stray]),
    ]);

    // Assert
    expect(results.map((r) => (r.ok ? 'ok' : r.failure?.reason))).toEqual([
      'not_utf8',
      'not_utf8',
      'not_utf8',
    ]);
    expect(results[0]!.ok ? '' : results[0]!.failure!.message).toBe(
      'a.csv is not valid UTF-8 (in the bytes from offset 0)',
    );
  });

  it('does not check the encoding of binary names and checks the gzip magic of .gz names', async () => {
    // Arrange
    const binary = Buffer.from([0xff, 0xfe, 0x00]);

    // Act
    const parquet = await inspectChunks('part-0.parquet', [binary]);
    const fakeGzip = await inspectChunks('day.csv.gz', [Buffer.from([0x1f]), Buffer.from([0x00, 0x01])]);
    const realGzip = await inspectChunks('day.csv.gz', [Buffer.from([0x1f]), Buffer.from([0x8b, 0x08])]);

    // Assert
    expect(parquet).toMatchObject({ ok: true, bytes: 3 });
    expect(fakeGzip.ok ? 'ok' : fakeGzip.failure?.reason).toBe('not_gzip');
    expect(realGzip.ok).toBe(true);
  });

  it('hashes the bytes with sha256 and stops at the first chunk over the limit', async () => {
    // Arrange
    const chunks = [Buffer.from('abc'), Buffer.from('def')];

    // Act
    const within = await inspectChunks('x.txt', chunks, 6);
    const over = await inspectChunks('x.txt', chunks, 5);

    // Assert
    expect(within).toMatchObject({
      ok: true,
      bytes: 6,
      sha256: 'bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721',
    });
    expect(over.ok ? '' : over.failure!.message).toBe('x.txt is larger than the limit of 5 bytes');
  });
});
