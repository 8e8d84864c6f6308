/** Helpers to write ASL intrinsic function calls safely. */

/** Escapes text for a single-quoted intrinsic string literal (`'`, `{`, `}` and `\` take a backslash). */
function escapeIntrinsic(text: string): string {
  return text.replace(/[\\'{}]/g, (c) => `\\${c}`);
}

/**
 * A `States.Format` call for a template whose holes are given as JSONPaths, e.g.
 * formatCall(['RUN#', '$.runId']) -> "States.Format('RUN#{}', $.runId)". Literal parts are escaped.
 */
export function formatCall(parts: readonly (string | { readonly path: string })[]): string {
  let template = '';
  const args: string[] = [];
  for (const part of parts) {
    if (typeof part === 'string') template += escapeIntrinsic(part);
    else {
      template += '{}';
      args.push(part.path);
    }
  }
  const literal = `'${template}'`;
  return args.length === 0 ? literal : `States.Format(${[literal, ...args].join(', ')})`;
}
