import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetContract } from '@lakepipe/workflow';
import { describe, expect, it } from 'vitest';
import { createTableStatement, createViewStatements } from './athena/ddl';
import { buildLakeCatalog, viewsWithDependencies } from './catalog';
import { UnknownRelationError, ViewConfigError, ViewSqlError } from './errors';
import { pipelineFromYaml, repoPipeline } from './test-support/pipeline';

const goldenDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-fixtures', 'athena');

/** Compares with test-fixtures/athena/<name>; UPDATE_GOLDEN=1 rewrites the file instead. */
function expectGolden(name: string, actual: string): void {
  const file = path.join(goldenDir, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, `${actual}\n`);
  }
  expect(existsSync(file), `${file} is missing: run UPDATE_GOLDEN=1 npx vitest run`).toBe(true);
  expect(`${actual}\n`).toBe(readFileSync(file, 'utf8'));
}

const minimal = (extra: string, contracts: Record<string, DatasetContract> = {}) =>
  pipelineFromYaml(
    `
name: p
datasets:
  bench_tests:
    source: { type: directory, path: ./in }
    columns:
      test_id: { type: string, unique: true }
      score_x: { type: double }
${extra}`,
    'pipeline.yaml',
    contracts,
  );

/** What a scoring stage publishes for bench_tests: the id, the model's score columns, the threshold. */
const scoredContract = (threshold: number, scores: readonly string[]): Record<string, DatasetContract> => ({
  bench_tests: {
    dataset: 'bench_tests',
    scored: {
      columns: [{ name: 'test_id', type: 'string' }, ...scores.map((name) => ({ name, type: 'double' }))],
      threshold,
      classes: scores.length,
    },
  },
});

