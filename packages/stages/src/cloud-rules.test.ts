import { readdirSync } from 'node:fs';
import path from 'node:path';
import { checkCloudRules, formatCloudRuleViolations } from '@lakepipe/workflow';
import { describe, expect, it } from 'vitest';
import { compileForEnv, loadPipelineWithStages } from './index';

const workspaceRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const examples = path.join(workspaceRoot, 'packages', 'workflow', 'examples');
const pipelines = [
  path.join(workspaceRoot, 'pipeline.yaml'),
  ...readdirSync(examples)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(examples, f)),
];

describe('what only AWS would reject (cloud rules), with every real stage type', () => {
  for (const file of pipelines)
    for (const env of ['dev', 'prod'])
      it(`${path.relative(workspaceRoot, file)} for ${env} breaks no cloud rule`, () => {
        // Arrange
        const pipeline = loadPipelineWithStages(file);

        // Act
        const { compiled } = compileForEnv(pipeline, env);
        const violations = checkCloudRules(compiled.definition, {
          serviceTimeouts: compiled.serviceTimeouts,
        });

        // Assert
        expect(formatCloudRuleViolations(violations)).toBe('');
      });

  it('knows the service timeout of every Lambda and Glue task of the shipped pipeline', () => {
    // Act
    const { compiled } = compileForEnv(
      loadPipelineWithStages(path.join(workspaceRoot, 'pipeline.yaml')),
      'dev',
    );

    // Assert: a state outlasts its service by the margin, computed from the one stage timeout
    expect(compiled.serviceTimeouts).toMatchObject({
      'source.ingest': { seconds: 900 },
      'etl.run': { seconds: 1800 },
      'views.publish': { seconds: 900 },
      'report.publish': { seconds: 900 },
    });
  });
});
