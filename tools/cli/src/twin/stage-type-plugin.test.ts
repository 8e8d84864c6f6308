import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FolderObjectStore, readStageManifest } from '@lakepipe/lake';
import { compileForEnv } from '@lakepipe/stages';
import { parsePipeline } from '@lakepipe/workflow';
import { describe, expect, it } from 'vitest';
import { createStageRegistry } from '../stage-registry';
import { runLocalPipeline } from './runner';
import { fileCensusStageType } from './test-fixtures/file-census/stage-type';

const workspaceRoot = path.resolve(__dirname, '../../../..');

const PIPELINE = `
name: census
datasets:
  notes:
    source: { type: s3, prefix: landing/notes/ }
    format: { csv: { header: true, delimiter: "," } }
    columns:
      id: { type: string, required: true, unique: true }
stages:
  source: { type: sourcing, datasets: [notes] }
  census: { type: file-census, dataset: notes }
flow: [source, census]
`;

describe('a stage type added by the documented steps (docs/adding-a-stage-type.md)', () => {
  it('validates, compiles with the uniform manifest read, and runs in the twin with its manifest and ledger counts', async () => {
    // Arrange: the type's own folder (test-fixtures/file-census) plus the registry
    const stageTypes = [fileCensusStageType];
    const dir = mkdtempSync(path.join(workspaceRoot, '.tmp', 'stage-type-plugin-'));
    const configFile = path.join(dir, 'pipeline.yaml');
    writeFileSync(configFile, PIPELINE);
    const sourceDir = path.join(dir, 'in');
    mkdirSync(sourceDir);
    writeFileSync(path.join(sourceDir, 'a.csv'), 'id\nN-1\nN-2\n');
    writeFileSync(path.join(sourceDir, 'b.csv'), 'id\nN-3\n');
    const lakeRoot = path.join(dir, 'lake');

    // Act
    const pipeline = parsePipeline(PIPELINE, { registry: createStageRegistry(stageTypes) });
    const { definition } = compileForEnv(pipeline, 'dev', stageTypes).compiled;
    const result = await runLocalPipeline({
      configFile,
      lakeRoot,
      sourceDir,
      rows: 0,
      env: 'dev',
      stageTypes,
    });

    // Assert
    const census = (
      definition.States.census as { Branches: { States: Record<string, { Resource?: string }> }[] }
    ).Branches[0]!.States;
    expect(census['census.count']?.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(census['census.manifest']?.Resource).toBe('arn:aws:states:::aws-sdk:s3:getObject');
    expect(result.ok).toBe(true);
    const manifest = await readStageManifest(new FolderObjectStore(lakeRoot), result.runId, 'census');
    expect(manifest).toMatchObject({ stageType: 'file-census', counts: { files: 2, bytes: 18 } });
    expect(manifest.outputs).toHaveLength(2);
    expect(result.output?.census).toEqual({ files: 2, bytes: 18 });
    expect(result.run?.stages.find((s) => s.stageId === 'census')).toMatchObject({
      status: 'SUCCEEDED',
      counts: { files: 2, bytes: 18 },
    });
  }, 300_000);
});
