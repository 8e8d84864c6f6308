import { InvalidContinuationTokenError } from './errors';

// The folder store's continuation token is the last key of the previous page, base64url-encoded.
export function encodeListToken(lastKey: string): string {
  return Buffer.from(`k:${lastKey}`, 'utf8').toString('base64url');
}

export function decodeListToken(token: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!decoded.startsWith('k:')) throw new InvalidContinuationTokenError(token);
  return decoded.slice(2);
}

/** Byte-wise (UTF-8) key order, the order S3 lists keys in. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
