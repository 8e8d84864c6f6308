import path from 'node:path';
import { loadPipelineForCli } from '@lakepipe/cli/stage-registry';
import { compileForLocalRun } from '@lakepipe/cli/twin-compile';
import { loadEnvConfig } from '@lakepipe/constructs';
import { synthJson } from '@lakepipe/constructs/testing';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { stackFactories } from './stack-factories';

const workspaceRoot = path.resolve(__dirname, '..');

describe('the local twin and AWS run the same state machine', () => {
  it('executes locally exactly the definition synthesized for the dev state machine', () => {
    const pipeline = loadPipelineForCli(path.join(workspaceRoot, 'pipeline.yaml'));
    const app = Testing.app();
    const stack = stackFactories.orchestration!(app, loadEnvConfig('dev'), () => pipeline);

    const terraform = synthJson(stack) as {
      resource: { aws_sfn_state_machine: Record<string, { definition: string }> };
    };
    const [machine] = Object.values(terraform.resource.aws_sfn_state_machine);
    const local = compileForLocalRun(pipeline, 'dev').compiled.definition;

    expect(machine!.definition).toBe(JSON.stringify(local));
  });
});
