// Runs on `npm install`/`npm ci` (root postinstall). aws-local-stepfunctions 3.0.0 strips every
// backslash from the string an intrinsic function returns (meant for escaped quotes in literal
// arguments). For States.JsonToString that corrupts valid JSON whenever a value holds a quote or a
// newline ("cause": "column \"x\"" becomes "column "x""), which AWS Step Functions does not do: a
// failure whose cause quotes anything could not be notified or decoded locally. This keeps the
// library's behaviour for every other intrinsic and leaves JsonToString's output as JSON.stringify
// made it. Idempotent; a no-op when the library changes shape (the twin's tests would then say so).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
let buildDir;
try {
  // the package's exports hide package.json: resolve its entry point (build/main.node.cjs)
  buildDir = path.dirname(path.dirname(require.resolve('aws-local-stepfunctions')));
} catch {
  process.exit(0); // not installed (e.g. a production install without dev tools)
}
const original = 'if (typeof result === "string") {\n      result = result.replaceAll("\\\\", "");';
const patched =
  'if (typeof result === "string" && this.funcDefinition.name !== "States.JsonToString") {\n      result = result.replaceAll("\\\\", "");';
for (const file of ['build/main.node.esm.js', 'build/main.node.cjs', 'build/main.browser.esm.js']) {
  const full = path.join(buildDir, file);
  let text;
  try {
    text = readFileSync(full, 'utf8');
  } catch {
    continue;
  }
  if (text.includes(patched)) continue;
  if (!text.includes(original)) {
    console.warn(`patch-aws-local-stepfunctions: ${file} has changed shape; not patched`);
    continue;
  }
  writeFileSync(full, text.replace(original, patched));
}
