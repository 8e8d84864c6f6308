#!/usr/bin/env node
// Fails (exit 1) when the Nx project graph breaks lakepipe's boundaries; run by `npm test`.
//   node tools/checks/project-boundaries.mjs [--graph graph.json]
// Without --graph it asks Nx for the graph of this workspace (no daemon, no cloud).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkBoundaries, workspaceGraphFromNx } from './src/boundaries.mjs';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** nx's CLI entry, wherever this nx version keeps it. */
function nxBin() {
  const packageJson = createRequire(import.meta.url).resolve('nx/package.json');
  const { bin } = JSON.parse(readFileSync(packageJson, 'utf8'));
  return path.join(path.dirname(packageJson), typeof bin === 'string' ? bin : bin.nx);
}

function readNxGraph() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nx-graph-'));
  const file = path.join(dir, 'graph.json');
  try {
    execFileSync(process.execPath, [nxBin(), 'graph', `--file=${file}`], {
      cwd: workspaceRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    return JSON.parse(readFileSync(file, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const graphFlag = process.argv.indexOf('--graph');
const nxGraph =
  graphFlag >= 0
    ? JSON.parse(readFileSync(path.resolve(process.argv[graphFlag + 1]), 'utf8'))
    : readNxGraph();
const graph = workspaceGraphFromNx(nxGraph);
const violations = checkBoundaries(graph);
if (violations.length > 0) {
  console.error(`project boundaries: ${violations.length} violation(s)`);
  for (const violation of violations) console.error(`  [${violation.rule}] ${violation.message}`);
  process.exitCode = 1;
} else {
  console.log(
    `project boundaries: ${graph.projects.length} projects, ${graph.dependencies.length} dependencies, all tagged and within bounds`,
  );
}
