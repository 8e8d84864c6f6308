import path from 'node:path';
import type { Router } from '@aws-lambda-powertools/event-handler/http';
import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs';
import { assertRunId } from '@lakepipe/lake';
import { jsonResponse, type LedgerQueries } from '@lakepipe/ledger';
import type { PipelineModel } from '@lakepipe/workflow';
import { localCostReport } from '../cost/local-report';
import { loadPipelineForCli } from '../stage-registry';
import { openLocalLedger } from '../twin/local-ledger';
import { renderCostPanel } from './cost-panel';

export interface CostRoutesProps {
  /** the ledger holding the runs; opened on the first request */
  readonly ledger: () => Promise<LedgerQueries>;
  readonly pipeline: PipelineModel | (() => PipelineModel);
  /** the environment to price in @default 'dev' */
  readonly env?: string;
}

/**
 * The dashboard's cost data, for `serveDashboard`'s `extraRoutes`:
 * `GET /cost` (the newest run's CostReport, as `lakepipe cost --format json`; `?env=prod&runsPerDay=4&months=12`),
 * `GET /cost/runs/{runId}` (the same for one run) and `GET /cost/panel[?runId=]` (renderCostPanel as a page).
 */
export function costRoutes(props: CostRoutesProps): (router: Router) => void {
  const reportFor = async (runId: string | undefined, query: URLSearchParams) => {
    const number = (key: string) => {
      const value = query.get(key);
      return value === null || value === '' || !Number.isFinite(Number(value)) ? undefined : Number(value);
    };
    return localCostReport(await props.ledger(), {
      pipeline: typeof props.pipeline === 'function' ? props.pipeline() : props.pipeline,
      env: query.get('env') ?? props.env ?? 'dev',
      runId,
      runsPerDay: number('runsPerDay'),
      months: number('months'),
    });
  };
  const queryOf = (req: Request) => new URL(req.url).searchParams;
  return (router) => {
    router.get('/cost', async ({ req }) => jsonResponse(200, await reportFor(undefined, queryOf(req))));
    router.get('/cost/runs/:runId', async ({ req, params }) =>
      jsonResponse(200, await reportFor(assertRunId(params.runId ?? ''), queryOf(req))),
    );
    router.get('/cost/panel', async ({ req }) => {
      const query = queryOf(req);
      const runId = query.get('runId');
      const panel = renderCostPanel(await reportFor(runId ? assertRunId(runId) : undefined, query));
      return new Response(`<!doctype html><meta charset="utf-8"><title>lakepipe cost</title>${panel}`, {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
      });
    });
  };
}

/**
 * costRoutes over a local lake, for `lakepipe serve`: the lake's ledger (the table `npm start` records
 * into, dev's) is opened on the first request, and pipeline.yaml is read on each (it may change).
 */
export function costRoutesForLake(props: {
  readonly lakeRoot: string;
  readonly configFile: string;
  /** the environment to price in @default 'dev' */
  readonly env?: string;
}): (router: Router) => void {
  let ledger: Promise<LedgerQueries> | undefined;
  return costRoutes({
    ledger: () => {
      ledger ??= openLocalLedger(
        path.resolve(props.lakeRoot),
        compileTargetFor(loadEnvConfig('dev')).ledgerTable,
      ).then((local) => local.ledger);
      return ledger;
    },
    pipeline: () => loadPipelineForCli(props.configFile),
    env: props.env,
  });
}
