import { existsSync } from 'node:fs';
import { loadPipelineWithStages } from '@lakepipe/stages';
import type { PipelineModel } from '@lakepipe/workflow';
import { InvalidOptionError } from './errors';

// The stage types come from the composition root (@lakepipe/stages): the CLI, the twin and infra read one list.
export { createStageRegistry } from '@lakepipe/stages';

/** Loads and validates a pipeline file with every service's stage type registered. */
export function loadPipelineForCli(file: string): PipelineModel {
  if (!existsSync(file)) {
    throw new InvalidOptionError(
      '--config',
      file,
      'a pipeline file that exists (default: pipeline.yaml in the current folder)',
    );
  }
  return loadPipelineWithStages(file);
}
