import {
  type PipelineModel,
  type StageCompileContext,
  type StageType,
  safeNameSchema,
} from '@lakepipe/workflow';
import { z } from 'zod';
import { buildLakeCatalog, type LakeCatalog, viewsWithDependencies } from './catalog';
import { ViewConfigError } from './errors';
import type { ViewPublishEvent } from './lambda-event';
import { writeViewManifest } from './manifest';
import { validateViewSql } from './sql/validate';
import { currentViewName, latestViewName, rejectsSummaryViewName } from './tables';

export interface ViewStageAttributes {
  /** publish the built-in views (`<ds>_latest`, `<ds>_rejects_summary`) of these datasets. @default none */
  readonly datasets?: readonly string[];
  /** publish these declared views (from `views:`), with the views they read. @default none */
  readonly views?: readonly string[];
}

const safeName = safeNameSchema;
const viewStageAttributes = z
  .strictObject({
    datasets: z.array(safeName).min(1, 'must name at least one dataset').optional(),
    views: z.array(safeName).min(1, 'must name at least one view').optional(),
  })
  .refine((a) => a.datasets !== undefined || a.views !== undefined, {
    message: 'a view stage needs datasets: [...] (built-in views) or views: [...] (declared views), or both',
  });

/**
 * The views and tables a stage needs beyond StageCompileContext: the workflow compiler passes
 * the pipeline's `views` and `stages` as `pipeline` (scoring thresholds, declared view SQL).
 */
type WithPipeline = { readonly pipeline?: Pick<PipelineModel, 'views' | 'stages' | 'contracts'> };

/** The component name of the view Lambda: `lakepipe-<env>-view`. */
export const VIEW_FUNCTION_COMPONENT = 'view';

/** The views a stage publishes (its own, then what they read), in dependency order. */
export function viewsOfStage(catalog: LakeCatalog, attributes: ViewStageAttributes) {
  const names = [
    ...(attributes.datasets ?? []).flatMap((ds) => [
      latestViewName(ds),
      // only datasets with a unique column have a _current view
      ...(catalog.views.some((v) => v.name === currentViewName(ds)) ? [currentViewName(ds)] : []),
      rejectsSummaryViewName(ds),
    ]),
    ...(attributes.views ?? []),
  ];
  return viewsWithDependencies(catalog, names);
}

function catalogOf(
  context: Omit<StageCompileContext<ViewStageAttributes>, 'target'> & WithPipeline,
): LakeCatalog {
  if (!context.pipeline && context.attributes.views?.length)
    throw new ViewConfigError([
      `stage ${context.stageId}: the workflow compiler passed no pipeline views to the view stage type (StageCompileContext.pipeline), so views: [${context.attributes.views.join(', ')}] cannot be resolved`,
    ]);
  return buildLakeCatalog({
    datasets: context.datasets,
    views: context.pipeline?.views ?? {},
    stages: context.pipeline?.stages ?? {},
    // the scored columns and the flagged class the scoring stage published (a multi-class model)
    contracts: context.pipeline?.contracts,
  });
}

/** The view function's timeout: the stack sets it, the compiler gives the publish state this plus a margin. */
export const VIEW_FUNCTION_TIMEOUT_SECONDS = 900;

/**
 * Stage type `view`: (re)creates Athena views after a run. Compiles to one lambda:invoke of
 * `lakepipe-<env>-view` whose payload carries the run, the datasets whose scored partition to
 * register and each view's validated SQL in dependency order; its output is `{ views }`.
 * Locally, every view is created in DuckDB over the lake folder, so a view that would fail in
 * Athena fails the local run with DuckDB's message, prefixed with the view name.
 */
