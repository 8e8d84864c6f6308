import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StageManifestError } from './errors';
import { FolderObjectStore } from './folder-object-store';
import { readAll } from './hashing';
import { parseStageManifest, readStageManifest, writeStageManifest } from './manifest';

const RUN_ID = '20261130T100000Z-a1b2c3';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function newStore() {
  return new FolderObjectStore(await mkdtemp(path.join(tmpdir(), 'manifest-')));
}

describe('stage manifests', () => {
  it('writes counts, measured outputs, schema and timings to _manifests/run=<id>/<stage>.json', async () => {
    // Arrange
    const store = await newStore();
    await store.put('scored/ds/run=20261130T100000Z-a1b2c3/b.csv.out', 'id,score\n1,0.9\n');
    const given = { key: 'scored/ds/run=20261130T100000Z-a1b2c3/a.csv.out', bytes: 3, sha256: sha256('abc') };

    // Act
    await writeStageManifest(store, {
      runId: RUN_ID,
      stageId: 'score',
      stageType: 'sagemaker-scoring',
      engine: 'typescript-scorer',
      counts: { scoredRows: 1, flaggedRows: 1 },
      outputs: ['scored/ds/run=20261130T100000Z-a1b2c3/b.csv.out', given],
      schema: { scored: [{ name: 'score', type: 'double' }] },
      startedAt: new Date('2026-11-30T10:00:00.000Z'),
      finishedAt: new Date('2026-11-30T10:00:02.500Z'),
    });

    // Assert
    const text = (
      await readAll(await store.get('_manifests/run=20261130T100000Z-a1b2c3/score.json'))
    ).toString();
    expect(JSON.parse(text)).toEqual({
      manifestVersion: 1,
      runId: RUN_ID,
      stageId: 'score',
      stageType: 'sagemaker-scoring',
      engine: 'typescript-scorer',
      counts: { scoredRows: 1, flaggedRows: 1 },
      outputs: [
        given,
        {
          key: 'scored/ds/run=20261130T100000Z-a1b2c3/b.csv.out',
          bytes: 15,
          sha256: sha256('id,score\n1,0.9\n'),
        },
      ],
      schema: { scored: [{ name: 'score', type: 'double' }] },
      timings: {
        startedAt: '2026-11-30T10:00:00.000Z',
        finishedAt: '2026-11-30T10:00:02.500Z',
        durationMs: 2500,
      },
    });
    expect(await readStageManifest(store, RUN_ID, 'score')).toEqual(JSON.parse(text));
  });

  it('rejects a manifest whose counts are not numbers, naming the field and the value', () => {
    // Arrange
    const text = JSON.stringify({
      manifestVersion: 1,
      runId: RUN_ID,
      stageId: 'etl',
      stageType: 'spark-etl',
      engine: 'spark',
      counts: { rowsRead: '12' },
      outputs: [],
      schema: {},
      timings: {
        startedAt: '2026-11-30T10:00:00.000Z',
        finishedAt: '2026-11-30T10:00:01.000Z',
        durationMs: 1000,
      },
    });

    // Act
    const parse = () => parseStageManifest(text, '_manifests/run=x/etl.json');

    // Assert
    expect(parse).toThrow(StageManifestError);
    expect(parse).toThrow(
      'stage manifest _manifests/run=x/etl.json is invalid: counts.rowsRead Invalid input: expected number, received string (got "12")',
    );
  });

  it('refuses to write an output whose sha256 is not hex', async () => {
    // Arrange
    const store = await newStore();

    // Act
    const write = writeStageManifest(store, {
      runId: RUN_ID,
      stageId: 'source',
      stageType: 'sourcing',
      engine: 'lambda',
      counts: {},
      outputs: [{ key: 'raw/a.csv', bytes: 1, sha256: 'XYZ' }],
      startedAt: new Date('2026-11-30T10:00:00.000Z'),
    });

    // Assert
    await expect(write).rejects.toThrow('outputs.0.sha256 must be 64 lower-case hex digits (got "XYZ")');
    expect(await store.head('_manifests/run=20261130T100000Z-a1b2c3/source.json')).toBeUndefined();
  });
});
