import { FolderObjectStore, readStageManifest } from '@lakepipe/lake';
import type { LocalStageContext, PipelineModel, StageCompileContext } from '@lakepipe/workflow';
import { describe, expect, it } from 'vitest';
import { parseViewPublishEvent } from './lambda-event';
import { type ViewStageAttributes, viewStageType } from './stage-type';
import { NEW_RUN, tempLake, writeCurated, writeScored } from './test-support/lake-fixtures';
import { repoPipeline } from './test-support/pipeline';

const pipeline = repoPipeline();
const target = {
  env: 'dev',
  accountId: '111111111111',
  region: 'eu-west-1',
  resourceName: (component: string) => `lakepipe-dev-${component}`,
  lakeBucket: 'lakepipe-dev-lake-111111111111-eu-west-1',
  ledgerTable: 'lakepipe-dev-ledger',
  errorTopicArn: 'arn:aws:sns:eu-west-1:111111111111:lakepipe-dev-errors',
};

function contextFor(
  stageId: string,
  attributes: ViewStageAttributes,
): StageCompileContext<ViewStageAttributes> {
  return {
    stageId,
    attributes,
    datasets: pipeline.datasets,
    pipelineName: pipeline.name,
    target,
    pipeline,
  } as StageCompileContext<ViewStageAttributes>;
}

function localContext(lakeRoot: string, withPipeline: PipelineModel = pipeline): LocalStageContext {
  const messages: string[] = [];
  return {
    env: 'local',
    stageId: 'report',
    lakeRoot,
    store: new FolderObjectStore(lakeRoot),
    ledger: undefined as never,
    datasets: withPipeline.datasets,
    pipeline: withPipeline,
    progress: (update) => messages.push(update.message ?? ''),
  } as LocalStageContext;
}

describe('viewStageType', () => {
  it("compiles the report stage to one lambda:invoke of lakepipe-<env>-view carrying each view's SQL in order", () => {
    // Act
    const steps = viewStageType.compile(contextFor('report', { views: ['daily_defect_rate'] }));
    // Assert
    expect(steps).toHaveLength(1);
    const { key, state } = steps[0]!;
    expect(key).toBe('publish');
    expect(state.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(state.ResultSelector).toEqual({ 'views.$': '$.Payload.views' });
    const parameters = state.Parameters as { FunctionName: string; Payload: Record<string, unknown> };
    expect(parameters.FunctionName).toBe('arn:aws:lambda:eu-west-1:111111111111:function:lakepipe-dev-view');
    expect(parameters.Payload['runId.$']).toBe('$.runId');
    expect(parameters.Payload.datasets).toEqual(['bench_tests']);
    expect((parameters.Payload.views as { name: string }[]).map((v) => v.name)).toEqual([
      'bench_tests_latest',
      'daily_defect_rate',
    ]);
  });

  it('grants the state machine lambda:InvokeFunction on exactly the view function', () => {
    // Act
    const permissions = viewStageType.permissions(contextFor('views', { datasets: ['bench_tests'] }));
    // Assert
    expect(permissions).toEqual([
      {
        actions: ['lambda:InvokeFunction'],
        resources: ['arn:aws:lambda:eu-west-1:111111111111:function:lakepipe-dev-view'],
      },
    ]);
  });

  it('rejects attributes naming neither datasets nor views', () => {
    // Act
    const result = viewStageType.attributes.safeParse({});
    // Assert
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(
      'a view stage needs datasets: [...] (built-in views) or views: [...] (declared views), or both',
    );
  });

  it('reports a dataset or view that does not exist, at its position in the attributes', () => {
    // Act
    const problems = viewStageType.validate!(
      contextFor('views', { datasets: ['bench_test'], views: ['weekly'] }),
    );
    // Assert
    expect(problems).toEqual([
      { path: ['datasets', 0], message: 'dataset "bench_test" is not declared; datasets: bench_tests' },
      { path: ['views', 0], message: 'view "weekly" is not declared under views:; views: daily_defect_rate' },
    ]);
  });

  it('runs locally: creates each view over the lake folder, returns what the Lambda returns, writes the manifest', async () => {
    // Arrange
    const lakeRoot = tempLake();
    await writeCurated(lakeRoot, 'bench_tests', [
      { test_id: 'T-000000002', bench_id: 'B01', started_at: '2026-11-26 08:00:00', run_id: NEW_RUN },
    ]);
    writeScored(lakeRoot, 'bench_tests', NEW_RUN, { 'T-000000002': 0.7 });
    const context = localContext(lakeRoot);
    // Act
    const output = await viewStageType.local.publish!(
      { runId: NEW_RUN, stageId: 'report', attributes: { views: ['daily_defect_rate'] }, parameters: {} },
      context,
    );
    // Assert
    expect(output).toEqual({ Payload: { views: ['bench_tests_latest', 'daily_defect_rate'] } });
    expect(await readStageManifest(context.store, NEW_RUN, 'report')).toMatchObject({
      stageType: 'view',
      engine: 'duckdb',
      counts: { views: 2, datasets: 0 },
      outputs: [],
      details: { views: ['bench_tests_latest', 'daily_defect_rate'] },
    });
  });

  it("fails locally with the view name and DuckDB's message when a view cannot be created", async () => {
    // Arrange
    const broken = {
      ...pipeline,
      views: { ...pipeline.views, broken: { sql: 'SELECT nope FROM curated_bench_tests' } },
    };
    // Act
    const running = viewStageType.local.publish!(
      { runId: NEW_RUN, stageId: 'report', attributes: { views: ['broken'] }, parameters: {} },
      localContext(tempLake(), broken),
    );
    // Assert
    await expect(running).rejects.toThrow(/^view broken: DuckDB: Binder Error: .*nope/);
  });

  it('rejects a Lambda event that is not what the state machine sends', () => {
    // Act
    const parse = () =>
      parseViewPublishEvent({ runId: 'yesterday', stageId: 'report', datasets: [], views: [] });
    // Assert
    expect(parse).toThrow(
      'view event is invalid: runId must be a run id YYYYMMDDTHHMMSSZ-xxxxxx (got "yesterday"); views Too small: expected array to have >=1 items (got [])',
    );
  });
});