export const viewStageType: StageType<ViewStageAttributes> = {
  type: 'view',
  description: 'publishes Athena views over the lake (built-in per dataset and declared in views:)',
  attributes: viewStageAttributes,
  validate: (context) => {
    const problems: { path: (string | number)[]; message: string }[] = [];
    (context.attributes.datasets ?? []).forEach((ds, i) => {
      if (!(ds in context.datasets))
        problems.push({
          path: ['datasets', i],
          message: `dataset ${JSON.stringify(ds)} is not declared; datasets: ${Object.keys(context.datasets).join(', ') || '(none)'}`,
        });
    });
    const declared = (context as WithPipeline).pipeline?.views;
    if (declared) {
      (context.attributes.views ?? []).forEach((name, i) => {
        if (!(name in declared))
          problems.push({
            path: ['views', i],
            message: `view ${JSON.stringify(name)} is not declared under views:; views: ${Object.keys(declared).join(', ') || '(none)'}`,
          });
      });
    }
    return problems;
  },
  compile: (context) => {
    const views = viewsOfStage(catalogOf(context as typeof context & WithPipeline), context.attributes);
    const datasets = [
      ...new Set(
        views.filter((v) => v.origin === 'built-in' && v.name.endsWith('_latest')).map((v) => v.dataset!),
      ),
    ];
    const { target } = context;
    return [
      {
        key: 'publish',
        serviceTimeoutSeconds: VIEW_FUNCTION_TIMEOUT_SECONDS,
        state: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Comment: `view: publish ${views.map((v) => v.name).join(', ')}`,
          Parameters: {
            FunctionName: viewFunctionArn(target),
            Payload: {
              'runId.$': '$.runId',
              stageId: context.stageId,
              datasets,
              views: views.map((v) => ({ name: v.name, sql: v.sql })),
            } satisfies Omit<ViewPublishEvent, 'runId'> & { 'runId.$': string },
          },
          ResultSelector: { 'views.$': '$.Payload.views' },
        },
      },
    ];
  },
  permissions: ({ target }) => [{ actions: ['lambda:InvokeFunction'], resources: [viewFunctionArn(target)] }],
  local: {
    publish: async ({ runId, stageId, attributes }, context) => {
      const startedAt = new Date();
      const views = viewsOfStage(
        catalogOf({
          stageId,
          attributes,
          datasets: context.datasets,
          pipelineName: '',
          pipeline: context.pipeline,
        }),
        attributes,
      ).map((v) => ({ name: v.name, sql: v.sql }));
      // The same gate the Lambda applies before Athena sees the SQL.
      for (const view of views) validateViewSql(view.name, view.sql);
      const { openLocalLake } = await import('./local/local-lake');
      const lake = await openLocalLake({
        lakeRoot: context.lakeRoot,
        pipeline: {
          datasets: context.datasets,
          views: {},
          stages: {},
          contracts: context.pipeline?.contracts,
        },
        views: views.map((v) => ({ ...v, origin: 'declared', dependsOn: [] })),
        // creating views reads no data: DuckDB's own default (80% of RAM) is no bound for the twin's process
        memoryLimit: LOCAL_VIEW_MEMORY_LIMIT,
      });
      lake.close();
      context.progress({ message: `views ${lake.views.join(', ')} created over ${context.lakeRoot}` });
      await writeViewManifest(context.store, {
        runId,
        stageId,
        views: lake.views,
        datasets: attributes.datasets ?? [],
        startedAt,
        engine: 'duckdb',
      });
      return { Payload: { views: lake.views } };
    },
  },
};

/** DuckDB's memory limit while the local engine creates a stage's views (they read no data). */
export const LOCAL_VIEW_MEMORY_LIMIT = '256MB';

/** `arn:aws:lambda:<region>:<account>:function:lakepipe-<env>-view` */
export function viewFunctionArn(
  target: Pick<StageCompileContext<unknown>['target'], 'region' | 'accountId' | 'resourceName'>,
): string {
  return `arn:aws:lambda:${target.region}:${target.accountId}:function:${target.resourceName(VIEW_FUNCTION_COMPONENT)}`;
}
