import type { Command } from 'commander';

export interface ValidateOptions {
  readonly config: string;
  /**
   * The environment whose names the cloud rules are checked with.
   * @default dev
   */
  readonly env?: string;
}

/** `lakepipe validate [--config FILE]`: every problem of pipeline.yaml with its line and column. */
export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'check pipeline.yaml: every problem with file:line:column, what is wrong and what is allowed',
    )
    .option('--config <file>', 'the pipeline file', 'pipeline.yaml')
    .option('--env <name>', 'the environment whose state machine is checked against what AWS accepts', 'dev')
    .action(async (options: ValidateOptions) => {
      process.exitCode = await validateCommand(options);
    });
}

export async function validateCommand(
  options: ValidateOptions,
  out: { write(text: string): unknown } = process.stdout,
  err: { write(text: string): unknown } = process.stderr,
): Promise<number> {
  const [{ PipelineValidationError, checkCloudRules, formatCloudRuleViolations }, { loadPipelineForCli }] =
    await Promise.all([import('@lakepipe/workflow'), import('../stage-registry')]);
  try {
    const model = loadPipelineForCli(options.config);
    const stages = Object.keys(model.stages).length;
    // valid YAML can still compile to a state machine AWS refuses (limits the interpreter does not know)
    const { compileForEnv } = await import('@lakepipe/stages');
    const { compiled } = compileForEnv(model, options.env ?? 'dev');
    const violations = checkCloudRules(compiled.definition, { serviceTimeouts: compiled.serviceTimeouts });
    if (violations.length > 0) {
      err.write(
        `${model.sourceFile ?? options.config}: pipeline ${model.name} compiles to a state machine AWS would reject (${violations.length} problem${violations.length === 1 ? '' : 's'}):\n${formatCloudRuleViolations(violations)}\n`,
      );
      return 1;
    }
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
