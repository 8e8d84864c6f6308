import { buildCiProgram } from './program';

// `npx tsx tools/ci/src/bin.ts <command>`: the entry point of every Jenkinsfile step.
try {
  await buildCiProgram().parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`lakepipe-ci: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
