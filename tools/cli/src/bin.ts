import '@lakepipe/workflow/polyfills';

// The AWS SDK versions are pinned on purpose (the last ones for Node 20); its notice about Node 22 is known.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { buildProgram } from './program';

// Errors reach the user as their message (every lakepipe error names the file, field and value);
// LAKEPIPE_DEBUG=1 adds the stack.
try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  const e = error as NodeJS.ErrnoException;
  // A file that is not there, from wherever it was read: named in plain words, not as a raw ENOENT.
  const message = e.code === 'ENOENT' && e.path ? `${e.path}: there is no such file or folder` : e.message;
  process.stderr.write(`lakepipe: ${message}\n`);
  if (process.env.LAKEPIPE_DEBUG) process.stderr.write(`${e.stack}\n`);
  process.exitCode = 1;
}
