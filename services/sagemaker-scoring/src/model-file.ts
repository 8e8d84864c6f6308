import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ModelFileError, ModelFormatError } from './errors';
import { modelOfJson, parseModel, type TreeModel } from './scorer/model';
import { SHIPPED_MODEL_FILE } from './shipped-model';

/** A model a scoring stage names: a local file (absolute path) or an `s3://` URI. */
export type ModelLocation =
  | { readonly kind: 'file'; readonly file: string; readonly shipped: boolean }
  | { readonly kind: 's3'; readonly uri: string; readonly bucket: string; readonly key: string };

/** `s3://bucket/key` with a bucket name S3 accepts and a non-empty key. */
export const S3_MODEL_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;

/**
 * Where a stage's `model:` points: an `s3://` URI as is, a local path relative to the folder of
 * pipeline.yaml (`pipelineFile`), or the shipped model when the stage names none.
 */
export function resolveModel(model: string | undefined, pipelineFile: string | undefined): ModelLocation {
  if (model === undefined) return { kind: 'file', file: SHIPPED_MODEL_FILE, shipped: true };
  const s3 = S3_MODEL_URI.exec(model);
  if (s3) return { kind: 's3', uri: model, bucket: s3[1]!, key: s3[2]! };
  const folder = pipelineFile === undefined ? process.cwd() : path.dirname(path.resolve(pipelineFile));
  const file = path.resolve(folder, model);
  return { kind: 'file', file, shipped: file === SHIPPED_MODEL_FILE };
}

/** What lakepipe knows of a model file: the trees the scorer runs and the feature names it stores. */
export interface ModelFile {
  readonly file: string;
  readonly model: TreeModel;
  /** `feature_names` the model was saved with (XGBoost keeps them when trained on a named DataFrame) */
  readonly featureNames?: readonly string[];
  /** json | ubjson */
  readonly format: 'json' | 'ubjson';
}

const cache = new Map<
  string,
  { readonly mtimeMs: number; readonly size: number; readonly model: ModelFile }
>();

/**
 * Reads an XGBoost model saved as JSON (`model.json`) or UBJSON (`model.ubj`, XGBoost >= 1.6's
 * binary JSON), once per file version. A missing file is a ModelFileError naming it in plain words.
 */
export function readModelFile(file: string, label: string = file): ModelFile {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(file);
  } catch {
    throw new ModelFileError(label, `is not there: no file ${file}`);
  }
  if (!stat.isFile()) throw new ModelFileError(label, `is not a file: ${file}`);
  const cached = cache.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.model;
  const bytes = readFileSync(file);
  const format = isUbjson(file, bytes) ? 'ubjson' : 'json';
  let json: unknown;
  let model: TreeModel;
  if (format === 'ubjson') {
    json = decodeUbjson(bytes, file);
    model = modelOfJson(json, file);
  } else {
    const text = bytes.toString('utf8');
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    // one JSON.parse of the (often megabytes of) model; parseModel names a JSON syntax error
    model = json === undefined ? parseModel(text, file) : modelOfJson(json, file);
  }
  const names = (json as { learner?: { feature_names?: unknown } } | undefined)?.learner?.feature_names;
  const featureNames =
    Array.isArray(names) && names.length > 0 && names.every((n) => typeof n === 'string')
      ? (names as string[])
      : undefined;
  const read: ModelFile = { file, model, format, ...(featureNames ? { featureNames } : {}) };
  cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, model: read });
  return read;
}

/** `.ubj`, or a first `{` followed by a UBJSON marker rather than JSON's quote or whitespace. */
function isUbjson(file: string, bytes: Buffer): boolean {
  if (file.endsWith('.ubj') || file.endsWith('.ubjson')) return true;
  return bytes[0] === 0x7b && bytes.length > 1 && 'LlIiU#$}'.includes(String.fromCharCode(bytes[1]!));
}

/** Decodes Universal Binary JSON (draft 12, big-endian) as XGBoost writes it, typed arrays included. */
export function decodeUbjson(bytes: Buffer, source: string): unknown {
  let at = 0;
  const fail = (what: string): never => {
    throw new ModelFormatError(source, '(file)', `is not valid UBJSON at byte ${at}: ${what}`);
  };
  const need = (n: number) => {
    if (at + n > bytes.length) fail('the file ends early');
  };
  /** the offset of the next n bytes, which are then consumed */
  const take = (n: number): number => {
    need(n);
    at += n;
    return at - n;
  };
  const marker = (): string => {
    need(1);
    return String.fromCharCode(bytes[at++]!);
  };
  const scalar = (type: string): unknown => {
    switch (type) {
      case 'Z':
        return null;
      case 'N':
        return undefined;
      case 'T':
        return true;
      case 'F':
        return false;
      case 'i':
        return bytes.readInt8(take(1));
      case 'U':
        return bytes.readUInt8(take(1));
      case 'I':
        return bytes.readInt16BE(take(2));
      case 'l':
        return bytes.readInt32BE(take(4));
      case 'L':
        return Number(bytes.readBigInt64BE(take(8)));
      case 'd':
        return bytes.readFloatBE(take(4));
      case 'D':
        return bytes.readDoubleBE(take(8));
      case 'C':
        need(1);
        return String.fromCharCode(bytes[at++]!);
      case 'S':
      case 'H':
        return text();
      case '[':
        return array();
      case '{':
        return object();
      default:
        return fail(`unknown type marker ${JSON.stringify(type)}`);
    }
  };
  const length = (): number => {
    const n = scalar(marker());
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) fail('a length is not a whole number');
    return n as number;
  };
  const text = (): string => {
    const n = length();
    need(n);
    const s = bytes.toString('utf8', at, at + n);
    at += n;
    return s;
  };
  /** the optional `$type` and `#count` after `[` or `{` */
  const header = (): { type?: string; count?: number } => {
    let type: string | undefined;
    if (bytes[at] === 0x24) {
      at++;
      type = marker();
    }
    if (bytes[at] === 0x23) {
      at++;
      return { ...(type ? { type } : {}), count: length() };
    }
    if (type) fail('a typed container without a count');
    return {};
  };
  const array = (): unknown[] => {
    const { type, count } = header();
    const out: unknown[] = [];
    if (count !== undefined) {
      for (let i = 0; i < count; i++) out.push(scalar(type ?? marker()));
      return out;
    }
    while (bytes[at] !== 0x5d) {
      if (at >= bytes.length) fail('an array is not closed');
      out.push(scalar(marker()));
    }
    at++;
    return out;
  };
  const object = (): Record<string, unknown> => {
    const { type, count } = header();
    const out: Record<string, unknown> = {};
    if (count !== undefined) {
      for (let i = 0; i < count; i++) {
        const key = text();
        out[key] = scalar(type ?? marker());
      }
      return out;
    }
    while (bytes[at] !== 0x7d) {
      if (at >= bytes.length) fail('an object is not closed');
      const key = text();
      out[key] = scalar(marker());
    }
    at++;
    return out;
  };
  const value = scalar(marker());
  if (at !== bytes.length) fail('data after the end of the value');
  return value;
}
