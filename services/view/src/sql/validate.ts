import { type SqlPosition, UnknownRelationError, ViewSqlError } from '../errors';
import {
  NON_FUNCTION_KEYWORDS,
  NON_PORTABLE_FUNCTIONS,
  NON_PORTABLE_JOIN_MODIFIERS,
  NON_PORTABLE_KEYWORDS,
  NON_PORTABLE_OPERATORS,
  PORTABLE_FUNCTIONS,
  PORTABLE_TYPES,
  STATEMENT_KEYWORDS,
} from './dialect';
import { type Token, tokenize } from './tokenizer';

/** A table or view a query reads, where it is named. */
export interface RelationReference {
  readonly name: string;
  readonly position: SqlPosition;
}

export interface ValidatedViewSql {
  /** the SELECT, trimmed, without a trailing `;` */
  readonly sql: string;
  /** tables and views read (CTE names excluded), first mention of each */
  readonly relations: readonly RelationReference[];
}

export interface ValidateViewSqlOptions {
  /**
   * Tables and views the query may read; a reference to anything else fails with UnknownRelationError.
   * @default every relation is accepted (the dialect is still checked)
   */
  readonly knownRelations?: ReadonlySet<string>;
}

const INTERVAL_UNITS = new Set(['year', 'month', 'day', 'hour', 'minute', 'second']);
const TYPED_LITERAL_PREFIXES = new Set(['date', 'timestamp', 'time', 'interval']);
// Inside these calls FROM is an argument separator, not a clause: EXTRACT(YEAR FROM ts).
const FROM_TAKING_FUNCTIONS = new Set(['extract', 'substring', 'trim']);
// Words that end a FROM item, so they are not read as its alias.
const CLAUSE_WORDS = new Set([
  'where',
  'join',
  'inner',
  'left',
  'right',
  'full',
  'cross',
  'natural',
  'on',
  'using',
  'group',
  'order',
  'having',
  'limit',
  'offset',
  'fetch',
  'union',
  'intersect',
  'except',
  'window',
  'as',
  ...NON_PORTABLE_JOIN_MODIFIERS.keys(),
]);

/** Strips surrounding whitespace and one trailing `;`. */
export function normalizeViewSql(sql: string): string {
  return sql.trim().replace(/;\s*$/, '').trimEnd();
}

/**
 * Checks that `sql` is one SELECT in the dialect both Athena and DuckDB run, and returns the
 * relations it reads. Throws ViewSqlError naming the view, the offending token and its
 * position, or UnknownRelationError for a table or view not in `knownRelations`.
 */
