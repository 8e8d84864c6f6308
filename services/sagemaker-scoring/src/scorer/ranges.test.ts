import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { featuresCsvCode } from './features-csv';
import { outputCode } from './output';
import { rangeWorkerSource } from './ranges';
import { readFeaturesFile, scoreFeatures } from './score-features';
import { Scorer } from './scorer';
import { fixturesRoot, readReference, shippedModelDir } from './test-support';

/** The reference rows with broken, blank, quoted and CRLF lines mixed in. */
function messyFile(featuresCsv: string): string {
  const lines = featuresCsv.trimEnd().split('\n');
  return lines
    .map((line, i) => {
      if (i % 97 === 5) return `bad-${i},1,2\n`; // too few columns
      if (i % 89 === 7) return `${line.replace(/,[^,]*$/, ',oops')}\n`; // text in a number
      if (i % 83 === 11) return `\n${line}\r\n`; // a blank line, then CRLF
      if (i % 79 === 13) return `"q,${i}"${line.slice(line.indexOf(','))}\n`; // a quoted id with a comma
      return `${line}\n`;
    })
    .join('')
    .replace(/\n$/, ''); // no line feed at the end
}

describe('scoring a file in ranges of lines, one per thread', () => {
  for (const dir of [shippedModelDir, path.join(fixturesRoot, 'multi-softprob')]) {
    it(`writes the same bytes, counts and rejected lines as one thread for ${path.basename(dir)}`, async () => {
      // Arrange
      const text = messyFile(readReference(dir).featuresCsv);
      const scorer = await Scorer.load(path.join(dir, 'xgboost-model.json'));

      // Act
      const one = await scoreFeatures(scorer, Buffer.from(text), { file: 'f.csv', threads: 1 });
      const three = await scoreFeatures(scorer, Buffer.from(text), { file: 'f.csv', threads: 3 });
      const ranges = await scorer.scoreCsvRanges(Buffer.from(text), {
        file: 'f.csv',
        threshold: 0.5,
        threads: 3,
      });
      await scorer.close();

      // Assert
      expect(ranges).toHaveLength(3); // the three-thread call took the range path
      expect(three.output.equals(one.output)).toBe(true);
      expect(three.scoredRows).toBe(one.scoredRows);
      expect(three.flaggedRows).toBe(one.flaggedRows);
      expect(three.rejected).toEqual(one.rejected);
      expect(one.rejected.map((r) => r.line).slice(0, 2)).toEqual([6, 8]);
      expect(one.output.toString('utf8')).toContain('"q,13",');
    });
  }

  it('gives a file of fewer lines than threads to as many threads as it has rows', async () => {
    // Arrange
    const scorer = await Scorer.load(path.join(shippedModelDir, 'xgboost-model.json'));
    const text = readReference(shippedModelDir).featuresCsv.split('\n').slice(0, 2).join('\n');

    // Act
    const one = await scoreFeatures(scorer, Buffer.from(text), { file: 'f.csv', threads: 1 });
    const many = await scoreFeatures(scorer, Buffer.from(text), { file: 'f.csv', threads: 8 });
    await scorer.close();

    // Assert
    expect(many.output.equals(one.output)).toBe(true);
    expect(many.scoredRows).toBe(2);
  });

  it('hands workers code that needs nothing outside itself', () => {
    // Act: evaluated with no module scope, as a worker evaluates it
    const evaluate = new Function(`${rangeWorkerSource()}\nreturn { rangeCode, scoreRange };`);
    const { rangeCode } = evaluate() as {
      rangeCode: ReturnType<typeof featuresCsvCode> & ReturnType<typeof outputCode>;
    };

    // Assert
    expect(Array.from(rangeCode.parseFeaturesCsv(Buffer.from('a,1.5,\n'), 2, 'f.csv').values)).toEqual([
      1.5,
      Number.NaN,
    ]);
    expect(rangeCode.formatScore(Math.fround(0.1))).toBe(outputCode().formatScore(Math.fround(0.1)));
  });

  it('runs its workers from sources compiled by tsx too (esbuild keeps function names there)', () => {
    // Arrange
    const dir = mkdtempSync(path.join(tmpdir(), 'ranges-'));
    const input = path.join(dir, 'f.csv');
    writeFileSync(input, messyFile(readReference(shippedModelDir).featuresCsv));
    const here = path.dirname(fileURLToPath(import.meta.url));
    const script = [
      `import { readFileSync } from 'node:fs';`,
      `import { Scorer } from '${path.join(here, 'scorer.ts')}';`,
      `import { scoreFeatures } from '${path.join(here, 'score-features.ts')}';`,
      `const scorer = await Scorer.load('${path.join(shippedModelDir, 'xgboost-model.json')}');`,
      `const bytes = readFileSync('${input}');`,
      `const ranges = await scorer.scoreCsvRanges(bytes, { file: 'f.csv', threshold: 0.5, threads: 2 });`,
      `const one = await scoreFeatures(scorer, bytes, { file: 'f.csv', threads: 1 });`,
      `process.stdout.write(JSON.stringify({ ranges: ranges.length, same: Buffer.concat(ranges.map((r) => r.output)).equals(one.output) }));`,
    ].join('\n');

    writeFileSync(path.join(dir, 'run.mts'), script);

    // Act
    const printed = execFileSync(process.execPath, ['--import', 'tsx', path.join(dir, 'run.mts')], {
      encoding: 'utf8',
    });

    // Assert
    expect(JSON.parse(printed)).toEqual({ ranges: 2, same: true });
  });

  it('reads a file onto shared memory in pieces, byte for byte, and an empty one as no bytes', async () => {
    // Arrange: 10 MiB and a few bytes: three pieces read at once, the last one short
    const dir = mkdtempSync(path.join(tmpdir(), 'read-'));
    const big = path.join(dir, 'big.csv');
    const empty = path.join(dir, 'empty.csv');
    const bytes = Buffer.alloc(10 * 1024 * 1024 + 5);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251;
    writeFileSync(big, bytes);
    writeFileSync(empty, '');

    // Act
    const read = await readFeaturesFile(big);
    const none = await readFeaturesFile(empty);

    // Assert
    expect(read.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(read).equals(readFileSync(big))).toBe(true);
    expect(none.length).toBe(0);
  });
});
