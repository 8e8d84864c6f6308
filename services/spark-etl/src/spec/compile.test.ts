import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchTestsSpec, fixturesDir } from '../test-support/pipeline';
import { compileDuckDbSql, compileSparkSql, renderSqlScript } from './compile';
import { buildTransformModel } from './model';

// UPDATE_GOLDEN=1 npx vitest run src/spec/compile.test.ts rewrites the golden files after a deliberate change.
function expectGolden(file: string, actual: string) {
  const golden = path.join(fixturesDir, 'golden', file);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, actual);
  expect(actual).toBe(readFileSync(golden, 'utf8'));
}

describe('SQL compilers', () => {
  it('compiles bench_tests to the golden Spark SQL the Glue job runs', () => {
    // Arrange
    const model = buildTransformModel('bench_tests', benchTestsSpec());

    // Act
    const script = renderSqlScript(model, compileSparkSql(model));

    // Assert
    expectGolden('bench_tests.spark.sql', script);
  });

  it('compiles bench_tests to the golden DuckDB SQL the local engine runs', () => {
    // Arrange
    const model = buildTransformModel('bench_tests', benchTestsSpec());

    // Act
    const script = renderSqlScript(model, compileDuckDbSql(model));

    // Assert
    expectGolden('bench_tests.duckdb.sql', script);
  });

  it('writes the same rules in the same order for both engines (only dialect functions differ)', () => {
    // Arrange
    const model = buildTransformModel('bench_tests', benchTestsSpec());

    // Act
    const reasons = (sql: string) =>
      [...sql.matchAll(/WHEN (\d+) THEN '(\w+)'/g)].map((m) => `${m[1]}:${m[2]}`);
    const spark = compileSparkSql(model).transform.join('\n');
    const duck = compileDuckDbSql(model).transform.join('\n');

    // Assert
    expect(reasons(spark)).toEqual(reasons(duck));
    expect(reasons(spark)).toContain('6:required');
    expect(reasons(spark)).toEqual(expect.arrayContaining(['1:line_ending', '2:encoding', '3:column_count']));
    // RE2's $ (end of text) is Java's \z: Java's $ also matches before a final line break
    expect(spark).toContain(String.raw`rlike(_raw_firmware, '^[0-9]+\\.[0-9]+\\.[0-9]+\\z')`);
    expect(duck).toContain("regexp_matches(_raw_firmware, '^[0-9]+\\.[0-9]+\\.[0-9]+$')");
  });

  it('escapes a custom delimiter and derived expressions for each dialect', () => {
    // Arrange
    const base = benchTestsSpec();
    const model = buildTransformModel('bench_tests', {
      ...base,
      format: { csv: { header: false, delimiter: '|' } },
      derive: { dt: 'CAST(started_at AS DATE)', power_w: 'ROUND(voltage_v * current_a, 2)' },
    });

    // Act
    const spark = compileSparkSql(model).transform.join('\n');
    const duck = compileDuckDbSql(model).transform.join('\n');

    // Assert
    expect(spark).toContain("split(l._line, '\\\\|', -1)");
    expect(duck).toContain("string_split(l._line, '|')");
    expect(spark).toContain('TRY_CAST(round((`voltage_v` * `current_a`), 2) AS DOUBLE) AS `power_w`');
    expect(duck).toContain('TRY_CAST(round(("voltage_v" * "current_a"), 2) AS DOUBLE) AS "power_w"');
    expect(duck).toContain('1 AS _pos_test_id');
  });
});
