import { InvalidNameError, InvalidObjectKeyError } from './errors';

export const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/** Returns `value` if it is a safe dataset/stage/view name, else throws InvalidNameError naming `kind`. */
export function assertSafeName(kind: 'dataset' | 'stage' | 'view' | 'table' | string, value: string): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) throw new InvalidNameError(kind, String(value));
  return value;
}

export function isSafeName(value: string): boolean {
  return NAME_PATTERN.test(value);
}

/** Validates an object key: relative, no empty, `.` or `..` segments, no backslashes or control characters. */
export function assertObjectKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0)
    throw new InvalidObjectKeyError(String(key), 'it is empty');
  if (key.length > 1024) throw new InvalidObjectKeyError(key, 'it is longer than 1024 characters');
  if (key.startsWith('/')) throw new InvalidObjectKeyError(key, 'it starts with /');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\\]/.test(key))
    throw new InvalidObjectKeyError(key, 'it contains a control character or a backslash');
  const segments = key.split('/');
  for (const [i, s] of segments.entries()) {
    if (s === '..' || s === '.')
      throw new InvalidObjectKeyError(key, `segment "${s}" would leave its prefix`);
    if (s === '' && i !== segments.length - 1)
      throw new InvalidObjectKeyError(key, 'it has an empty segment (//)');
  }
  return key;
}

/**
 * The files raw/ may hold, by name: CSV (`.csv`, `.txt` in the dataset's format) or JSON lines
 * (`.jsonl`, `.ndjson`, `.json`), each optionally gzipped. Sourcing quarantines anything else; the
 * ETL and the raw tables read only these.
 */
export const RAW_DATA_FILE = /\.(csv|txt|jsonl|ndjson|json)(\.gz)?$/i;
