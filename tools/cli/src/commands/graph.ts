import type { Command } from 'commander';
import { InvalidOptionError } from '../errors';

export interface GraphOptions {
  readonly config: string;
  readonly format: string;
}

/** `lakepipe graph [--config FILE] [--format mermaid]`: a flowchart of the flow. */
export function register(program: Command): void {
  program
    .command('graph')
    .description(
      'print a flowchart of the workflow: stages, choices with their conditions, parallel forks and joins',
    )
    .option('--config <file>', 'the pipeline file', 'pipeline.yaml')
    .option('--format <format>', 'output format: mermaid', 'mermaid')
    .action(async (options: GraphOptions) => {
      process.exitCode = await graphCommand(options);
    });
}

export async function graphCommand(
  options: GraphOptions,
  out: { write(text: string): unknown } = process.stdout,
  err: { write(text: string): unknown } = process.stderr,
): Promise<number> {
  if (options.format !== 'mermaid') throw new InvalidOptionError('--format', options.format, 'use mermaid');
  const [{ pipelineToMermaid, PipelineValidationError }, { loadPipelineForCli }] = await Promise.all([
    import('@lakepipe/workflow'),
    import('../stage-registry'),
  ]);
  try {
    out.write(pipelineToMermaid(loadPipelineForCli(options.config)));
    return 0;
  } catch (error) {
    if (error instanceof PipelineValidationError) {
      err.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
