import type { RunWithStages, StageAttemptItem } from '@lakepipe/ledger';
import type { PipelineModel } from '@lakepipe/workflow';
import { type Cell, formatDuration, renderTable } from '../format/table';

export interface StageSummaryRow {
  readonly stageId: string;
  readonly type: string;
  readonly status: string;
  readonly attempts: number;
  readonly durationMs?: number;
  readonly counts: Readonly<Record<string, number>>;
}

/** One row per stage of the pipeline, in declaration order, from the ledger's record of the run. */
export function summarizeStages(pipeline: PipelineModel, run: RunWithStages | undefined): StageSummaryRow[] {
  const byStage = new Map<string, StageAttemptItem[]>();
  for (const attempt of run?.stages ?? []) {
    byStage.set(attempt.stageId, [...(byStage.get(attempt.stageId) ?? []), attempt]);
  }
  return Object.values(pipeline.stages).map((stage) => {
    const attempts = (byStage.get(stage.id) ?? []).sort((a, b) => a.attempt - b.attempt);
    const last = attempts[attempts.length - 1];
    const first = attempts[0];
    const durationMs =
      first && last?.finishedAt
        ? new Date(last.finishedAt).getTime() - new Date(first.startedAt).getTime()
        : undefined;
    return {
      stageId: stage.id,
      type: stage.type,
      status: last?.status ?? 'NOT RUN',
      attempts: attempts.length,
      durationMs,
      counts: last?.counts ?? {},
    };
  });
}

const dash = (value: number | undefined): Cell => (value === undefined ? '' : value);

export function renderStageSummary(rows: readonly StageSummaryRow[]): string {
  return renderTable(
    [
      'stage',
      'type',
      'status',
      'attempts',
      'duration',
      'files',
      'rows in',
      'curated',
      'rejected',
      'scored',
      'flagged',
    ],
    rows.map((r) => [
      r.stageId,
      r.type,
      r.status,
      r.attempts || '',
      formatDuration(r.durationMs),
      dash(r.counts.files ?? r.counts.filesRead),
      dash(r.counts.rowsRead),
      dash(r.counts.curatedRows),
      dash(r.counts.rejectedRows),
      dash(r.counts.scoredRows),
      dash(r.counts.flaggedRows),
    ]),
  );
}

/**
 * Sentences worth a line of their own under the table (e.g. a re-run that found nothing new).
 * @param statusCommand the command that shows this run, with its --lake. @default `npx lakepipe status`
 */
export function summaryNotes(
  rows: readonly StageSummaryRow[],
  statusCommand = 'npx lakepipe status',
): string[] {
  const notes: string[] = [];
  for (const r of rows) {
    const { files = 0, duplicates = 0, skipped = 0 } = r.counts;
    if (r.type === 'sourcing' && r.status === 'SUCCEEDED') {
      if (files === 0 && duplicates > 0) {
        notes.push(
          `${r.stageId}: nothing new — all ${duplicates} source files were taken by an earlier run (landed or quarantined; skipped as duplicates)`,
        );
      } else if (duplicates > 0) {
        notes.push(
          `${r.stageId}: ${files} new files landed, ${duplicates} taken by an earlier run (landed or quarantined) were skipped`,
        );
      }
      if (skipped > 0)
        notes.push(`${r.stageId}: ${skipped} files could not be ingested — see ${statusCommand}`);
    }
    if (r.counts.rejectedRows) {
      notes.push(
        `${r.stageId}: ${r.counts.rejectedRows} rejected rows kept with their reason in rejected/ (query rejected_<dataset> or <dataset>_rejects_summary)`,
      );
    }
  }
  return notes;
}
