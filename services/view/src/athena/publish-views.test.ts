import { afterEach, describe, expect, it } from 'vitest';
import { buildLakeCatalog, viewsWithDependencies } from '../catalog';
import { ViewPublishError, ViewPublishTimeoutError } from '../errors';
import { FakeAthena, fakeClock, type ScriptedQuery } from '../test-support/fake-athena';
import { repoPipeline } from '../test-support/pipeline';
import { queryAthena } from './athena-query';
import { publishViews } from './publish-views';

const RUN = '20261126T020000Z-bbbbbb';
const catalog = buildLakeCatalog(repoPipeline());
let fake: FakeAthena | undefined;

async function athenaThat(script: (sql: string) => ScriptedQuery) {
  fake = new FakeAthena(script);
  return fake.start();
}

afterEach(async () => {
  await fake?.stop();
});

describe('publishViews', () => {
  it("adds the run's scored partition, then creates each view in order in the workgroup, and reports them", async () => {
    // Arrange
    const athena = await athenaThat(() => ({ states: ['QUEUED', 'RUNNING', 'SUCCEEDED'] }));
    const clock = fakeClock();
    // Act
    const result = await publishViews({
      athena,
      workgroup: 'lakepipe-dev',
      database: 'lakepipe_dev',
      views: viewsWithDependencies(catalog, ['daily_defect_rate']),
      scoredPartitions: { runId: RUN, datasets: ['bench_tests'] },
      lakeBucket: 'lakepipe-dev-lake-111111111111-eu-west-1',
      ...clock,
    });
    // Assert
    expect(result).toEqual({ views: ['bench_tests_latest', 'daily_defect_rate'] });
    expect(fake!.statements.map((s) => s.split('\n')[0])).toEqual([
      `ALTER TABLE \`scored_bench_tests\` ADD IF NOT EXISTS PARTITION (\`run\` = '${RUN}') LOCATION 's3://lakepipe-dev-lake-111111111111-eu-west-1/scored/bench_tests/run=${RUN}/'`,
      'CREATE OR REPLACE VIEW "bench_tests_latest" AS',
      'CREATE OR REPLACE VIEW "daily_defect_rate" AS',
    ]);
    const start = fake!.calls.find((c) => c.action === 'StartQueryExecution')!;
    expect(start.body.WorkGroup).toBe('lakepipe-dev');
    expect(start.body.QueryExecutionContext).toEqual({ Catalog: 'AwsDataCatalog', Database: 'lakepipe_dev' });
    // exponential backoff between polls of one statement
    expect(clock.waits.slice(0, 2)).toEqual([250, 500]);
  });

  it("fails with Athena's own StateChangeReason, naming the view, and publishes nothing after it", async () => {
    // Arrange
    const reason = "line 1:8: Column 'no_such' cannot be resolved";
    const athena = await athenaThat((sql) =>
      sql.includes('"bench_tests_latest"')
        ? { states: ['RUNNING', 'FAILED'], reason }
        : { states: ['SUCCEEDED'] },
    );
    // Act
    const publishing = publishViews({
      athena,
      workgroup: 'lakepipe-dev',
      database: 'lakepipe_dev',
      views: viewsWithDependencies(catalog, ['daily_defect_rate']),
      ...fakeClock(),
    });
    // Assert
    await expect(publishing).rejects.toThrow(ViewPublishError);
    await expect(publishing).rejects.toThrow(`view bench_tests_latest: Athena query q-1 FAILED: ${reason}`);
    expect(fake!.statements).toHaveLength(1);
  });

  it('stops a statement that outlasts the bounded wait and reports a timeout naming the view', async () => {
    // Arrange
    const athena = await athenaThat(() => ({ states: ['RUNNING'] }));
    const clock = fakeClock();
    // Act
    const publishing = publishViews({
      athena,
      workgroup: 'lakepipe-dev',
      database: 'lakepipe_dev',
      views: viewsWithDependencies(catalog, ['bench_tests_rejects_summary']),
      timeoutMs: 10_000,
      maxPollMs: 2000,
      ...clock,
    });
    // Assert
    await expect(publishing).rejects.toThrow(ViewPublishTimeoutError);
    await expect(publishing).rejects.toThrow(
      'view bench_tests_rejects_summary: Athena query q-1 did not finish within 10 s; it was stopped',
    );
    expect(
      fake!.calls.some((c) => c.action === 'StopQueryExecution' && c.body.QueryExecutionId === 'q-1'),
    ).toBe(true);
    expect(clock.waits).toEqual([250, 500, 1000, 2000, 2000, 2000, 2000, 250]);
  });

  it('refuses a view whose SQL is outside the dialect before sending anything to Athena', async () => {
    // Arrange
    const athena = await athenaThat(() => ({ states: ['SUCCEEDED'] }));
    // Act
    const publishing = publishViews({
      athena,
      workgroup: 'lakepipe-dev',
      database: 'lakepipe_dev',
      views: [{ name: 'bad', sql: 'SELECT x::int FROM curated_bench_tests' }],
      ...fakeClock(),
    });
    // Assert
    await expect(publishing).rejects.toThrow('view bad: "::" at line 1, column 9');
    expect(fake!.statements).toEqual([]);
  });
});

describe('queryAthena', () => {
  it('returns Athena rows as plain values: numbers, booleans, ISO timestamps and nulls', async () => {
    // Arrange
    const athena = await athenaThat(() => ({
      states: ['RUNNING', 'SUCCEEDED'],
      columns: [
        { name: 'test_id', type: 'varchar' },
        { name: 'tests', type: 'bigint' },
        { name: 'score', type: 'double' },
        { name: 'flagged', type: 'boolean' },
        { name: 'started_at', type: 'timestamp' },
      ],
      rows: [
        ['T-000000002', '2', '0.9', 'true', '2026-11-26 08:00:00.000'],
        ['T-000000004', '1', null, null, '2026-11-25 23:59:00.000'],
      ],
    }));
    // Act
    const result = await queryAthena(
      athena,
      {
        sql: 'SELECT * FROM bench_tests_latest',
        workgroup: 'lakepipe-dev-analytics',
        database: 'lakepipe_dev',
      },
      fakeClock(),
    );
    // Assert
    expect(result.columns.map((c) => c.name)).toEqual(['test_id', 'tests', 'score', 'flagged', 'started_at']);
    expect(result.rows).toEqual([
      ['T-000000002', 2, 0.9, true, '2026-11-26T08:00:00.000Z'],
      ['T-000000004', 1, null, null, '2026-11-25T23:59:00.000Z'],
    ]);
  });

  it("fails with Athena's reason when the query fails", async () => {
    // Arrange
    const athena = await athenaThat(() => ({
      states: ['FAILED'],
      reason: "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.lakepipe_dev.nope' does not exist",
    }));
    // Act
    const querying = queryAthena(
      athena,
      { sql: 'SELECT * FROM nope', workgroup: 'w', database: 'lakepipe_dev' },
      fakeClock(),
    );
    // Assert
    await expect(querying).rejects.toThrow(
      "Athena: query q-1 FAILED: TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.lakepipe_dev.nope' does not exist",
    );
  });
});
