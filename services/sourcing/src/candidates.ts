import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { lakePrefixes, type ObjectInfo, type ObjectStore } from '@lakepipe/lake';
import type { SourceSpec } from '@lakepipe/workflow';
import { SourceListingError, SourcingConfigurationError } from './errors';
import { DEFAULT_CONTENT_TYPES, type Fetch, getWithRetries, type HttpOptions, responseCheck } from './http';
import type { IngestSourcesInput } from './ingest';
import { FileInspector } from './inspect';

// Listing: what each source (an s3 prefix, a local folder, http URLs) offers, before any landing.

/** 5 GiB: the largest single PutObject; bigger sources should be split upstream. */
export const DEFAULT_MAX_BYTES = 5 * 1024 ** 3;

/** A file a source offers. `read` opens a fresh stream each call. */
export interface Candidate {
  readonly dataset: string;
  readonly name: string;
  readonly source: string;
  /** the lake key, when the file is already in the lake (server-side copy) */
  readonly lakeKey?: string;
  /** the source object as listed, to notice a writer replacing it while it is landed */
  readonly listed?: ObjectInfo;
  readonly read?: () => Promise<Readable>;
  /** for http: download once, into a staging key */
  readonly download?: (stagingKey: string) => Promise<{ bytes: number; sha256: string }>;
}

/** A file name safe as the last segment of an object key. */
export function safeFileName(raw: string, fallback: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9._=-]/g, '_').replace(/^\.+/, '');
  return cleaned.length > 0 && cleaned.length <= 200 ? cleaned : fallback;
}

/** Hidden and marker files (`.x`, `_SUCCESS`, `_generated.json`) are never data. */
function isDataFileName(name: string): boolean {
  return !name.startsWith('.') && !name.startsWith('_') && name.length > 0;
}

export async function listAllCandidates(input: IngestSourcesInput): Promise<Candidate[]> {
  const problems: string[] = [];
  const all: Candidate[] = [];
  const datasets = Object.keys(input.sources);
  if (datasets.length === 0) problems.push('no datasets to source: the stage lists none');
  for (const dataset of datasets) {
    const spec = input.sources[dataset]!;
    try {
      lakePrefixes.raw(dataset);
      all.push(...(await listCandidates(dataset, spec, input)));
    } catch (error) {
      problems.push(`dataset ${dataset}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new SourcingConfigurationError(problems);
  return all;
}

async function listCandidates(
  dataset: string,
  spec: SourceSpec,
  input: IngestSourcesInput,
): Promise<Candidate[]> {
  switch (spec.type) {
    case 's3':
      return listS3(dataset, spec, input);
    case 'directory':
      return listDirectory(dataset, spec, input);
    case 'http':
      return listHttp(dataset, spec, input);
    default:
      throw new SourceListingError(
        `source type ${JSON.stringify((spec as { type: unknown }).type)} is not one of s3, http, directory`,
      );
  }
}

async function listS3(
  dataset: string,
  spec: Extract<SourceSpec, { type: 's3' }>,
  input: IngestSourcesInput,
): Promise<Candidate[]> {
  const prefix = spec.prefix.endsWith('/') ? spec.prefix : `${spec.prefix}/`;
  if (spec.bucket === undefined && (prefix.startsWith('raw/') || prefix.startsWith('_manifests/')))
    throw new SourceListingError(
      `source prefix ${prefix} is inside the lake's own output; use landing/<dataset>/ or another bucket`,
    );
  let source: ObjectStore = input.store;
  if (spec.bucket !== undefined) {
    if (input.bucketStore === undefined)
      throw new SourceListingError(
        `source bucket ${spec.bucket} cannot be read here: only the lake is available (pass bucketStore)`,
      );
    source = input.bucketStore(spec.bucket);
  }
  const candidates: Candidate[] = [];
  const listed: ObjectInfo[] = [];
  try {
    for await (const object of source.listAll(prefix)) listed.push(object);
  } catch (error) {
    throw new SourceListingError(`cannot list ${source.location}/${prefix}: ${(error as Error).message}`);
  }
  for (const info of listed) {
    const key = info.key;
    const relative = key.slice(prefix.length);
    if (relative.split('/').some((segment) => !isDataFileName(segment))) continue;
    const inLake = spec.bucket === undefined;
    candidates.push({
      dataset,
      name: safeFileName(relative.replaceAll('/', '__'), `file-${candidates.length + 1}`),
      source: inLake ? key : `s3://${spec.bucket}/${key}`,
      ...(inLake ? { lakeKey: key, listed: info } : {}),
      read: () => source.get(key),
    });
  }
  return candidates;
}

async function listDirectory(
  dataset: string,
  spec: Extract<SourceSpec, { type: 'directory' }>,
  input: IngestSourcesInput,
): Promise<Candidate[]> {
  if (input.allowDirectories === false)
    throw new SourceListingError(
      `directory sources (${spec.path}) run only in the local twin; use an s3 or http source in AWS`,
    );
  const root = path.resolve(spec.path);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(root);
  } catch {
    throw new SourceListingError(`source folder ${root} does not exist`);
  }
  if (!info.isDirectory()) throw new SourceListingError(`source folder ${root} is not a folder`);
  const files: string[] = [];
  const walk = async (folder: string, relative: string) => {
    const entries = await readdir(folder, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (!isDataFileName(entry.name)) continue;
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path.join(folder, entry.name), rel);
      else if (entry.isFile()) files.push(rel);
    }
  };
  await walk(root, '');
  return files.map((rel, i) => {
    const file = path.join(root, rel);
    return {
      dataset,
      name: safeFileName(rel.replaceAll('/', '__'), `file-${i + 1}`),
      source: `file://${file}`,
      read: async () => createReadStream(file),
    };
  });
}

