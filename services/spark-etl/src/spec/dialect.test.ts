import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { DECIMAL_TEXT, DOUBLE_TEXT } from './compile';
import { duckdbDialect } from './dialect';

/** Every text of up to `length` characters from `alphabet` that DuckDB's guard and the shape regex judge differently. */
async function disagreements(
  length: number,
  alphabet: readonly string[],
  guard: string,
  shape: string,
  cast: string,
) {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    const letters = `(SELECT unnest([${['', ...alphabet].map((c) => `'${c}'`).join(', ')}]) AS c)`;
    const names = Array.from({ length }, (_, i) => `a${i}`);
    await db.run(
      `CREATE TABLE texts AS SELECT DISTINCT ${names.map((n) => `${n}.c`).join(' || ')} AS v FROM ${names.map((n) => `${letters} ${n}`).join(', ')}`,
    );
    const accepted = (check: string) => `(${check} AND TRY_CAST(v AS ${cast}) IS NOT NULL)`;
    const rows = await db.runAndReadAll(
      `SELECT v FROM texts WHERE v <> '' AND ${accepted(duckdbDialect.matches('v', shape))} IS DISTINCT FROM ${accepted(guard)} ORDER BY v`,
    );
    return rows.getRowObjectsJson().map((r) => r.v);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

describe('duckdbDialect', () => {
  it('accepts exactly the double shape with its cheap guard and TRY_CAST, for every text of up to 6 number characters', async () => {
    // Act
    const differ = await disagreements(
      6,
      ['0', '1', '.', 'e', 'E', '+', '-'],
      duckdbDialect.numberShape('v', 'double', DOUBLE_TEXT),
      DOUBLE_TEXT,
      'DOUBLE',
    );

    // Assert
    expect(differ).toEqual([]);
  });

  it('accepts exactly the decimal shape with its cheap guard and TRY_CAST, for every text of up to 6 number characters', async () => {
    // Act
    const differ = await disagreements(
      6,
      ['0', '1', '.', '+', '-'],
      duckdbDialect.numberShape('v', 'decimal', DECIMAL_TEXT),
      DECIMAL_TEXT,
      'DECIMAL(12,3)',
    );

    // Assert
    expect(differ).toEqual([]);
  });

  it('tells blank lines (empty or only spaces; NBSP and TAB are text) from others without trimming every line', async () => {
    // Arrange
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    const lines = ['', ' ', '   ', '\u00a0', 'a', ' a', '\ta', '{"a":1}', ',,,', 'é'];

    // Act
    const rows = await db.runAndReadAll(
      `SELECT v, ${duckdbDialect.notBlank('v')} AS fast, trim(v, ' ') <> '' AS slow FROM (SELECT unnest([${lines.map((l) => duckdbDialect.str(l)).join(', ')}]) AS v)`,
    );
    db.closeSync();
    instance.closeSync();

    // Assert
    const judged = rows.getRowObjectsJson();
    expect(judged.map((r) => r.fast)).toEqual(judged.map((r) => r.slow));
    expect(judged.filter((r) => r.fast).map((r) => r.v)).toEqual([
      '\u00a0',
      'a',
      ' a',
      '\ta',
      '{"a":1}',
      ',,,',
      'é',
    ]);
  });
});
