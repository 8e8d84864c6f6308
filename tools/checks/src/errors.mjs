// Errors of the project-graph checks (plain ESM JavaScript, like boundaries.mjs).

/** The base of every error the checks throw. */
export class ChecksError extends Error {
  /**
   * @param {string} message
   * @param {ErrorOptions} [options]
   */
  constructor(message, options) {
    super(message, options);
    this.name = 'ChecksError';
  }
}

/** The input given as `nx graph --file` output is not one. */
export class NotAProjectGraphError extends ChecksError {
  /** @param {string[]} keys the top-level keys of what was received */
  constructor(keys) {
    super('not an Nx project graph: expected { graph: { nodes, dependencies } }');
    this.name = 'NotAProjectGraphError';
    /** the top-level keys of what was received */
    this.keys = keys;
  }
}
