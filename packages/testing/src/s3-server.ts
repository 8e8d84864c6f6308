import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import type { RunningServer } from './dynamodb-local';

export interface S3ServerOptions {
  /**
   * Buckets to create before the server answers.
   * @default none: tests create their own with CreateBucketCommand
   */
  readonly buckets?: readonly string[];
  /**
   * Folder s3rver stores objects in.
   * @default a fresh temp folder, deleted by stop()
   */
  readonly directory?: string;
}

/**
 * Starts s3rver on a free loopback port. Clients need forcePathStyle, the WHEN_REQUIRED
 * checksum settings (see s3ClientFor) and NODE_OPTIONS=--openssl-legacy-provider.
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<RunningServer> {
  const directory = options.directory ?? (await mkdtemp(path.join(tmpdir(), 's3rver-')));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    async stop() {
      await server.close();
      if (options.directory === undefined) await rm(directory, { recursive: true, force: true });
    },
  };
}
