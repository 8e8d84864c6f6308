import { describe, expect, it } from 'vitest';
import { parseFeaturesCsv, parseNumber } from './features-csv';

const bytes = (text: string) => Buffer.from(text);

describe('parseFeaturesCsv', () => {
  it('reads every field of fuzzed rows as parseNumber does, fast path or not, and rejects the same rows', () => {
    // Arrange: fields from pieces that take the one-pass path (short plain decimals, empty) and
    // pieces that leave it (signs, exponents, many digits, leading dots, text)
    let seed = 42;
    const pick = <T>(items: readonly T[]) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return items[seed % items.length]!;
    };
    const pieces = [
      '',
      '0',
      '-0',
      '7',
      '12.5',
      '-3.25',
      '0.1',
      '.5',
      '5.',
      '-.75',
      '123456789012345',
      '1234567890123456',
      '0.000000000000000001',
      '99999999999999.9',
      '1e3',
      '-2.5E-4',
      '+8',
      '1e400',
      '-',
      '.',
      'x1',
      '1,5',
      '3.4028236e38',
      '00012.50',
    ];
    const lines = Array.from(
      { length: 4000 },
      (_, i) => [`id${i}`, pick(pieces), pick(pieces), pick(pieces)].join(',') + pick(['\n', '\r\n']),
    );
    const text = lines.join('');

    // Act
    const batch = parseFeaturesCsv(bytes(text), 3, 'fuzz.csv');

    // Assert: the good rows' values, field by field, are parseNumber's, rounded to float32
    const expected: number[] = [];
    let rejectedLines = 0;
    for (const line of lines) {
      const fields = line
        .replace(/\r?\n$/, '')
        .split(',')
        .slice(1);
      const parsed = fields.map((f) => parseNumber(bytes(f), 0, f.length));
      if (fields.length !== 3 || parsed.some((v) => v === undefined)) rejectedLines++;
      else expected.push(...parsed.map((v) => Math.fround(v!)));
    }
    expect(batch.rejected.length).toBe(rejectedLines);
    expect(batch.rows).toBe(lines.length - rejectedLines);
    expect(Array.from(batch.values)).toEqual(expected);
  });

  it('reads ids verbatim, numbers as float32 and empty fields as missing', () => {
    // Act
    const batch = parseFeaturesCsv(bytes('a,1.5,,-2e3\r\n"b,c",0.1,7,\n'), 3, 'f.csv');

    // Assert
    expect(batch.rows).toBe(2);
    expect(Array.from(batch.values)).toEqual([1.5, Number.NaN, -2000, Math.fround(0.1), 7, Number.NaN]);
    const ids = [0, 1].map((r) =>
      Buffer.from(batch.bytes).toString('utf8', batch.idStart[r], batch.idEnd[r]),
    );
    expect(ids).toEqual(['a', '"b,c"']);
    expect(batch.rejected).toEqual([]);
  });

  it('rejects text in a number with the file, line, column and value, and keeps the good rows', () => {
    // Act
    const batch = parseFeaturesCsv(bytes('a,1,2\nb,1,NaN\nc,3,4\n'), 2, 'features/part-0.csv');

    // Assert
    expect(batch.rows).toBe(2);
    expect(Array.from(batch.values)).toEqual([1, 2, 3, 4]);
    expect(batch.rejected).toEqual([
      {
        file: 'features/part-0.csv',
        line: 2,
        column: 3,
        rule: 'number',
        reason: 'column 3 (feature 2) is "NaN", which is not a number',
        rawValue: 'NaN',
        rawRecord: 'b,1,NaN',
      },
    ]);
  });

  it('rejects rows with too few or too many columns', () => {
    // Act
    const batch = parseFeaturesCsv(bytes('a,1\nb,1,2,3\nlonely\n'), 2, 'f.csv');

    // Assert
    expect(batch.rows).toBe(0);
    expect(batch.rejected.map((r) => [r.line, r.rule, r.reason])).toEqual([
      [1, 'column_count', 'has 2 columns; expected 3 (the id and 2 features)'],
      [2, 'column_count', 'has 4 columns; expected 3 (the id and 2 features)'],
      [3, 'column_count', 'has 1 column; expected 3 (the id and 2 features)'],
    ]);
  });

  it('skips blank lines but counts them in line numbers', () => {
    // Act
    const batch = parseFeaturesCsv(bytes('a,1\n\nb,x\n'), 1, 'f.csv');

    // Assert
    expect(batch.rows).toBe(1);
    expect(batch.rejected[0]?.line).toBe(3);
  });
});

describe('parseNumber', () => {
  const parse = (text: string) => parseNumber(bytes(text), 0, text.length);

  it('parses exactly like Number() for decimal forms, on the fast path and off it', () => {
    // Arrange
    const samples = [
      '0',
      '-0.5',
      '+3',
      '1e-7',
      '2.5E+3',
      '.5',
      '5.',
      '123456789012345',
      '0.1234567890123456789',
      '9007199254740993',
      '1e300',
      '4.9e-324',
      '-41.66',
      '101.325',
    ];

    // Act / Assert
    for (const s of samples) expect(parse(s)).toBe(Number(s));
  });

  it('refuses anything that is not a decimal number', () => {
    // Act / Assert
    for (const s of [
      'abc',
      '1.2.3',
      '--1',
      '1e',
      'e5',
      '0x10',
      'Infinity',
      'NaN',
      ' 1',
      '1 ',
      '-',
      '.',
      '"1"',
    ])
      expect(parse(s), s).toBeUndefined();
  });

  it('reads an empty field as missing', () => {
    // Act / Assert
    expect(parse('')).toBeNaN();
  });
});
