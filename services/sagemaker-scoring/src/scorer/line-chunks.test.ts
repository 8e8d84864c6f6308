import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { countLineFeeds, lineAlignedChunks } from './line-chunks';

async function collect(pieces: string[], target: number): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of lineAlignedChunks(Readable.from(pieces.map((p) => Buffer.from(p))), target))
    chunks.push(chunk.toString());
  return chunks;
}

describe('lineAlignedChunks', () => {
  it('cuts only after a line feed and loses no byte', async () => {
    const chunks = await collect(['a,1\nb,', '2\nc,3\nd', ',4'], 6);

    expect(chunks.join('')).toBe('a,1\nb,2\nc,3\nd,4');
    for (const chunk of chunks.slice(0, -1)) expect(chunk.endsWith('\n')).toBe(true);
    expect(chunks.length).toBeGreaterThan(1);
  });

  it('keeps a line longer than the target whole', async () => {
    const chunks = await collect(['x'.repeat(10), 'y'.repeat(10), '\nz\n'], 4);

    expect(chunks).toEqual([`${'x'.repeat(10)}${'y'.repeat(10)}\nz\n`]);
  });

  it('counts line feeds, the offset of the next chunk', () => {
    expect(countLineFeeds(Buffer.from('a\nb\n\nc'))).toBe(3);
  });
});
