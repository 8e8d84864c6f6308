import type { SqlPosition } from '../errors';

export type TokenKind =
  | 'identifier' // bare word, keywords included (the validator tells them apart)
  | 'quoted-identifier' // "name"
  | 'backtick-identifier' // `name` (Hive/Spark/MySQL only)
  | 'string' // 'text'
  | 'number'
  | 'operator'
  | 'punctuation'; // ( ) , . ; [ ] { }

export interface Token {
  readonly kind: TokenKind;
  /** the token's text as written (quotes included for strings and quoted identifiers) */
  readonly text: string;
  /** identifiers: lower-cased; quoted identifiers: the name inside the quotes; strings: the value */
  readonly value: string;
  readonly position: SqlPosition;
}

/** A token the tokenizer cannot finish (an unterminated string, comment or quoted name). */
export interface TokenizeProblem {
  readonly token: string;
  readonly position: SqlPosition;
  readonly reason: string;
}

export type TokenizeResult =
  | { readonly ok: true; readonly tokens: readonly Token[] }
  | { readonly ok: false; readonly problem: TokenizeProblem };

// Longest first: `::` before `:`, `<=` before `<`.
const OPERATORS = [
  '::',
  '||',
  '<>',
  '!=',
  '<=',
  '>=',
  '==',
  '->',
  '=>',
  '**',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '=',
  ':',
  '?',
  '$',
  '&',
  '|',
  '^',
  '~',
  '!',
  '@',
  '#',
];
const PUNCTUATION = new Set(['(', ')', ',', '.', ';', '[', ']', '{', '}']);

/** Splits SQL into tokens, dropping whitespace and comments, tracking line and column of each token. */
export function tokenize(sql: string): TokenizeResult {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (offset: number): SqlPosition => ({ line, column: offset - lineStart + 1, offset });
  const advanceOver = (from: number, to: number) => {
    for (let k = from; k < to; k++) {
      if (sql[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
  };
  const fail = (start: number, reason: string): TokenizeResult => ({
    ok: false,
    problem: { token: sql.slice(start, Math.min(sql.length, start + 20)), position: at(start), reason },
  });

  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      advanceOver(i, i + 1);
      i++;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      continue;
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) return fail(i, 'unterminated comment: /* has no closing */');
      advanceOver(i, end + 2);
      i = end + 2;
      continue;
    }
    const position = at(i);
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = closingQuote(sql, i, ch);
      if (end === -1) {
        const what = ch === "'" ? 'string' : 'quoted identifier';
        return fail(i, `unterminated ${what}: ${ch} has no closing ${ch}`);
      }
      const text = sql.slice(i, end + 1);
      const inner = text.slice(1, -1).replaceAll(ch + ch, ch);
      const kind: TokenKind =
        ch === "'" ? 'string' : ch === '"' ? 'quoted-identifier' : 'backtick-identifier';
      tokens.push({ kind, text, value: inner, position });
      advanceOver(i, end + 1);
      i = end + 1;
      continue;
    }
    const number = /^(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|^0[xX][0-9a-fA-F]+/.exec(
      sql.slice(i, i + 64),
    );
    if (number && /[\d.]/.test(ch)) {
      // `0x1F` is matched by the second alternative only when the first stops at `0`.
      const hex = /^0[xX][0-9a-fA-F]+/.exec(sql.slice(i, i + 64));
      const text = hex ? hex[0] : number[0];
      tokens.push({ kind: 'number', text, value: text, position });
      i += text.length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i, i + 256));
    if (word) {
      tokens.push({ kind: 'identifier', text: word[0], value: word[0].toLowerCase(), position });
      i += word[0].length;
      continue;
    }
    if (PUNCTUATION.has(ch)) {
      tokens.push({ kind: 'punctuation', text: ch, value: ch, position });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => sql.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'operator', text: op, value: op, position });
      i += op.length;
      continue;
    }
    return fail(i, `unexpected character ${JSON.stringify(ch)}`);
  }
  return { ok: true, tokens };
}

/** Index of the quote closing the one at `start` (a doubled quote is an escaped one), or -1. */
function closingQuote(sql: string, start: number, quote: string): number {
  let k = start + 1;
  while (k < sql.length) {
    if (sql[k] === quote) {
      if (sql[k + 1] === quote) {
        k += 2;
        continue;
      }
      return k;
    }
    k++;
  }
  return -1;
}
