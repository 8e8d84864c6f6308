import './polyfills';
import { buildProgram } from './program';

// Errors reach the user as their message (every lakepipe error names the file, field and value);
// LAKEPIPE_DEBUG=1 adds the stack.
try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  const e = error as Error;
  process.stderr.write(`lakepipe: ${e.message}\n`);
  if (process.env.LAKEPIPE_DEBUG) process.stderr.write(`${e.stack}\n`);
  process.exitCode = 1;
}
