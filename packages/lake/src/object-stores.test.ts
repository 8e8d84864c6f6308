import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { s3ClientFor } from '@lakepipe/testing';
import { s3Endpoint } from '@lakepipe/testing/vitest';
import { FolderObjectStore } from './folder-object-store';
import { objectStoreContract } from './object-store.contract';
import { S3ObjectStore } from './s3-object-store';

objectStoreContract(
  'FolderObjectStore',
  async () => new FolderObjectStore(await mkdtemp(path.join(tmpdir(), 'lake-'))),
);

objectStoreContract('S3ObjectStore on s3rver', async () => {
  const client = s3ClientFor(s3Endpoint());
  const bucket = `lake-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  // 5 MiB parts (the S3 minimum) so the 12 MiB contract body goes up as a multipart upload.
  return new S3ObjectStore({ client, bucket, partSizeBytes: 5 * 1024 * 1024 });
});