export function validateViewSql(
  view: string,
  sql: string,
  options: ValidateViewSqlOptions = {},
): ValidatedViewSql {
  const body = normalizeViewSql(sql);
  const leading = sql.length - sql.trimStart().length;
  const tokenized = tokenize(body);
  if (!tokenized.ok) {
    const { token, position, reason } = tokenized.problem;
    throw new ViewSqlError(view, token, shift(position, sql, leading), reason);
  }
  const tokens = tokenized.tokens.map((t) => ({ ...t, position: shift(t.position, sql, leading) }));
  const fail = (token: Token, reason: string): never => {
    throw new ViewSqlError(view, token.text, token.position, reason);
  };
  if (tokens.length === 0)
    throw new ViewSqlError(
      view,
      '',
      { line: 1, column: 1, offset: 0 },
      'the view has no SQL; write one SELECT',
    );

  const first = tokens[0]!;
  if (first.kind === 'identifier' && STATEMENT_KEYWORDS.has(first.value))
    fail(first, 'a view is one SELECT (or WITH ... SELECT), not a statement');
  if (!(isWord(first, 'select') || isWord(first, 'with') || first.text === '('))
    fail(first, 'a view starts with SELECT or WITH');

  checkBrackets(tokens, fail);
  const cteNames = commonTableExpressionNames(tokens);
  const relations: RelationReference[] = [];
  const callStack: string[] = [];

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    const prev = tokens[i - 1];
    if (token.kind === 'backtick-identifier')
      fail(token, 'backtick quotes are Hive/Spark syntax; quote names with "..."');
    if (token.kind === 'punctuation') {
      if (token.text === ';') fail(token, 'a view is one statement; remove the ;');
      if (token.text === '[' || token.text === '{')
        fail(token, 'arrays, lists and structs are not portable in views');
      if (token.text === '(') callStack.push(prev?.kind === 'identifier' ? prev.value : '');
      if (token.text === ')') callStack.pop();
      continue;
    }
    if (token.kind === 'operator') {
      const reason = NON_PORTABLE_OPERATORS.get(token.text);
      if (reason) fail(token, reason);
      if (
        token.text === '*' &&
        next &&
        isWordIn(next, ['exclude', 'replace', 'rename']) &&
        next.kind === 'identifier'
      )
        fail(next, `SELECT * ${next.text.toUpperCase()} is DuckDB-only; list the columns`);
      continue;
    }
    if (token.kind === 'number') {
      if (/_|^0[xX]/.test(token.text)) fail(token, 'write numbers as plain decimal literals (no _ or 0x)');
      continue;
    }
    if (token.kind === 'string') {
      continue;
    }
    if (token.kind !== 'identifier') continue;

    const word = token.value;
    const keywordReason = NON_PORTABLE_KEYWORDS.get(word);
    if (keywordReason) fail(token, keywordReason);
    const joinReason = NON_PORTABLE_JOIN_MODIFIERS.get(word);
    if (joinReason && next && isWord(next, 'join')) fail(token, joinReason);
    if (
      next?.kind === 'string' &&
      next.position.offset === token.position.offset + token.text.length &&
      !TYPED_LITERAL_PREFIXES.has(word)
    )
      fail(token, `prefixed string literals (${token.text}'...') are not portable`);
    if (word === 'interval') checkInterval(tokens, i, fail);
    if (
      (word === 'group' || word === 'order') &&
      next &&
      isWord(next, 'by') &&
      tokens[i + 2] &&
      isWord(tokens[i + 2]!, 'all')
    )
      fail(tokens[i + 2]!, `${word.toUpperCase()} BY ALL is DuckDB-only; list the columns`);
    if (word === 'using' && next && isWord(next, 'sample')) fail(next, 'USING SAMPLE is DuckDB-only');

    if (next?.text === '(' && next.kind === 'punctuation' && !NON_FUNCTION_KEYWORDS.has(word)) {
      if (prev?.text === '.') fail(token, 'qualified function names are not portable');
      const reason = NON_PORTABLE_FUNCTIONS.get(word);
      if (reason) fail(token, `function ${word} ${reason}`);
      if (!PORTABLE_FUNCTIONS.has(word))
        fail(
          token,
          `function ${word} is not in the subset Athena and DuckDB share (see services/view/README.md)`,
        );
      if (word === 'cast' || word === 'try_cast') checkCastType(tokens, i + 1, fail);
      continue;
    }

    const clauseFrom =
      word === 'from' && !FROM_TAKING_FUNCTIONS.has(callStack.at(-1) ?? '') && !isDistinctFrom(tokens, i);
    if (clauseFrom || word === 'join') {
      let k = i + 1;
      for (;;) {
        const item = tokens[k];
        if (!item || item.text === '(') break;
        if (item.kind !== 'identifier' && item.kind !== 'quoted-identifier') break;
        if (tokens[k + 1]?.text === '.')
          fail(
            item,
            "qualified table names are not portable; name the table alone (the database is the environment's)",
          );
        if (tokens[k + 1]?.text === '(') break; // a table function: reported when the loop reaches it
        const name = item.kind === 'identifier' ? item.value : item.value.toLowerCase();
        if (!cteNames.has(name) && !relations.some((r) => r.name === name))
          relations.push({ name, position: item.position });
        k = skipAlias(tokens, k + 1);
        if (!clauseFrom || tokens[k]?.text !== ',') break;
        k++;
      }
    }
  }

  if (options.knownRelations) {
    for (const relation of relations) {
      if (!options.knownRelations.has(relation.name))
        throw new UnknownRelationError(
          view,
          relation.name,
          relation.position,
          [...options.knownRelations].sort(),
        );
    }
  }
  return { sql: body, relations };
}

function isWord(token: Token, word: string): boolean {
  return token.kind === 'identifier' && token.value === word;
}

function isWordIn(token: Token, words: readonly string[]): boolean {
  return token.kind === 'identifier' && words.includes(token.value);
}

