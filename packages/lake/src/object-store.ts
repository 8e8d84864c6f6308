import type { Readable } from 'node:stream';

export interface ObjectInfo {
  readonly key: string;
  readonly bytes: number;
  readonly lastModified: Date;
  readonly etag?: string;
}

export interface PutResult {
  readonly key: string;
  readonly bytes: number;
  /** hex sha256 of the body, computed while streaming. */
  readonly sha256: string;
}

export interface PutOptions {
  /** @default 'application/octet-stream' */
  readonly contentType?: string;
}

export interface ByteRange {
  /** first byte, inclusive */
  readonly start: number;
  /** last byte, inclusive (as in HTTP Range). @default the end of the object */
  readonly end?: number;
}

export interface ListPage {
  readonly objects: readonly ObjectInfo[];
  /** pass back as `continuationToken` for the next page; absent on the last page */
  readonly nextToken?: string;
}

export interface ListOptions {
  /** @default 1000 */
  readonly pageSize?: number;
  readonly continuationToken?: string;
}

/**
 * The lake as the services see it: keys under one bucket (S3) or one folder (local twin).
 * Both implementations pass the same contract test suite.
 */
export interface ObjectStore {
  readonly kind: 's3' | 'folder';
  /** `s3://bucket` or an absolute folder path; used in messages. */
  readonly location: string;
  /** Streams `body` to `key`; a reader never sees a half-written object. */
  put(key: string, body: Readable | Uint8Array | string, options?: PutOptions): Promise<PutResult>;
  /** Streams the object (or a byte range of it). Throws ObjectNotFoundError. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Metadata, or undefined when the key does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** One page of keys under `prefix`, in lexicographic order. */
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /** Every key under `prefix`, page after page. */
  listAll(prefix: string): AsyncIterable<ObjectInfo>;
  /** Server-side copy inside this store. Throws ObjectNotFoundError. */
  copy(fromKey: string, toKey: string): Promise<void>;
  /** Deletes one key; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every key under `prefix`; returns how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
}

/** Every object under `prefix`, following `list`'s pages: what both stores' `listAll` does. */
export async function* listAllPages(
  list: (prefix: string, options: ListOptions) => Promise<ListPage>,
  prefix: string,
): AsyncIterable<ObjectInfo> {
  let token: string | undefined;
  do {
    const page = await list(prefix, { continuationToken: token });
    yield* page.objects;
    token = page.nextToken;
  } while (token !== undefined);
}
