import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { InvalidObjectKeyError, LakeError, ObjectNotFoundError, ObjectStoreError } from './errors';
import { HashingTap, toReadable } from './hashing';
import { assertObjectKey } from './names';
import {
  type ByteRange,
  type ListOptions,
  type ListPage,
  listAllPages,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
} from './object-store';

export interface S3ObjectStoreProps {
  readonly client: S3Client;
  readonly bucket: string;
  /**
   * Part size for multipart uploads; bodies smaller than one part go up in a single PutObject.
   * @default 8 MiB
   */
  readonly partSizeBytes?: number;
  /**
   * Parts uploaded in parallel.
   * @default 4
   */
  readonly queueSize?: number;
  /**
   * KMS key for SSE-KMS on every put and copy.
   * @default the bucket's default encryption applies
   */
  readonly kmsKeyId?: string;
}

/**
 * The lake as one S3 bucket. Puts stream through `@aws-sdk/lib-storage` (multipart above one
 * part) with the sha256 computed on the way; S3 never exposes a half-written object.
 */
export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3' as const;
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(private readonly props: S3ObjectStoreProps) {
    this.client = props.client;
    this.bucket = props.bucket;
    this.location = `s3://${props.bucket}`;
  }

  async put(key: string, body: Readable | Uint8Array | string, options: PutOptions = {}): Promise<PutResult> {
    assertPutKey(key);
    const tap = new HashingTap();
    const source = toReadable(body);
    const upload = new Upload({
      client: this.client,
      partSize: this.props.partSizeBytes ?? 8 * 1024 * 1024,
      queueSize: this.props.queueSize ?? 4,
      leavePartsOnError: false,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: tap,
        ContentType: options.contentType ?? 'application/octet-stream',
        ...(this.props.kmsKeyId === undefined
          ? {}
          : { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: this.props.kmsKeyId }),
      },
    });
    try {
      await Promise.all([pipeline(source, tap), upload.done()]);
    } catch (error) {
      source.destroy();
      throw new ObjectStoreError(this.location, 'put', key, error);
    }
    return { key, bytes: tap.bytes, sha256: tap.digest() };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertObjectKey(key);
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range === undefined ? undefined : `bytes=${range.start}-${range.end ?? ''}`,
        }),
      );
      return response.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(this.location, key);
      throw new ObjectStoreError(this.location, 'get', key, error);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertObjectKey(key);
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        bytes: response.ContentLength ?? 0,
        lastModified: response.LastModified ?? new Date(0),
        etag: response.ETag,
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new ObjectStoreError(this.location, 'head', key, error);
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    if (prefix !== '') assertObjectKey(prefix);
    try {
      const response = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix === '' ? undefined : prefix,
          MaxKeys: options.pageSize ?? 1000,
          ContinuationToken: options.continuationToken,
        }),
      );
      const objects: ObjectInfo[] = (response.Contents ?? []).map((o) => ({
        key: o.Key ?? '',
        bytes: o.Size ?? 0,
        lastModified: o.LastModified ?? new Date(0),
        etag: o.ETag,
      }));
      const nextToken = response.IsTruncated ? response.NextContinuationToken : undefined;
      return nextToken === undefined ? { objects } : { objects, nextToken };
    } catch (error) {
      throw new ObjectStoreError(this.location, 'list', prefix, error);
    }
  }

  listAll(prefix: string): AsyncIterable<ObjectInfo> {
    return listAllPages((p, options) => this.list(p, options), prefix);
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    assertObjectKey(fromKey);
    assertPutKey(toKey);
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: toKey,
          CopySource: `${this.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`,
          ...(this.props.kmsKeyId === undefined
            ? {}
            : { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: this.props.kmsKeyId }),
        }),
      );
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(this.location, fromKey);
      throw new ObjectStoreError(this.location, 'copy', fromKey, error);
    }
  }

  async delete(key: string): Promise<void> {
    assertObjectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw new ObjectStoreError(this.location, 'delete', key, error);
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    // Collect first: deleting while paginating would shift the listing under the token.
    const keys: string[] = [];
    for await (const object of this.listAll(prefix)) keys.push(object.key);
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      try {
        const response = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        const failed = response.Errors ?? [];
        if (failed.length > 0)
          throw new LakeError(
            `${failed.length} keys not deleted, first ${failed[0]?.Key}: ${failed[0]?.Message}`,
          );
      } catch (error) {
        throw new ObjectStoreError(this.location, 'deletePrefix', prefix, error);
      }
      deleted += batch.length;
    }
    return deleted;
  }
}

function assertPutKey(key: string): void {
  assertObjectKey(key);
  if (key.endsWith('/')) throw new InvalidObjectKeyError(key, 'it ends with / (a folder, not an object)');
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound';
}
