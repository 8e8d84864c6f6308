import path from 'node:path';
import { loadEnvConfig } from '@lakepipe/constructs';
import { synthJson } from '@lakepipe/constructs/testing';
import { compileForEnv, loadPipelineWithStages } from '@lakepipe/stages';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { stackFactories } from './stack-factories';

const workspaceRoot = path.resolve(__dirname, '..');

describe('the local twin and AWS run the same state machine', () => {
  it('executes locally exactly the definition synthesized for the dev state machine', () => {
    const pipeline = loadPipelineWithStages(path.join(workspaceRoot, 'pipeline.yaml'));
    const app = Testing.app();
    const stack = stackFactories.orchestration!(app, loadEnvConfig('dev'), () => pipeline);

    const terraform = synthJson(stack) as {
      resource: { aws_sfn_state_machine: Record<string, { definition: string }> };
    };
    const [machine] = Object.values(terraform.resource.aws_sfn_state_machine);
    // the twin (tools/cli run) executes compileForEnv(pipeline, env).compiled.definition
    const local = compileForEnv(pipeline, 'dev').compiled.definition;

    expect(machine!.definition).toBe(JSON.stringify(local));
  });
});
