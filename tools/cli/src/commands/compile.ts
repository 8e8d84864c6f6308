import type { Command } from 'commander';

export interface CompileOptions {
  readonly config: string;
  readonly out?: string;
  readonly env: string;
}

/** `lakepipe compile [--config FILE] [--out FILE] [--env dev]`: the Amazon States Language JSON. */
export function register(program: Command): void {
  program
    .command('compile')
    .description('compile pipeline.yaml to the Step Functions definition (Amazon States Language JSON)')
    .option('--config <file>', 'the pipeline file', 'pipeline.yaml')
    .option('--out <file>', 'write the ASL here instead of stdout')
    .option(
      '--env <env>',
      'the environment whose names and ARNs go into the ASL (infra/config/<env>.yaml)',
      'dev',
    )
    .action(async (options: CompileOptions) => {
      process.exitCode = await compileCommand(options);
    });
}

export async function compileCommand(
  options: CompileOptions,
  out: { write(text: string): unknown } = process.stdout,
  err: { write(text: string): unknown } = process.stderr,
): Promise<number> {
  const [{ writeFileSync }, { compilePipeline, PipelineValidationError }, constructs, registryModule] =
    await Promise.all([
      import('node:fs'),
      import('@lakepipe/workflow'),
      import('@lakepipe/constructs'),
      import('../stage-registry'),
    ]);
  try {
    const model = registryModule.loadPipelineForCli(options.config);
    const target = constructs.compileTargetFor(constructs.loadEnvConfig(options.env));
    const { definition } = compilePipeline(model, registryModule.createStageRegistry(), target);
    const json = `${JSON.stringify(definition, null, 2)}\n`;
    if (options.out) {
      writeFileSync(options.out, json);
      err.write(
        `wrote ${options.out} (${Object.keys(definition.States).length} top-level states, env ${options.env})\n`,
      );
    } else out.write(json);
    return 0;
  } catch (error) {
    if (error instanceof PipelineValidationError || error instanceof constructs.EnvConfigError) {
      err.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
