/** The base of every error of the lake package (names, prefixes, object stores, manifests). */
export class LakeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LakeError';
  }
}

/** A dataset, stage or view name that could escape its prefix or be spliced into SQL. */
export class InvalidNameError extends LakeError {
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
export class InvalidRunIdError extends LakeError {
  constructor(readonly value: string) {
    super(
      `run id ${JSON.stringify(value)} is malformed: expected YYYYMMDDTHHMMSSZ-xxxxxx, e.g. 20261126T064500Z-a1b2c3`,
    );
    this.name = 'InvalidRunIdError';
  }
}

/** An object key that is empty, absolute, or walks out of the lake with `..`. */
export class InvalidObjectKeyError extends LakeError {
  constructor(
    readonly value: string,
    readonly reason: string,
  ) {
    super(`object key ${JSON.stringify(value)} is malformed: ${reason}`);
    this.name = 'InvalidObjectKeyError';
  }
}

/** get/head/copy of a key that does not exist. */
export class ObjectNotFoundError extends LakeError {
  constructor(
    readonly location: string,
    readonly key: string,
  ) {
    super(`no object at ${location}/${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

/** A list continuation token this store did not hand out. */
export class InvalidContinuationTokenError extends LakeError {
  constructor(readonly token: string) {
    super(
      `continuation token ${JSON.stringify(token)} was not issued by this store: pass back the nextToken of the previous page`,
    );
    this.name = 'InvalidContinuationTokenError';
  }
}

/** A request to the object store's backend (S3) that failed for a reason other than a missing key. */
export class ObjectStoreError extends LakeError {
  constructor(
    readonly location: string,
    readonly operation: string,
    readonly key: string,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`${operation} ${location}/${key} failed: ${detail}`, { cause });
    this.name = 'ObjectStoreError';
  }
}

/** A stage manifest that does not match the contract (manifest.ts); `problems` name each field and value. */
export class StageManifestError extends LakeError {
  constructor(
    readonly key: string,
    readonly problems: readonly string[],
  ) {
    super(`stage manifest ${key} is invalid: ${problems.join('; ')}`);
    this.name = 'StageManifestError';
  }
}

/** A part of a lake key that is malformed (a dt that is not YYYY-MM-DD, a file name with `/`). */
export class InvalidKeyPartError extends LakeError {
  constructor(
    readonly part: string,
    readonly value: string,
    readonly problem: string,
  ) {
    super(`${part} ${JSON.stringify(value)} ${problem}`);
    this.name = 'InvalidKeyPartError';
  }
}
