import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { standInStageTypes } from '../../../infra/orchestration/src/test-fixtures/stage-types';
import { serviceStandIns } from '../../workflow/src/test-fixtures/stage-types';
import { createStageRegistry, loadPipelineWithStages, stageTypes } from './index';

const workspaceRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const probe = path.join(import.meta.dirname, 'test-fixtures', 'import-probe.mjs');

describe('the composition root', () => {
  it('registers every service stage type once, plus the built-in notify', () => {
    // Act
    const registry = createStageRegistry();

    // Assert
    expect(stageTypes.map((t) => t.type)).toEqual(['sourcing', 'spark-etl', 'sagemaker-scoring', 'view']);
    expect(registry.names).toEqual(['notify', 'sagemaker-scoring', 'sourcing', 'spark-etl', 'view']);
  });

  it('validates the repository pipeline.yaml with the registered stage types', () => {
    // Act
    const pipeline = loadPipelineWithStages(path.join(workspaceRoot, 'pipeline.yaml'));

    // Assert
    expect(new Set(Object.values(pipeline.stages).map((s) => s.type))).toEqual(
      new Set(['notify', ...stageTypes.map((t) => t.type)]),
    );
  });

  it('is the list the workflow and orchestration test stand-ins stand in for', () => {
    // Arrange
    const real = stageTypes.map((t) => t.type).sort();

    // Act
    const workflowStandIns = serviceStandIns.map((t) => t.type).sort();
    const orchestrationStandIns = standInStageTypes.map((t) => t.type).sort();

    // Assert
    expect(workflowStandIns).toEqual(real);
    expect(orchestrationStandIns).toEqual(real);
  });

  it('loads no cdktf module when the stage types are imported', () => {
    // Act
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', probe, path.join(import.meta.dirname, 'index.ts')],
      { cwd: workspaceRoot, encoding: 'utf8' },
    );

    // Assert
    const measured = JSON.parse(output) as { modules: number; cdktfModules: number };
    expect(measured.cdktfModules).toBe(0);
    expect(measured.modules).toBeGreaterThan(0);
  });
});
