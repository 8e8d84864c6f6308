import type { Command } from 'commander';

export interface ValidateOptions {
  readonly config: string;
}

/** `lakepipe validate [--config FILE]`: every problem of pipeline.yaml with its line and column. */
export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'check pipeline.yaml: every problem with file:line:column, what is wrong and what is allowed',
    )
    .option('--config <file>', 'the pipeline file', 'pipeline.yaml')
    .action(async (options: ValidateOptions) => {
      process.exitCode = await validateCommand(options);
    });
}

export async function validateCommand(
  options: ValidateOptions,
  out: { write(text: string): unknown } = process.stdout,
  err: { write(text: string): unknown } = process.stderr,
): Promise<number> {
  const [{ PipelineValidationError }, { loadPipelineForCli }] = await Promise.all([
    import('@lakepipe/workflow'),
    import('../stage-registry'),
  ]);
  try {
    const model = loadPipelineForCli(options.config);
    const stages = Object.keys(model.stages).length;
    out.write(`${model.sourceFile ?? options.config}: pipeline ${model.name} is valid (${stages} stages)\n`);
    return 0;
  } catch (error) {
    if (error instanceof PipelineValidationError) {
      err.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
