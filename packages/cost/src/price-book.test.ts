import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PriceBookError } from './errors';
import { glueJobRun } from './formulas';
import { defaultPriceBook, entries, loadPriceBook, parsePriceBook } from './price-book';

function tmpFile(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'price-book-')), name);
  writeFileSync(file, text);
  return file;
}

describe('the shipped price book', () => {
  const book = defaultPriceBook();

  it('is versioned and dated, and covers us-east-1, eu-west-1 and eu-central-1', () => {
    expect(book.version).toMatch(/^\d{4}-\d{2}-\d{2}\.\d+$/);
    expect(book.version.startsWith(book.publishedAt)).toBe(true);
    expect(Object.keys(book.regions)).toEqual(['us-east-1', 'eu-west-1', 'eu-central-1']);
  });

  it('gives every entry an AWS pricing page, a date no later than the book and a confidence', () => {
    for (const [region, prices] of Object.entries(book.regions)) {
      const all = entries(prices);
      expect(all.length).toBeGreaterThan(60);
      for (const [field, entry] of all) {
        expect(entry.source, `${region}.${field}`).toMatch(
          /^https:\/\/aws\.amazon\.com\/[a-z0-9-]+\/pricing\//,
        );
        expect(entry.asOf <= book.publishedAt, `${region}.${field}`).toBe(true);
        expect(['confirmed', 'recalled', 'derived']).toContain(entry.confidence);
        if (entry.confidence === 'derived') expect(entry.note, `${region}.${field}`).toBeTruthy();
      }
    }
  });

  it('has the Glue worker types with their DPUs and the billing rules', () => {
    expect(book.rules.glueWorkerDpus).toMatchObject({
      'G.025X': 0.25,
      'G.1X': 1,
      'G.2X': 2,
      'G.4X': 4,
      'G.8X': 8,
    });
    expect(book.rules).toMatchObject({
      glueMinimumSeconds: 60,
      sagemakerMinimumSeconds: 0,
      lambdaDurationGranularityMs: 1,
      athenaMinimumBytesPerQuery: 10 * 1024 * 1024,
      hoursPerMonth: 730,
    });
  });

  it('prices the batch transform instance types a pipeline is most likely to use, in every region', () => {
    const types = [
      'ml.m5.large',
      'ml.m5.xlarge',
      'ml.m5.4xlarge',
      'ml.c5.2xlarge',
      'ml.m6i.xlarge',
      'ml.g4dn.xlarge',
    ];
    for (const prices of Object.values(book.regions)) {
      for (const type of types) expect(prices.sagemakerTransform[type]?.usd).toBeGreaterThan(0);
    }
  });
});

describe('--prices FILE', () => {
  it('replaces the shipped book with a JSON file of the same shape', () => {
    // Arrange
    const custom = structuredClone(defaultPriceBook());
    custom.regions['eu-west-1']!.glue.dpuHour.usd = 0.5;
    const file = tmpFile('prices.json', JSON.stringify(custom));

    // Act
    const line = glueJobRun(loadPriceBook(file), 'eu-west-1', {
      scope: 'etl',
      workerType: 'G.1X',
      workers: 2,
      seconds: 3600,
    });

    // Assert
    expect(line.usd).toBe(1);
  });

  it('names every invalid field of a price book, with the value', () => {
    // Arrange
    const bad = structuredClone(defaultPriceBook()) as unknown as {
      version: string;
      regions: Record<string, { glue: { dpuHour: { usd: number; asOf: string } } }>;
    };
    bad.version = 'latest';
    bad.regions['eu-west-1']!.glue.dpuHour.usd = -1;
    bad.regions['us-east-1']!.glue.dpuHour.asOf = '2099-01-01';

    // Act
    let error: PriceBookError | undefined;
    try {
      parsePriceBook(bad, 'prices.json');
    } catch (e) {
      error = e as PriceBookError;
    }

    // Assert
    expect(error?.name).toBe('PriceBookError');
    expect(error?.message).toBe(
      [
        'price book prices.json is not valid:',
        '  version: must be YYYY-MM-DD.N (got "latest")',
        '  regions.eu-west-1.glue.dpuHour.usd: must be 0 or more USD (got -1)',
      ].join('\n'),
    );
  });

  it('rejects an entry dated after the book', () => {
    const bad = structuredClone(defaultPriceBook());
    bad.regions['us-east-1']!.kms.keyMonth.asOf = '2099-01-01';

    expect(() => parsePriceBook(bad, 'prices.json')).toThrow(
      `regions.us-east-1.kms.keyMonth.asOf: must not be after publishedAt ${bad.publishedAt} (got 2099-01-01)`,
    );
  });

  it('says when the file is not JSON', () => {
    const file = tmpFile('prices.json', '{ nope');

    expect(() => loadPriceBook(file)).toThrow(
      /^price book .*prices\.json is not valid:\n {2}\(file\): cannot be read as JSON: /,
    );
  });
});
