import path from 'node:path';
import type { Router } from '@aws-lambda-powertools/event-handler/http';
import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs';
import { jsonResponse, serveLedgerApi } from '@lakepipe/ledger';
import type { PipelineModel } from '@lakepipe/workflow';
import { loadPipelineForCli } from '../stage-registry';
import { openLocalLedger } from '../twin/local-ledger';
import { renderDashboardPage } from './page';

export interface DashboardProps {
  readonly lakeRoot: string;
  readonly configFile: string;
  /** whose ledger table name to read. @default 'dev' */
  readonly env?: string;
  /** @default 8080; 0 picks a free port */
  readonly port?: number;
  /** @default '127.0.0.1': the local API has no authentication */
  readonly host?: string;
  /** more routes on the same server (lakepipe serve mounts the cost endpoints) @default none */
  readonly extraRoutes?: (router: Router) => void;
}

export interface RunningDashboard {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `lakepipe serve`: the ledger HTTP API (the very router the cloud Lambda runs) on loopback, plus
 * `/` (the dashboard page) and `/pipeline` (the flow the diagram is drawn from).
 */
export async function startDashboard(props: DashboardProps): Promise<RunningDashboard> {
  const pipeline = loadPipelineForCli(props.configFile);
  const target = compileTargetFor(loadEnvConfig(props.env ?? 'dev'));
  const local = await openLocalLedger(path.resolve(props.lakeRoot), target.ledgerTable);
  const page = renderDashboardPage(`lakepipe · ${pipeline.name}`);
  const api = await serveLedgerApi({
    ledger: local.ledger,
    port: props.port ?? 8080,
    host: props.host ?? '127.0.0.1',
    extraRoutes: (router) => {
      router.get(
        '/',
        () => new Response(page, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } }),
      );
      router.get('/pipeline', () => jsonResponse(200, pipelineForDiagram(pipeline)));
      props.extraRoutes?.(router);
    },
  });
  return {
    url: api.url,
    async close() {
      await api.close();
      await local.close();
    },
  };
}

/** What the page needs to draw the workflow: the flow and each stage's type. */
export function pipelineForDiagram(pipeline: PipelineModel) {
  return {
    name: pipeline.name,
    flow: pipeline.flow,
    stages: Object.fromEntries(Object.values(pipeline.stages).map((s) => [s.id, { type: s.type }])),
  };
}
