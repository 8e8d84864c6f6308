import { describe, expect, it } from 'vitest';
import { summaryNotes } from './summary';

describe('the notes under a run summary', () => {
  it('points at the run, with its lake, for source files that could not be ingested', () => {
    const rows = [
      {
        stageId: 'source',
        type: 'sourcing',
        status: 'SUCCEEDED',
        attempts: 1,
        counts: { files: 3, skipped: 2 },
      },
    ];

    const notes = summaryNotes(rows, 'npx lakepipe status R1 --lake ../mylake');

    expect(notes).toEqual([
      'source: 2 files could not be ingested — see npx lakepipe status R1 --lake ../mylake',
    ]);
  });

  it('says a re-run found nothing new, counting a file quarantined before as taken, not as ingested', () => {
    const rows = [
      {
        stageId: 'source',
        type: 'sourcing',
        status: 'SUCCEEDED',
        attempts: 1,
        counts: { files: 0, duplicates: 2 },
      },
    ];

    const notes = summaryNotes(rows);

    expect(notes).toEqual([
      'source: nothing new — all 2 source files were taken by an earlier run (landed or quarantined; skipped as duplicates)',
    ]);
  });
});