async function listHttp(
  dataset: string,
  spec: Extract<SourceSpec, { type: 'http' }>,
  input: IngestSourcesInput,
): Promise<Candidate[]> {
  const fetchImpl = input.fetch ?? globalThis.fetch;
  const maxBytes = spec.maxBytes ?? DEFAULT_MAX_BYTES;
  const contentTypes = spec.contentTypes ?? DEFAULT_CONTENT_TYPES;
  const urls = [...(spec.urls ?? [])];
  if (spec.indexUrl !== undefined) urls.push(...(await readIndex(spec.indexUrl, fetchImpl, input.http)));
  if (spec.urls === undefined && spec.indexUrl === undefined)
    throw new SourceListingError('an http source needs urls or indexUrl');
  return urls.map((url, i) => {
    const last = decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '');
    const name = safeFileName(last, `download-${i + 1}`);
    return {
      dataset,
      name,
      source: url,
      download: (stagingKey: string) =>
        getWithRetries(
          url,
          { ...input.http, fetch: fetchImpl, check: responseCheck(url, contentTypes, maxBytes) },
          async ({ response }) => {
            const inspector = new FileInspector(url, maxBytes);
            const body = response.body
              ? Readable.fromWeb(response.body as import('node:stream/web').ReadableStream)
              : Readable.from([]);
            // a body that breaks mid-way (reset, timeout) must fail the put, not hang it
            body.once('error', (error) => inspector.destroy(error));
            // the store attaches its listeners after an await: keep an early failure from being unhandled
            inspector.on('error', () => undefined);
            try {
              await input.store.put(stagingKey, body.pipe(inspector), {
                contentType: response.headers.get('content-type') ?? 'application/octet-stream',
              });
            } catch (error) {
              body.destroy();
              if (inspector.failure) throw inspector.failure;
              throw error;
            }
            return { bytes: inspector.bytes, sha256: inspector.digest() };
          },
        ),
    };
  });
}

/** An index is a text file with one URL per line (relative URLs resolve against the index; `#` comments) or a JSON array. */
async function readIndex(
  indexUrl: string,
  fetchImpl: Fetch,
  http: HttpOptions | undefined,
): Promise<string[]> {
  let text: string;
  try {
    text = await getWithRetries(
      indexUrl,
      { ...http, fetch: fetchImpl, check: () => undefined },
      ({ response }) => response.text(),
    );
  } catch (error) {
    throw new SourceListingError(`index ${indexUrl} cannot be read: ${(error as Error).message}`);
  }
  const trimmed = text.trim();
  const entries: unknown[] = trimmed.startsWith('[')
    ? (JSON.parse(trimmed) as unknown[])
    : trimmed
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#'));
  return entries.map((entry) => {
    try {
      return new URL(String(entry), indexUrl).toString();
    } catch {
      throw new SourceListingError(`index ${indexUrl} lists ${JSON.stringify(entry)}, which is not a URL`);
    }
  });
}
