/**
 * One regex dialect for both engines: patterns mean what they mean in RE2 (DuckDB), and the Spark
 * dialect rewrites the three constructs java.util.regex reads differently:
 *   `$`   RE2: end of text. Java: end of text or before a final line break ("T-1\n" matched `^T-1$`).
 *         -> `\z`
 *   `.`   RE2: any character but \n. Java: also not \r, \u0085, \u2028, \u2029.  -> `[^\n]`
 *   `\s`  RE2: [\t\n\f\r ]. Java: also \x0B (vertical tab).  -> `[\t\n\f\r ]` (`\S` the negation)
 * Constructs whose meaning differs and that are not rewritten are refused by the spec validator
 * (`regexDialectProblem`), so a pipeline never runs a pattern the engines would read differently.
 */
export function toJavaRegex(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      i++;
      if (next === 's') out += inClass ? String.raw`\t\n\f\r ` : String.raw`[\t\n\f\r ]`;
      else if (next === 'S' && !inClass) out += String.raw`[^\t\n\f\r ]`;
      else out += c + next;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // a ] right after [ or [^ is a literal
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') out += pattern[++i];
      continue;
    }
    if (c === '$') out += String.raw`\z`;
    else if (c === '.') out += String.raw`[^\n]`;
    else out += c;
  }
  return out;
}

/** Why RE2 and java.util.regex would read `pattern` differently (after toJavaRegex), or undefined. */
export function regexDialectProblem(pattern: string): string | undefined {
  const differs = (what: string) =>
    `pattern ${JSON.stringify(pattern)} uses ${what}, which RE2 (DuckDB) and Java (Spark) read differently: write it another way`;
  if (/\[:\^?[a-z]+:\]/.test(pattern))
    return differs('a POSIX class like [[:alpha:]] (Java reads it as a set of letters)');
  if (/\\[vhHRXZGAbBpPQEkK]/.test(pattern.replace(/\\\\/g, '')))
    return differs(
      'an escape (\\v \\h \\R \\X \\Z \\G \\A \\b \\B \\p \\Q \\E \\k) whose meaning or support differs; use an explicit character class',
    );
  if (/\(\?[>+]|[*+?}][+]/.test(pattern)) return differs('an atomic group or a possessive quantifier');
  if (/\(\?[a-zA-Z-]*[:)]/.test(pattern)) return differs('inline flags like (?i) or (?s)');
  // `{` that does not start a quantifier {n}, {n,} or {n,m}: RE2 takes it literally, Java refuses it
  const withoutEscapes = pattern.replace(/\\./g, '');
  for (let at = withoutEscapes.indexOf('{'); at >= 0; at = withoutEscapes.indexOf('{', at + 1))
    if (!/^\{[0-9]+(,[0-9]*)?\}/.test(withoutEscapes.slice(at)))
      return differs('a literal { (escape it as \\{)');
  return undefined;
}
