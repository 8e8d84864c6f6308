import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from './dynamodb-local';
import { TestServerStartError } from './errors';

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
  /**
   * Log every request (s3rver's own logger) to this process's stderr.
   * @default false, unless the environment sets LAKEPIPE_S3RVER_VERBOSE=1
   */
  readonly verbose?: boolean;
}

const serverScript = fileURLToPath(new URL('./s3rver-process.cjs', import.meta.url));

/**
 * Starts s3rver on a free loopback port, in a child process with the OpenSSL legacy provider
 * (s3rver's list tokens need it) whatever flags this process has. Clients need forcePathStyle
 * and the WHEN_REQUIRED checksum settings: use s3ClientFor.
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<RunningServer> {
  const directory = options.directory ?? (await mkdtemp(path.join(tmpdir(), 's3rver-')));
  const verbose = options.verbose ?? process.env.LAKEPIPE_S3RVER_VERBOSE === '1';
  const serverOptions = {
    silent: !verbose,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  };
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', serverScript, JSON.stringify(serverOptions)],
    {
      stdio: ['pipe', 'pipe', verbose ? 'inherit' : 'pipe'],
    },
  );
  const port = await readPort(child);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      await stopChild(child);
      if (options.directory === undefined) await rm(directory, { recursive: true, force: true });
    },
  };
}

function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line !== undefined) {
        try {
          resolve((JSON.parse(line) as { port: number }).port);
        } catch {
          reject(new TestServerStartError('s3rver', `unexpected output ${JSON.stringify(line)}`));
        }
      }
    });
    child.once('error', (error) => reject(new TestServerStartError('s3rver', error.message)));
    child.once('exit', (code) =>
      reject(new TestServerStartError('s3rver', `exited with ${code} before listening: ${stderr.trim()}`)),
    );
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