describe('buildLakeCatalog', () => {
  it('names the five tables and the built-in views of each dataset (_current with a unique column), views after what they read', () => {
    // Act
    const catalog = buildLakeCatalog(repoPipeline());
    // Assert
    expect(catalog.tables.map((t) => t.name)).toEqual([
      'raw_bench_tests',
      'curated_bench_tests',
      'rejected_bench_tests',
      'features_bench_tests',
      'scored_bench_tests',
    ]);
    expect(catalog.views.map((v) => `${v.name} <- ${v.dependsOn.join(', ')}`)).toEqual([
      'bench_tests_latest <- curated_bench_tests, scored_bench_tests',
      'bench_tests_current <- curated_bench_tests, scored_bench_tests',
      'bench_tests_rejects_summary <- rejected_bench_tests',
      'daily_defect_rate <- bench_tests_latest',
    ]);
  });

  it('types curated columns from the spec, keeps dt in the path and adds the lineage columns', () => {
    // Act
    const curated = buildLakeCatalog(repoPipeline()).tables.find((t) => t.name === 'curated_bench_tests')!;
    // Assert
    expect(curated.columns.map((c) => `${c.name} ${c.type}`)).toEqual([
      'test_id string',
      'device_id string',
      'bench_id string',
      'firmware string',
      'started_at timestamp',
      'duration_s double',
      'temperature_c double',
      'voltage_v double',
      'current_a double',
      'vibration_mm_s double',
      'pressure_kpa double',
      'error_count int',
      'failed_in_field int',
      'run_id string',
      'source_file string',
    ]);
    expect(curated.partitionKeys).toEqual([{ name: 'dt', type: 'date' }]);
  });

  it("flags at the threshold the dataset's scoring stage publishes", () => {
    // Arrange
    const pipeline = minimal(
      `stages:
  score: { type: sagemaker-scoring, dataset: bench_tests, threshold: 0.8 }`,
      scoredContract(0.8, ['score']),
    );
    // Act
    const latest = buildLakeCatalog(pipeline).views.find((v) => v.name === 'bench_tests_latest')!;
    // Assert
    expect(latest.sql).toContain('s."score" >= 0.8 AS "flagged"');
  });

  it('writes one score column per class the scoring stage publishes for a multi-class model, with no single flag', () => {
    // Arrange
    const pipeline = minimal(
      `stages:
  score: { type: sagemaker-scoring, dataset: bench_tests }`,
      scoredContract(0.5, ['score_0', 'score_1', 'score_2']),
    );
    // Act
    const catalog = buildLakeCatalog(pipeline);
    // Assert
    expect(catalog.tables.find((t) => t.name === 'scored_bench_tests')!.columns.map((c) => c.name)).toEqual([
      'id',
      'score_0',
      'score_1',
      'score_2',
    ]);
    expect(catalog.views[0]!.sql).toContain(
      's."score_0", s."score_1", s."score_2", CAST(NULL AS BOOLEAN) AS "flagged"',
    );
  });

  it('rejects a declared view reading a table that does not exist, naming the view and the table', () => {
    // Arrange
    const pipeline = minimal(`views:
  weekly: { sql: "SELECT * FROM curated_bench_test" }
stages: {}`);
    // Act / Assert
    expect(() => buildLakeCatalog(pipeline)).toThrow(UnknownRelationError);
    expect(() => buildLakeCatalog(pipeline)).toThrow(
      /^view weekly references table "curated_bench_test" \(line 1, column 15\), which does not exist; tables and views: bench_tests_current, bench_tests_latest, /,
    );
  });

  it('rejects a declared view with a syntax error, naming the view and the token', () => {
    // Arrange
    const pipeline = minimal(`views:
  weekly: { sql: "SELECT count(* FROM curated_bench_tests" }
stages: {}`);
    // Act / Assert
    expect(() => buildLakeCatalog(pipeline)).toThrow(ViewSqlError);
    expect(() => buildLakeCatalog(pipeline)).toThrow(
      'view weekly: "(" at line 1, column 13: unbalanced parentheses: this ( is never closed',
    );
  });

  it('collects every problem at once: an unsafe dataset name, a view name taken, a DuckDB-only function', () => {
    // Arrange
    const pipeline = pipelineFromYaml(`
name: p
datasets:
  bench_tests:
    source: { type: directory, path: ./in }
    columns: { test_id: { type: string } }
views:
  bench_tests_latest: { sql: "SELECT 1" }
  recent: { sql: "SELECT strftime(started_at, '%Y') FROM curated_bench_tests" }
stages: {}`);
    const unsafe = {
      ...pipeline,
      datasets: { ...pipeline.datasets, 'Bench-Tests': pipeline.datasets.bench_tests! },
    };
    // Act
    let error: unknown;
    try {
      buildLakeCatalog(unsafe);
    } catch (e) {
      error = e;
    }
    // Assert
    expect(error).toBeInstanceOf(ViewConfigError);
    expect((error as ViewConfigError).problems).toEqual([
      'dataset name "Bench-Tests" is not a safe identifier for its tables and views: use a lower-case letter, then lower-case letters, digits or _ (at most 47 characters)',
      'views.bench_tests_latest: the name is taken by a built-in table or view',
      'views.recent: view recent: "strftime" at line 1, column 8: function strftime is DuckDB-only; use date_trunc, EXTRACT or CAST(... AS VARCHAR) (pipeline.yaml)',
    ]);
  });

  it('rejects views that read each other in a cycle', () => {
    // Arrange
    const pipeline = minimal(`views:
  a: { sql: "SELECT * FROM b" }
  b: { sql: "SELECT * FROM a" }
stages: {}`);
    // Act / Assert
    expect(() => buildLakeCatalog(pipeline)).toThrow('views form a cycle: a -> b -> a');
  });

  it('publishes a view together with the views it reads', () => {
    // Arrange
    const catalog = buildLakeCatalog(repoPipeline());
    // Act
    const views = viewsWithDependencies(catalog, ['daily_defect_rate']);
    // Assert
    expect(views.map((v) => v.name)).toEqual(['bench_tests_latest', 'daily_defect_rate']);
    expect(() => viewsWithDependencies(catalog, ['nope'])).toThrow(
      'view "nope" does not exist; views: bench_tests_latest',
    );
  });
});

describe('Athena DDL for the repo pipeline', () => {
  const catalog = buildLakeCatalog(repoPipeline());

  it.each(catalog.views.map((v) => [v.name]))('CREATE OR REPLACE VIEW %s matches its golden file', (name) => {
    // Act
    const statement = createViewStatements(catalog).find((s) => s.view === name)!;
    // Assert
    expectGolden(`${name}.view.sql`, statement.sql);
  });

  it.each(catalog.tables.map((t) => [t.name]))('CREATE EXTERNAL TABLE %s matches its golden file', (name) => {
    // Act
    const statement = createTableStatement(
      catalog.tables.find((t) => t.name === name)!,
      'lakepipe-dev-lake-111111111111-eu-west-1',
    );
    // Assert
    expectGolden(`${name}.table.sql`, statement);
  });
});
