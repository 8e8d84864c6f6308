/** A stack was asked for by name (or project) but nothing builds it yet. */
export class MissingStackFactoryError extends Error {
  constructor(readonly stackIds: readonly string[]) {
    super(
      `no factory builds stack ${stackIds.map((id) => JSON.stringify(id)).join(', ')}: add it to stackFactories in infra/stack-factories.ts`,
    );
    this.name = 'MissingStackFactoryError';
  }
}

/** A --project, --stack or --env value that names nothing. */
export class UnknownSelectionError extends Error {
  constructor(
    readonly option: string,
    readonly value: string,
    readonly known: readonly string[],
  ) {
    super(`${option} ${JSON.stringify(value)} names no stack (known: ${known.join(', ')})`);
    this.name = 'UnknownSelectionError';
  }
}
