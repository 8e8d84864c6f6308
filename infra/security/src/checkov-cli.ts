// checkov over every synthesized stack (cdktf.out/stacks), with the skips of .checkov.yaml:
//   npx nx run security:checkov   (runs the synth first; `npm test` and Jenkins run it)
//   npx tsx infra/security/src/checkov-cli.ts [--stacks dir]
// Exits 1 on any failed check, parsing error or skip without a reason.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { workspaceRoot } from '@lakepipe/constructs';
import { runCheckov } from './checkov';

const { values } = parseArgs({ options: { stacks: { type: 'string' } }, strict: true });
try {
  const summary = runCheckov({
    stacksDir: path.resolve(values.stacks ?? path.join(workspaceRoot, 'cdktf.out', 'stacks')),
    configFile: path.join(workspaceRoot, '.checkov.yaml'),
    checkovBin: path.join(workspaceRoot, '.venv', 'bin', 'checkov'),
    workDir: path.join(workspaceRoot, 'cdktf.out', 'checkov'),
  });
  console.log(
    `checkov: ${summary.stacks} stacks, ${summary.passed} passed, ${summary.failed} failed, ${summary.parsingErrors} parsing errors; ${summary.skippedChecks.length} checks skipped by .checkov.yaml (${summary.skippedChecks.map((s) => s.id).join(', ')})`,
  );
  for (const failure of summary.failures) console.error(`  FAILED ${failure}`);
  if (summary.failed > 0 || summary.parsingErrors > 0) process.exitCode = 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
