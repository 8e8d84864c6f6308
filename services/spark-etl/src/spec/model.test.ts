import { datasetSpec } from '@lakepipe/workflow';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SpecValidationError } from '../errors';
import { benchTestsSpec } from '../test-support/pipeline';
import { buildTransformModel } from './model';
import { yamlLocator } from './positions';

const PIPELINE = `name: p
datasets:
  tests:
    source: { type: s3, prefix: landing/tests/ }
    columns:
      id: { type: string, required: true, unique: true }
      started_at: { type: timestamp, required: true }
      label: { type: string, unique: true }
      temp: { type: double, min: 5, max: 1 }
      name: { type: string, min: 3 }
      flag: { type: int, values: [0, "x"] }
    derive:
      dt: "CAST(started_at AS DATE)"
      ghost: "UPPER(missing_col)"
      shout: "REGEXP_REPLACE(name, 'a', 'b')"
    partitionBy: [dt, region]
    features: [temp, name, nothing]
`;

function buildFromYaml(text: string) {
  const doc = parse(text) as { datasets: { tests: unknown } };
  const spec = datasetSpec.parse(doc.datasets.tests);
  return buildTransformModel('tests', spec, { locate: yamlLocator(text, 'pipeline.yaml') });
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof SpecValidationError)
      return e.issues.map((i) => `${i.path.join('.')}: ${i.message}${i.location ? ` at ${i.location}` : ''}`);
    throw e;
  }
  throw new Error('expected a SpecValidationError');
}

describe('buildTransformModel', () => {
  it('builds the model of the repo pipeline bench_tests with its id, partition and derived date', () => {
    // Arrange
    const spec = benchTestsSpec();

    // Act
    const model = buildTransformModel('bench_tests', spec);

    // Assert
    expect(model.idColumn).toBe('test_id');
    expect(model.partitionBy).toEqual(['dt']);
    expect(model.derived).toEqual([
      expect.objectContaining({ name: 'dt', source: 'CAST(started_at AS DATE)', type: { kind: 'date' } }),
    ]);
    expect(model.columns.map((c) => c.name)).toHaveLength(13);
    expect(model.maxRejectRatio).toBe(0.2);
    expect(model.csv).toEqual({ header: true, delimiter: ',' });
  });

  it('collects every spec problem with its path, its message and its pipeline.yaml line', () => {
    // Act
    const issues = issuesOf(() => buildFromYaml(PIPELINE));

    // Assert
    expect(issues).toEqual([
      'datasets.tests.columns.label.unique: unique column label must also be required: true (a null id cannot be unique) at pipeline.yaml:8',
      'datasets.tests.columns.temp.min: min 5 is greater than max 1 at pipeline.yaml:9',
      'datasets.tests.columns.name.min: min applies to numeric columns only; name is string at pipeline.yaml:10',
      'datasets.tests.columns.flag.values.1: value "x" must be a number (flag is int) at pipeline.yaml:11',
      'datasets.tests.derive.ghost: references unknown column missing_col (declared: id, started_at, label, temp, name, flag) at pipeline.yaml:14',
      "datasets.tests.derive.shout: function REGEXP_REPLACE is not in the portable subset (allowed: CAST, COALESCE, LOWER, UPPER, ABS, ROUND, GREATEST, LEAST) at position 1 of \"REGEXP_REPLACE(name, 'a', 'b')\" at pipeline.yaml:15",
      'datasets.tests.partitionBy.1: partitionBy names unknown column region (known: id, started_at, label, temp, name, flag, dt) at pipeline.yaml:16',
      'datasets.tests.features.1: feature name is string, not a numeric column (int, bigint, double, decimal) at pipeline.yaml:17',
      'datasets.tests.features.2: feature nothing is not a column (known: id, started_at, label, temp, name, flag, dt) at pipeline.yaml:17',
    ]);
  });

  it('rejects an unknown column type naming the value, before the model is built', () => {
    // Arrange
    const spec = { source: { type: 's3', prefix: 'landing/x/' }, columns: { a: { type: 'varchar(10)' } } };

    // Act
    const result = datasetSpec.safeParse(spec);

    // Assert
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['columns', 'a', 'type']);
    expect(result.error?.issues[0]?.message).toBe(
      'unknown type "varchar(10)": use one of string, int, bigint, double, boolean, date, timestamp or decimal(p,s) with 1 <= p <= 38 and s <= p',
    );
  });

  it('rejects derived expressions outside the portable subset with the offending token', () => {
    // Arrange
    const base = benchTestsSpec();
    const cases: Record<string, string> = {
      'started_at::date': 'unexpected token ":" at position 11 of "started_at::date"',
      'CAST(started_at AS VARCHAR)':
        'unknown type "VARCHAR" in CAST: use string, int, bigint, double, decimal(p,s), boolean, date or timestamp at position 20 of "CAST(started_at AS VARCHAR)"',
      'duration_s + device_id':
        'arithmetic "+" needs numeric operands, got double and string in "duration_s + device_id"',
      'ROUND(duration_s, 1.5)':
        'ROUND takes an integer literal as its second argument in "ROUND(duration_s, 1.5)"',
      "LOWER('a\\b')":
        'backslash in a string literal (Spark and DuckDB read it differently) at position 9 of "LOWER(\'a\\\\b\')"',
    };

    for (const [expression, message] of Object.entries(cases)) {
      // Act
      const issues = issuesOf(() =>
        buildTransformModel('bench_tests', { ...base, derive: { ...base.derive, extra: expression } }),
      );

      // Assert
      expect(issues).toEqual([`datasets.bench_tests.derive.extra: ${message}`]);
    }
  });

  it('infers derived types so both engines write the same Parquet type', () => {
    // Arrange
    const base = benchTestsSpec();
    const derive = {
      dt: 'CAST(started_at AS DATE)',
      power_w: 'voltage_v * current_a',
      errors_plus: 'error_count + 1',
      ratio: 'error_count / 2',
      bench: "LOWER(COALESCE(bench_id, 'none'))",
      budget: 'CAST(duration_s AS decimal(10, 2))',
    };

    // Act
    const model = buildTransformModel('bench_tests', { ...base, derive });

    // Assert
    expect(Object.fromEntries(model.derived.map((d) => [d.name, d.type]))).toEqual({
      dt: { kind: 'date' },
      power_w: { kind: 'double' },
      errors_plus: { kind: 'bigint' },
      ratio: { kind: 'double' },
      bench: { kind: 'string' },
      budget: { kind: 'decimal', precision: 10, scale: 2 },
    });
  });
});
