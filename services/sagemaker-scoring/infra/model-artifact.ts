import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { workspaceRoot } from '@lakepipe/constructs/env';
import { TarEntryNameTooLongError } from '../src/errors';

/** The file name SageMaker's built-in XGBoost container loads from the unpacked model.tar.gz. */
export const MODEL_ENTRY_NAME = 'xgboost-model';

export interface ModelArtifact {
  /** `model.tar.gz` holding one file, `xgboost-model` */
  readonly bytes: Buffer;
  /** hex sha256 of `bytes`: the same model file always gives the same hash */
  readonly sha256: string;
}

/**
 * Packs an XGBoost JSON model as SageMaker expects it, byte for byte reproducibly: one ustar
 * entry with mtime 0, uid/gid 0, mode 0644, no user names, and a gzip header without a
 * timestamp or file name. The artifact's hash changes only when the model does.
 */
export function buildModelArtifact(
  modelFile: string | { readonly bytes: Buffer },
  cacheDir: string | undefined = defaultCacheDir(),
): ModelArtifact {
  const model = typeof modelFile === 'string' ? readFileSync(modelFile) : modelFile.bytes;
  // One archive per model: every environment's stack ships the same bytes, and gzip level 9 of a
  // model costs far more than hashing it, so it is kept in this process and, by the model's
  // hash, beside the Lambda bundles for the next synth.
  const key = createHash('sha256').update(model).digest('hex');
  const built = artifacts.get(key);
  if (built) return built;
  const cached = cacheDir === undefined ? undefined : path.join(cacheDir, `${key}.tar.gz`);
  let bytes: Buffer | undefined;
  try {
    if (cached) bytes = readFileSync(cached);
  } catch {
    bytes = undefined;
  }
  if (!bytes) {
    bytes = gzipSync(tar(MODEL_ENTRY_NAME, model), { level: 9 });
    // zlib writes mtime 0; pin the OS byte too, so the archive is identical on every platform.
    bytes[9] = 3; // Unix
    if (cacheDir && cached) {
      // written whole under another name, then renamed: a concurrent synth never reads half
      mkdirSync(cacheDir, { recursive: true });
      const partial = `${cached}.${process.pid}.tmp`;
      writeFileSync(partial, bytes);
      renameSync(partial, cached);
    }
  }
  const artifact = { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  artifacts.set(key, artifact);
  return artifact;
}

/** Archives built in this process, by the sha256 of the model file's bytes. */
const artifacts = new Map<string, ModelArtifact>();

/** `cdktf.out/bundles/model-artifacts`; none with LAKEPIPE_BUNDLE_CACHE=off (every synth builds afresh). */
function defaultCacheDir(): string | undefined {
  if (process.env.LAKEPIPE_BUNDLE_CACHE === 'off') return undefined;
  return path.join(workspaceRoot, 'cdktf.out', 'bundles', 'model-artifacts');
}

const BLOCK = 512;

/** A POSIX ustar archive with a single regular file. */
export function tar(name: string, content: Buffer): Buffer {
  if (Buffer.byteLength(name) > 100) throw new TarEntryNameTooLongError(name);
  const header = Buffer.alloc(BLOCK, 0);
  header.write(name, 0, 'utf8');
  header.write('0000644\0', 100, 'ascii'); // mode
  header.write('0000000\0', 108, 'ascii'); // uid
  header.write('0000000\0', 116, 'ascii'); // gid
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii'); // size
  header.write('00000000000\0', 136, 'ascii'); // mtime: the epoch
  header.write('        ', 148, 'ascii'); // checksum placeholder: spaces while summing
  header.write('0', 156, 'ascii'); // typeflag: regular file
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  const padding = Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK, 0);
  return Buffer.concat([header, content, padding, Buffer.alloc(BLOCK * 2, 0)]);
}
