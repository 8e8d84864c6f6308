import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Nx workspace root: the nearest folder above `from` holding nx.json, else this repository's root. */
export function findWorkspaceRoot(from: string = process.cwd()): string {
  let current = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(current, 'nx.json'))) return current;
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}