/** Positions are computed on the trimmed body: move them back to the SQL as written. */
function shift(position: SqlPosition, original: string, leading: number): SqlPosition {
  const offset = position.offset + leading;
  const before = original.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column, offset };
}

function checkBrackets(tokens: readonly Token[], fail: (token: Token, reason: string) => never): void {
  const open: Token[] = [];
  for (const token of tokens) {
    if (token.kind !== 'punctuation') continue;
    if (token.text === '(') open.push(token);
    if (token.text === ')' && open.pop() === undefined)
      fail(token, 'unbalanced parentheses: this ) closes nothing');
  }
  const unclosed = open.pop();
  if (unclosed) fail(unclosed, 'unbalanced parentheses: this ( is never closed');
}

/** Names defined by WITH name [(cols)] AS (...), so FROM name is not a lake table. */
function commonTableExpressionNames(tokens: readonly Token[]): Set<string> {
  const names = new Set<string>();
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    const before = tokens[i - 1]!;
    if (token.kind !== 'identifier' && token.kind !== 'quoted-identifier') continue;
    if (!(isWord(before, 'with') || before.text === ',')) continue;
    let k = i + 1;
    if (tokens[k]?.text === '(') k = matchingParen(tokens, k) + 1;
    if (tokens[k] && isWord(tokens[k]!, 'as') && tokens[k + 1]?.text === '(')
      names.add(token.kind === 'identifier' ? token.value : token.value.toLowerCase());
  }
  return names;
}

function matchingParen(tokens: readonly Token[], openIndex: number): number {
  let depth = 0;
  for (let k = openIndex; k < tokens.length; k++) {
    if (tokens[k]!.text === '(' && tokens[k]!.kind === 'punctuation') depth++;
    if (tokens[k]!.text === ')' && tokens[k]!.kind === 'punctuation' && --depth === 0) return k;
  }
  return tokens.length - 1;
}

function skipAlias(tokens: readonly Token[], k: number): number {
  const t = tokens[k];
  if (t && isWord(t, 'as')) return k + 2;
  if (t && (t.kind === 'quoted-identifier' || (t.kind === 'identifier' && !CLAUSE_WORDS.has(t.value))))
    return k + 1;
  return k;
}

function isDistinctFrom(tokens: readonly Token[], i: number): boolean {
  const before = tokens[i - 1];
  return (
    before !== undefined &&
    isWord(before, 'distinct') &&
    tokens[i - 2] !== undefined &&
    (isWord(tokens[i - 2]!, 'is') || isWord(tokens[i - 2]!, 'not'))
  );
}

/** INTERVAL '2' DAY is portable; INTERVAL '2 days' and INTERVAL 2 DAY are DuckDB-only. */
function checkInterval(
  tokens: readonly Token[],
  i: number,
  fail: (token: Token, reason: string) => never,
): void {
  const literal = tokens[i + 1];
  const unit = tokens[i + 2];
  const example = "write INTERVAL '2' DAY (a quoted number, then YEAR, MONTH, DAY, HOUR, MINUTE or SECOND)";
  if (literal?.kind !== 'string' || !/^-?\d+$/.test(literal.value)) fail(literal ?? tokens[i]!, example);
  if (!unit || !isWordIn(unit, [...INTERVAL_UNITS])) fail(unit ?? literal!, example);
}

/** CAST(x AS type): the type must exist in both engines (no STRING, TEXT, HUGEINT, ...). */
function checkCastType(
  tokens: readonly Token[],
  openIndex: number,
  fail: (token: Token, reason: string) => never,
): void {
  const close = matchingParen(tokens, openIndex);
  let depth = 0;
  for (let k = openIndex; k < close; k++) {
    const t = tokens[k]!;
    if (t.text === '(' && t.kind === 'punctuation') depth++;
    if (t.text === ')' && t.kind === 'punctuation') depth--;
    if (depth === 1 && isWord(t, 'as')) {
      const type = tokens[k + 1];
      if (type?.kind !== 'identifier' || !PORTABLE_TYPES.has(type.value))
        fail(
          type ?? t,
          `type ${type?.text ?? '(missing)'} is not portable; use one of ${[...PORTABLE_TYPES].join(', ')}`,
        );
      return;
    }
  }
}
