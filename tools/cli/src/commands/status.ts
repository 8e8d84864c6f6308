import path from 'node:path';
import type { Command } from 'commander';

/** `lakepipe status [RUN_ID]`: runs, stages, counts and errors, read from the ledger. */
export function register(program: Command): void {
  program
    .command('status')
    .description('show recent runs, or one run with its stages, counts and errors, from the ledger')
    .argument('[runId]', 'a run id (YYYYMMDDTHHMMSSZ-xxxxxx); without it, the newest runs')
    .option('--json', 'print JSON instead of a table')
    .option('--limit <n>', 'how many runs to list', '10')
    .option('--lake <dir>', 'the local lake folder', '.lake')
    .option('--env <env>', 'environment (its ledger table name)', 'dev')
    .action(async (runId: string | undefined, options: StatusOptions) => {
      process.exitCode = await statusCommand(runId, options);
    });
}

export interface StatusOptions {
  readonly json?: boolean;
  readonly limit: string;
  readonly lake: string;
  readonly env: string;
}

export async function statusCommand(
  runId: string | undefined,
  options: StatusOptions,
  out: { write(text: string): unknown } = process.stdout,
): Promise<number> {
  const [
    { assertRunId },
    { compileTargetFor, loadEnvConfig },
    { openLocalLedger },
    { renderTable, formatDuration },
  ] = await Promise.all([
    import('@lakepipe/lake'),
    import('@lakepipe/constructs/env'),
    import('../twin/local-ledger'),
    import('../format/table'),
  ]);
  if (runId !== undefined) assertRunId(runId);
  const target = compileTargetFor(loadEnvConfig(options.env));
  const local = await openLocalLedger(path.resolve(options.lake), target.ledgerTable);
  try {
    const took = (a?: string, b?: string) =>
      a && b ? formatDuration(new Date(b).getTime() - new Date(a).getTime()) : '';
    if (runId === undefined) {
      const page = await local.ledger.listRuns({ limit: Number(options.limit) || 10 });
      if (options.json) {
        out.write(`${JSON.stringify(page, null, 2)}\n`);
        return 0;
      }
      if (page.items.length === 0) {
        out.write('No runs in this lake yet. Start one with: npm start\n');
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
            r.error ? `${r.error.stageId ?? ''} ${r.error.name}: ${r.error.cause}`.trim() : '',
          ]),
        )}\n`,
      );
      return 0;
    }
    const run = await local.ledger.getRun(runId);
    if (!run) {
      out.write(`No run ${runId} in the ledger of ${options.lake}. List runs with: npx lakepipe status\n`);
      return 1;
    }
    if (options.json) {
      out.write(`${JSON.stringify(run, null, 2)}\n`);
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
          s.error ? `${s.error.name}: ${s.error.cause}` : '',
        ]),
      )}\n`,
    );
    if (run.error) {
      out.write(
        `\nFAILED${run.error.stageId ? ` in ${run.error.stageId}` : ''}: ${run.error.name}: ${run.error.cause}\n`,
      );
    }
    return 0;
  } finally {
    await local.close();
  }
}
