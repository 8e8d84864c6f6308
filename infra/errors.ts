/** The base of every error of the composition of stacks (infra/). */
export class InfraError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InfraError';
  }
}

/** A stack was asked for by name (or project) but the composition root has no factory for it. */
export class MissingStackFactoryError extends InfraError {
  constructor(readonly stackIds: readonly string[]) {
    super(
      `no factory builds stack ${stackIds.map((id) => JSON.stringify(id)).join(', ')}: add it to stackFactories in packages/stages/src/stack-factories.ts`,
    );
    this.name = 'MissingStackFactoryError';
  }
}

/** A --project, --stack or --env value that names nothing. */
export class UnknownSelectionError extends InfraError {
  constructor(
    readonly option: string,
    readonly value: string,
    readonly known: readonly string[],
  ) {
    super(`${option} ${JSON.stringify(value)} names no stack (known: ${known.join(', ')})`);
    this.name = 'UnknownSelectionError';
  }
}

/** A stack that reads the pipeline was built without it: it is listed in stacksWithoutPipeline by mistake. */
export class MissingPipelineError extends InfraError {
  constructor() {
    super(
      'this stack reads the pipeline: remove it from stacksWithoutPipeline (packages/stages/src/stack-factories.ts)',
    );
    this.name = 'MissingPipelineError';
  }
}
