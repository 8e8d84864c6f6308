// Rewrites the generated matrix of docs/security.md from least-privilege-matrix.ts:
//   npx nx run security:doc   (or: npx tsx infra/security/src/write-security-doc.ts)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { workspaceRoot } from '@lakepipe/constructs';
import { renderSecurityMatrix, withGeneratedMatrix } from './security-doc';

const file = path.join(workspaceRoot, 'docs', 'security.md');
writeFileSync(file, withGeneratedMatrix(readFileSync(file, 'utf8'), renderSecurityMatrix()));
// the repository's formatter pads the tables; format now so `biome check` stays clean
execFileSync('npx', ['biome', 'format', '--write', file], { cwd: workspaceRoot, stdio: 'ignore' });
console.log(`wrote the least-privilege matrix to ${path.relative(workspaceRoot, file)}`);
