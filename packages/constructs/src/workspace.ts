import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in packages/constructs/src). */
export const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A path as users should read it in messages: relative to the repository root when inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(workspaceRoot, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
}
