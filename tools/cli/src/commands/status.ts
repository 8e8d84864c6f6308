import path from 'node:path';
import type { LedgerQueries } from '@lakepipe/ledger/queries';
import type { Command } from 'commander';
import { errorText } from '../errors';
import type { RunDetails } from '../serve/run-details';

/** `lakepipe status [RUN_ID]`: runs, stages, counts and errors, read from the ledger. */
export function register(program: Command): void {
  program
    .command('status')
    .description('show recent runs, or one run with its stages, counts, errors and files not landed')
    .argument('[runId]', 'a run id (YYYYMMDDTHHMMSSZ-xxxxxx); without it, the newest runs')
    .option('--json', 'print JSON instead of a table')
    .option('--limit <n>', 'how many runs to list', '10')
    .option('--lake <dir>', 'the local lake folder', '.lake')
    .option(
      '--env <env>',
      'read the deployed pipeline of this environment (its ledger HTTP API, SigV4) instead of the local twin',
    )
    .action(async (runId: string | undefined, options: StatusOptions & { env?: string }) => {
      if (options.env !== undefined) {
        const { cloudStatusCommand } = await import('../cloud/commands');
        process.exitCode = await cloudStatusCommand(runId, { ...options, env: options.env });
        return;
      }
      process.exitCode = await statusCommand(runId, { ...options, env: 'dev' });
    });
}

export interface StatusOptions {
  readonly json?: boolean;
  readonly limit: string;
  readonly lake: string;
  /** whose ledger table name the local twin uses */
  readonly env: string;
}

type Out = { write(text: string): unknown };

/** `status` over the local twin's ledger and lake. */
export async function statusCommand(
  runId: string | undefined,
  options: StatusOptions,
  out: Out = process.stdout,
): Promise<number> {
  const [
    { compileTargetFor, loadEnvConfig },
    { openLocalLedger },
    { FolderObjectStore },
    { readRunDetails },
  ] = await Promise.all([
    import('@lakepipe/constructs/env'),
    import('../twin/local-ledger'),
    import('../twin/lake-api'),
    import('../serve/run-details'),
  ]);
  if (runId !== undefined) (await import('../twin/lake-api')).assertRunId(runId);
  const target = compileTargetFor(loadEnvConfig(options.env));
  const lakeRoot = path.resolve(options.lake);
  const local = await openLocalLedger(lakeRoot, target.ledgerTable);
  const store = new FolderObjectStore(lakeRoot);
  try {
    // a run the ledger calls RUNNING while no lakepipe command runs it (Ctrl-C, kill) is ABORTED
    await (await import('../twin/orphans')).abortOrphanedRuns(local, lakeRoot);
    return await printStatus(
      {
        ledger: local.ledger,
        where: `the ledger of ${options.lake}`,
        hint: options.lake === '.lake' ? '' : ` --lake ${options.lake}`,
        details: (id) => readRunDetails(id, { store }),
      },
      runId,
      options,
      out,
    );
  } finally {
    await local.close();
  }
}

export interface StatusSource {
  readonly ledger: LedgerQueries;
  /** for messages: `the ledger of .lake`, `the dev ledger (AWS eu-west-1)` */
  readonly where: string;
  /** flags that select the same source again, for printed hints (e.g. ` --env dev`) */
  readonly hint: string;
  /**
   * The lake's details of a run (files not landed).
   * @default none: the section is left out
   */
  readonly details?: (runId: string) => Promise<RunDetails>;
}

/** Prints the newest runs or one run, the same way over the local and the cloud ledger. */
export async function printStatus(
  source: StatusSource,
  runId: string | undefined,
  options: { readonly json?: boolean; readonly limit: string },
  out: Out,
): Promise<number> {
  const { renderTable, formatDuration } = await import('../format/table');
  const took = (a?: string, b?: string) =>
    a && b ? formatDuration(new Date(b).getTime() - new Date(a).getTime()) : '';
  if (runId === undefined) {
    const page = await source.ledger.listRuns({ limit: Number(options.limit) || 10 });
    if (options.json) {
      out.write(`${JSON.stringify(page, null, 2)}\n`);
      return 0;
    }
    if (page.items.length === 0) {
      out.write(`No runs in ${source.where} yet. Start one with: npx lakepipe run${source.hint}\n`);
      return 0;
    }
    out.write(
      `${renderTable(
        ['run', 'pipeline', 'status', 'started', 'took', 'curated', 'rejected', 'scored', 'error'],
        page.items.map((r) => [
          r.runId,
          r.pipeline,
          r.status,
          r.startedAt.replace('T', ' ').slice(0, 19),
          took(r.startedAt, r.finishedAt),
          r.counters.curatedRows,
          r.counters.rejectedRows,
          r.counters.scoredRows,
          r.error ? `${r.error.stageId ?? ''} ${errorText(r.error.name, r.error.cause)}`.trim() : '',
        ]),
      )}\n`,
    );
    return 0;
  }
  const run = await source.ledger.getRun(runId);
  if (!run) {
    out.write(`No run ${runId} in ${source.where}. List runs with: npx lakepipe status${source.hint}\n`);
    return 1;
  }
  const details = source.details ? await source.details(runId).catch(() => undefined) : undefined;
  if (options.json) {
    const notLanded = details?.notLanded;
    out.write(`${JSON.stringify(notLanded ? { ...run, notLanded } : run, null, 2)}\n`);
    return 0;
  }
  out.write(`run ${run.runId} · ${run.pipeline} · ${run.status} · started ${run.startedAt}`);
  out.write(run.finishedAt ? ` · took ${took(run.startedAt, run.finishedAt)}\n\n` : '\n\n');
  out.write(
    `${renderTable(
      ['stage', 'attempt', 'status', 'started', 'took', 'counts', 'error'],
      run.stages.map((s) => [
        s.stageId,
        s.attempt,
        s.status,
        s.startedAt.slice(11, 19),
        took(s.startedAt, s.finishedAt),
        Object.entries(s.counts)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
        s.error ? errorText(s.error.name, s.error.cause) : '',
      ]),
    )}\n`,
  );
  const notLanded = details?.notLanded ?? [];
  if (notLanded.length > 0) {
    out.write(`\nfiles not landed (${notLanded.length}):\n`);
    out.write(
      `${renderTable(
        ['file', 'status', 'reason'],
        notLanded.map((f) => [
          f.source || f.name,
          f.status,
          [f.reason, f.message].filter(Boolean).join(': '),
        ]),
      )}\n`,
    );
  }
  if (run.error) {
    out.write(
      `\n${run.status}${run.error.stageId ? ` in ${run.error.stageId}` : ''}: ${errorText(run.error.name, run.error.cause)}\n`,
    );
  }
  return 0;
}
