import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FolderObjectStore, lakePrefixes, readStageManifest } from '@lakepipe/lake';
import { describe, expect, it } from 'vitest';
import { countScoredRun } from './count-scored';
import { ScoredOutputError } from './errors';

const RUN_ID = '20261130T100000Z-c0ffee';
const scored = lakePrefixes.scored('bench_tests', RUN_ID);
const newStore = () => new FolderObjectStore(mkdtempSync(path.join(os.tmpdir(), 'count-scored-')));

describe('countScoredRun', () => {
  it('counts scored rows and flags a score equal to the threshold, across files, into the manifest', async () => {
    // Arrange
    const store = newStore();
    await store.put(`${scored}part-0.csv.out`, 'T-1,0.5\nT-2,0.49999\nT-3,0.9\n');
    await store.put(`${scored}part-1.csv.out`, 'T-4,0.1\r\nT-5,0.75');
    await store.put(`${scored}_rejected.csv`, 'source_file,line_number\nx,1\n');

    // Act
    const manifest = await countScoredRun(store, {
      runId: RUN_ID,
      stageId: 'score',
      dataset: 'bench_tests',
      threshold: 0.5,
    });

    // Assert
    expect(manifest.counts).toEqual({ scoredRows: 5, flaggedRows: 3, files: 2, threshold: 0.5 });
    expect(manifest.outputs.map((o) => [o.key, o.bytes])).toEqual([
      [`${scored}part-0.csv.out`, 28],
      [`${scored}part-1.csv.out`, 17],
    ]);
    expect(await readStageManifest(store, RUN_ID, 'score')).toEqual(manifest);
  });

  it('names the file, line and text of a line without a numeric score', async () => {
    // Arrange
    const store = newStore();
    await store.put(`${scored}part-0.csv.out`, 'T-1,0.5\nT-2,high\n');

    // Act
    const count = countScoredRun(store, {
      runId: RUN_ID,
      stageId: 'score',
      dataset: 'bench_tests',
      threshold: 0.5,
    });

    // Assert
    await expect(count).rejects.toThrow(ScoredOutputError);
    await expect(count).rejects.toThrow(
      `${scored}part-0.csv.out:2: expected "<id>,<score>" with a numeric score (got "T-2,high")`,
    );
  });
});
