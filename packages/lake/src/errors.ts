/** A dataset, stage or view name that could escape its prefix or be spliced into SQL. */
export class InvalidNameError extends Error {
  constructor(
    readonly kind: string,
    readonly value: string,
  ) {
    super(
      `${kind} name ${JSON.stringify(value)} is not allowed: use 1-63 characters, a lower-case letter first, then lower-case letters, digits or _ (pattern ^[a-z][a-z0-9_]{0,62}$)`,
    );
    this.name = 'InvalidNameError';
  }
}

/** A run id that is not of the form YYYYMMDDTHHMMSSZ-xxxxxx. */
export class InvalidRunIdError extends Error {
  constructor(readonly value: string) {
    super(
      `run id ${JSON.stringify(value)} is malformed: expected YYYYMMDDTHHMMSSZ-xxxxxx, e.g. 20261126T064500Z-a1b2c3`,
    );
    this.name = 'InvalidRunIdError';
  }
}

/** An object key that is empty, absolute, or walks out of the lake with `..`. */
export class InvalidObjectKeyError extends Error {
  constructor(
    readonly value: string,
    readonly reason: string,
  ) {
    super(`object key ${JSON.stringify(value)} is malformed: ${reason}`);
    this.name = 'InvalidObjectKeyError';
  }
}

/** get/head/copy of a key that does not exist. */
export class ObjectNotFoundError extends Error {
  constructor(
    readonly location: string,
    readonly key: string,
  ) {
    super(`no object at ${location}/${key}`);
    this.name = 'ObjectNotFoundError';
  }
}
