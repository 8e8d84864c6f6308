import path from 'node:path';
import type { Router } from '@aws-lambda-powertools/event-handler/http';
import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs/env';
import { assertRunId, FolderObjectStore } from '@lakepipe/lake';
import { jsonResponse, type LedgerQueries, serveLedgerApi } from '@lakepipe/ledger';
import { loadPipelineForCli } from '../stage-registry';
import { openLocalLedger } from '../twin/local-ledger';
import { type PipelineGraph, pipelineGraph, readPipelineOfLake } from './lake-pipeline';
import { renderDashboardPage } from './page';
import { type RunDetails, readRunDetails } from './run-details';

/** Where a dashboard reads from: a ledger (local or cloud), the lake's details of a run, and the pipeline. */
export interface DashboardSource {
  readonly ledger: LedgerQueries;
  readonly pipeline: PipelineGraph;
  /** e.g. `local twin · lake .lake` or `dev · AWS eu-west-1 · read-only` */
  readonly description: string;
  details(runId: string): Promise<RunDetails | { readonly unavailable: string; readonly queries: [] }>;
  close(): Promise<void>;
}

export interface ServeDashboardProps {
  /** @default 8080; 0 picks a free port */
  readonly port?: number;
  /** @default '127.0.0.1': the served API has no authentication of its own */
  readonly host?: string;
  /**
   * More routes on the same server (e.g. `GET /cost/runs/{runId}`, which the page shows in its
   * cost panel when it answers).
   * @default none
   */
  readonly extraRoutes?: (router: Router) => void;
}

export interface DashboardProps extends ServeDashboardProps {
  readonly lakeRoot: string;
  /**
   * The pipeline file to draw when the lake has no record of the pipeline that wrote it.
   * @default pipeline.yaml
   */
  readonly configFile?: string;
  /** whose ledger table name to read. @default 'dev' */
  readonly env?: string;
}

export interface RunningDashboard {
  readonly url: string;
  /** where the diagram's pipeline came from: the lake's record, or the pipeline file */
  readonly pipelineFrom: string;
  close(): Promise<void>;
}

/**
 * `lakepipe serve`: the ledger HTTP API (the very router the cloud Lambda runs) on loopback, plus
 * `/` (the page), `/dashboard` (title, source, pipeline graph) and `/runs/{id}/details`.
 * The diagram shows the pipeline recorded in the lake by the run that wrote it
 * (`<lake>/_lakepipe/pipeline.json`), else the pipeline file.
 */
export async function startDashboard(props: DashboardProps): Promise<RunningDashboard> {
  const lakeRoot = path.resolve(props.lakeRoot);
  const recorded = readPipelineOfLake(lakeRoot);
  const configFile = props.configFile ?? 'pipeline.yaml';
  const graph = recorded ?? pipelineGraph(loadPipelineForCli(configFile));
  const target = compileTargetFor(loadEnvConfig(props.env ?? 'dev'));
  const local = await openLocalLedger(lakeRoot, target.ledgerTable);
  const store = new FolderObjectStore(lakeRoot);
  const relLake = path.relative(process.cwd(), lakeRoot) || '.';
  const queryFlags = [
    relLake === '.lake' ? '' : `--lake ${relLake}`,
    recorded ? `--config ${recorded.configFile}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const dashboard = await serveDashboard(
    {
      ledger: local.ledger,
      pipeline: graph,
      description: `local twin · lake ${relLake}`,
      details: (runId) => readRunDetails(runId, { store, queryFlags, datasets: graph.datasets }),
      close: () => local.close(),
    },
    props,
  );
  return {
    ...dashboard,
    pipelineFrom: recorded
      ? `${path.join(relLake, '_lakepipe', 'pipeline.json')} (written by the last run)`
      : configFile,
  };
}

/** Serves the page and its JSON over any source: the local twin's ledger or the cloud's. */
export async function serveDashboard(
  source: DashboardSource,
  props: ServeDashboardProps,
): Promise<{ readonly url: string; close(): Promise<void> }> {
  const page = renderDashboardPage(`lakepipe · ${source.pipeline.name}`);
  const meta = {
    title: `lakepipe · ${source.pipeline.name}`,
    source: source.description,
    pipeline: source.pipeline,
  };
  const api = await serveLedgerApi({
    ledger: source.ledger,
    port: props.port ?? 8080,
    host: props.host ?? '127.0.0.1',
    extraRoutes: (router) => {
      router.get(
        '/',
        () =>
          new Response(page, {
            status: 200,
            headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
          }),
      );
      router.get('/dashboard', () => jsonResponse(200, meta));
      router.get('/pipeline', () => jsonResponse(200, source.pipeline));
      router.get('/runs/:runId/details', async ({ params }) =>
        jsonResponse(200, await source.details(assertRunId(params.runId ?? ''))),
      );
      props.extraRoutes?.(router);
    },
  });
  return {
    url: api.url,
    async close() {
      await api.close();
      await source.close();
    },
  };
}
