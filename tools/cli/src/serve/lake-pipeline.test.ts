import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipelineForCli } from '../stage-registry';
import { LAKE_PIPELINE_FILE, readPipelineOfLake, recordPipelineInLake } from './lake-pipeline';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const lakeDir = () => {
  mkdirSync(path.join(workspaceRoot, '.tmp'), { recursive: true });
  return mkdtempSync(path.join(workspaceRoot, '.tmp', 'lake-pipeline-'));
};

describe('the pipeline recorded in a lake', () => {
  it('records the name, flow, stage types and datasets of the pipeline that ran, and reads them back', () => {
    const lake = lakeDir();
    const pipeline = loadPipelineForCli(path.join(workspaceRoot, 'pipeline.yaml'));

    recordPipelineInLake(lake, pipeline, 'pipeline.yaml');
    const record = readPipelineOfLake(lake);

    expect(record).toMatchObject({
      name: 'bench-quality',
      configFile: 'pipeline.yaml',
      datasets: ['bench_tests'],
      stages: { source: { type: 'sourcing' }, etl: { type: 'spark-etl' }, warn: { type: 'notify' } },
    });
    expect(record!.flow).toEqual(JSON.parse(JSON.stringify(pipeline.flow)));
  });

  it('is absent for a lake written before lakepipe recorded it, and names a damaged record', () => {
    const lake = lakeDir();
    expect(readPipelineOfLake(lake)).toBeUndefined();

    mkdirSync(path.join(lake, '_lakepipe'));
    writeFileSync(path.join(lake, LAKE_PIPELINE_FILE), JSON.stringify({ name: 'x', flow: [] }));

    expect(() => readPipelineOfLake(lake)).toThrow(
      `${path.join(lake, LAKE_PIPELINE_FILE)} is not a pipeline record lakepipe wrote (configFile: Invalid input: expected string, received undefined); delete it and run again, or pass --config`,
    );
  });
});
