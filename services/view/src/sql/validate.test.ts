import { describe, expect, it } from 'vitest';
import { UnknownRelationError, ViewSqlError } from '../errors';
import { validateViewSql } from './validate';

const known = new Set(['curated_bench_tests', 'bench_tests_latest']);

function messageOf(sql: string): string {
  try {
    validateViewSql('my_view', sql, { knownRelations: known });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${sql} to be rejected`);
}

describe('validateViewSql', () => {
  it('accepts the portable subset and returns the relations read, CTE names excluded', () => {
    // Arrange
    const sql = `
      WITH per_day AS (
        SELECT dt, COUNT(*) AS n, EXTRACT(YEAR FROM started_at) AS y FROM curated_bench_tests GROUP BY dt, 3
      )
      SELECT p.dt, p.n, l.score IS DISTINCT FROM NULL AS has_score,
             date_trunc('month', l.started_at) + INTERVAL '1' DAY AS next_month,
             CAST(l.error_count AS DOUBLE) / NULLIF(p.n, 0) AS ratio
      FROM per_day AS p
      LEFT JOIN bench_tests_latest l ON l.dt = p.dt;`;
    // Act
    const result = validateViewSql('my_view', sql, { knownRelations: known });
    // Assert
    expect(result.relations.map((r) => r.name)).toEqual(['curated_bench_tests', 'bench_tests_latest']);
    expect(result.sql.endsWith('ON l.dt = p.dt')).toBe(true);
  });

  it.each([
    [
      'SELECT test_id::varchar FROM curated_bench_tests',
      '"::" at line 1, column 15: is a DuckDB/PostgreSQL cast; use CAST(x AS type)',
    ],
    [
      "SELECT strftime(started_at, '%Y') FROM curated_bench_tests",
      '"strftime" at line 1, column 8: function strftime is DuckDB-only',
    ],
    [
      "SELECT * FROM curated_bench_tests WHERE bench_id ILIKE 'b%'",
      '"ILIKE" at line 1, column 50: is DuckDB-only',
    ],
    [
      'SELECT * FROM curated_bench_tests QUALIFY row_number() OVER () = 1',
      '"QUALIFY" at line 1, column 35: is DuckDB-only',
    ],
    [
      'SELECT list_value(1, 2) FROM curated_bench_tests',
      '"list_value" at line 1, column 8: function list_value is not in the subset',
    ],
    [
      "SELECT date_format(started_at, '%Y') FROM curated_bench_tests",
      'function date_format is Trino-only (Athena)',
    ],
    [
      'SELECT approx_percentile(score, 0.5) FROM bench_tests_latest',
      'function approx_percentile is Trino-only (Athena)',
    ],
    [
      'SELECT TRY(CAST(bench_id AS INTEGER)) FROM curated_bench_tests',
      '"TRY" at line 1, column 8: function try is Trino-only (Athena); use TRY_CAST',
    ],
    ['SELECT * EXCLUDE (dt) FROM curated_bench_tests', 'SELECT * EXCLUDE is DuckDB-only'],
    ['SELECT dt, COUNT(*) FROM curated_bench_tests GROUP BY ALL', 'GROUP BY ALL is DuckDB-only'],
    ["SELECT started_at + INTERVAL '1 day' FROM curated_bench_tests", "write INTERVAL '2' DAY"],
    [
      'SELECT CAST(score AS string) FROM bench_tests_latest',
      '"string" at line 1, column 22: type string is not portable',
    ],
    ["SELECT * FROM read_parquet('x.parquet')", 'function read_parquet is a DuckDB table function'],
    ['SELECT * FROM lakepipe_dev.curated_bench_tests', 'qualified table names are not portable'],
    ['SELECT `bench_id` FROM curated_bench_tests', 'backtick quotes are Hive/Spark syntax'],
    ['DROP TABLE curated_bench_tests', '"DROP" at line 1, column 1: a view is one SELECT'],
    ['SELECT 1; DROP TABLE curated_bench_tests', '";" at line 1, column 9: a view is one statement'],
    [
      'SELECT 1 AS a, ARRAY[1, 2] AS b',
      '"[" at line 1, column 21: arrays, lists and structs are not portable',
    ],
  ])('rejects %s with the offending token and its position', (sql, expected) => {
    // Act
    const message = messageOf(sql);
    // Assert
    expect(message.startsWith('view my_view: ')).toBe(true);
    expect(message).toContain(expected);
  });

  it('reports an unbalanced parenthesis where it opens, on the right line', () => {
    // Arrange
    const sql = 'SELECT bench_id,\n       COUNT((error_count) AS n\nFROM curated_bench_tests';
    // Act
    const message = messageOf(sql);
    // Assert
    expect(message).toBe(
      'view my_view: "(" at line 2, column 13: unbalanced parentheses: this ( is never closed',
    );
  });

  it('reports a closing parenthesis that closes nothing', () => {
    expect(messageOf('SELECT count(*)) FROM curated_bench_tests')).toBe(
      'view my_view: ")" at line 1, column 16: unbalanced parentheses: this ) closes nothing',
    );
  });

  it('reports an unterminated string where it starts', () => {
    expect(messageOf("SELECT *\nFROM curated_bench_tests\nWHERE bench_id = 'B01")).toBe(
      `view my_view: "'B01" at line 3, column 18: unterminated string: ' has no closing '`,
    );
  });

  it('rejects a reference to a table that does not exist, naming the view and the table', () => {
    // Act
    let error: unknown;
    try {
      validateViewSql(
        'daily_x',
        'SELECT * FROM curated_bench_tests c JOIN scored_nothing s ON s.id = c.test_id',
        {
          knownRelations: known,
        },
      );
    } catch (e) {
      error = e;
    }
    // Assert
    expect(error).toBeInstanceOf(UnknownRelationError);
    expect((error as Error).message).toBe(
      'view daily_x references table "scored_nothing" (line 1, column 42), which does not exist; tables and views: bench_tests_latest, curated_bench_tests',
    );
  });

  it('reads comma-separated FROM items and quoted names as relations', () => {
    // Act
    const result = validateViewSql(
      'v',
      'SELECT 1 FROM "curated_bench_tests" a, bench_tests_latest AS b WHERE a.test_id = b.test_id',
    );
    // Assert
    expect(result.relations.map((r) => r.name)).toEqual(['curated_bench_tests', 'bench_tests_latest']);
  });

  it('ignores keywords and functions inside strings and comments', () => {
    // Act
    const result = validateViewSql(
      'v',
      "-- strftime(x) and x::int are fine in a comment\nSELECT 'a::b ILIKE strftime()' AS s /* QUALIFY */ FROM curated_bench_tests",
    );
    // Assert
    expect(result.relations.map((r) => r.name)).toEqual(['curated_bench_tests']);
  });

  it('throws ViewSqlError, not a generic error, for dialect problems', () => {
    expect(() => validateViewSql('v', 'SELECT a::int FROM t')).toThrow(ViewSqlError);
  });
});
