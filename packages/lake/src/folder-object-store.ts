import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidObjectKeyError, ObjectNotFoundError } from './errors';
import { HashingTap, toReadable } from './hashing';
import { compareKeys, decodeListToken, encodeListToken } from './list-token';
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

/** Temp files live beside their target (same filesystem, so rename is atomic) and are never listed. */
const TEMP_SUFFIX = '.lakepipe-tmp';

/**
 * The lake as a local folder (the local twin's `.lake/`). A key maps to `<root>/<key>`; writes
 * go to a hidden temp file in the target folder and are renamed into place, so a reader sees
 * the old object or the new one, never half of one.
 */
export class FolderObjectStore implements ObjectStore {
  readonly kind = 'folder' as const;
  readonly location: string;

  constructor(root: string) {
    this.location = path.resolve(root);
  }

  /** The absolute file path of `key`, for engines that read local files (DuckDB). */
  pathOf(key: string): string {
    assertObjectKey(key);
    const resolved = path.resolve(this.location, key);
    if (resolved !== this.location && !resolved.startsWith(this.location + path.sep))
      throw new InvalidObjectKeyError(key, `it resolves outside ${this.location}`);
    return resolved;
  }

  async put(key: string, body: Readable | Uint8Array | string, _options?: PutOptions): Promise<PutResult> {
    const target = this.filePathOf(key);
    await this.makeParentFolder(key, target);
    const temp = path.join(
      path.dirname(target),
      `.${path.basename(target)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
    );
    const tap = new HashingTap();
    try {
      await pipeline(toReadable(body), tap, createWriteStream(temp));
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw this.collision(key, error);
    }
    return { key, bytes: tap.bytes, sha256: tap.digest() };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.filePathOf(key);
    const info = await this.statFile(file);
    if (info === undefined) throw new ObjectNotFoundError(this.location, key);
    return createReadStream(file, range === undefined ? {} : { start: range.start, end: range.end });
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const info = await this.statFile(this.filePathOf(key));
    return info === undefined ? undefined : { key, bytes: info.size, lastModified: info.mtime };
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const pageSize = options.pageSize ?? 1000;
    const after =
      options.continuationToken === undefined ? undefined : decodeListToken(options.continuationToken);
    const keys = (await this.keysUnder(prefix)).filter(
      (k) => after === undefined || compareKeys(k, after) > 0,
    );
    const pageKeys = keys.slice(0, pageSize);
    const objects: ObjectInfo[] = [];
    for (const key of pageKeys) {
      const info = await this.head(key);
      if (info !== undefined) objects.push(info); // deleted while listing
    }
    const last = pageKeys.at(-1);
    return keys.length > pageSize && last !== undefined
      ? { objects, nextToken: encodeListToken(last) }
      : { objects };
  }

  listAll(prefix: string): AsyncIterable<ObjectInfo> {
    return listAllPages((p, options) => this.list(p, options), prefix);
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const source = this.filePathOf(fromKey);
    const target = this.filePathOf(toKey);
    if ((await this.statFile(source)) === undefined) throw new ObjectNotFoundError(this.location, fromKey);
    await this.makeParentFolder(toKey, target);
    const temp = path.join(
      path.dirname(target),
      `.${path.basename(target)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
    );
    try {
      await copyFile(source, temp);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw this.collision(toKey, error);
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.filePathOf(key);
    await rm(file, { force: true });
    await this.pruneEmptyFolders(path.dirname(file));
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.keysUnder(prefix);
    for (const key of keys) await this.delete(key);
    return keys.length;
  }

  private async makeParentFolder(key: string, target: string): Promise<void> {
    try {
      await mkdir(path.dirname(target), { recursive: true });
    } catch (error) {
      throw this.collision(key, error);
    }
  }

  /** S3 can hold both `a` and `a/b`; a folder cannot. Say so instead of EISDIR/ENOTDIR. */
  private collision(key: string, error: unknown): unknown {
    const code = (error as NodeJS.ErrnoException)?.code;
    if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST' || code === 'ENOTEMPTY')
      return new InvalidObjectKeyError(
        key,
        `it collides with an object or folder of the same name in ${this.location} (a folder lake cannot hold both "x" and "x/...")`,
      );
    return error;
  }

  private filePathOf(key: string): string {
    if (key.endsWith('/')) throw new InvalidObjectKeyError(key, 'it ends with / (a folder, not an object)');
    return this.pathOf(key);
  }

  private async statFile(file: string) {
    try {
      const info = await stat(file);
      return info.isFile() ? info : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Every object key starting with `prefix`, in S3 order. Walks only the folder the prefix names. */
  private async keysUnder(prefix: string): Promise<string[]> {
    if (prefix !== '') assertObjectKey(prefix);
    const folderPart = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const start = folderPart === '' ? this.location : this.pathOf(folderPart);
    const keys: string[] = [];
    await this.walk(start, folderPart, prefix, keys);
    return keys.sort(compareKeys);
  }

  private async walk(folder: string, keyPrefix: string, prefix: string, into: string[]): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error) || isNotFolder(error)) return;
      throw error;
    }
    for (const entry of entries) {
      const key = `${keyPrefix}${entry.name}`;
      if (entry.isDirectory()) {
        // descend only where keys can still start with the prefix
        const folderKey = `${key}/`;
        if (folderKey.startsWith(prefix) || prefix.startsWith(folderKey))
          await this.walk(path.join(folder, entry.name), folderKey, prefix, into);
      } else if (entry.isFile() && !entry.name.endsWith(TEMP_SUFFIX) && key.startsWith(prefix)) {
        into.push(key);
      }
    }
  }

  private async pruneEmptyFolders(folder: string): Promise<void> {
    let current = folder;
    while (current.startsWith(this.location + path.sep)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
      current = path.dirname(current);
    }
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

function isNotFolder(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOTDIR';
}
