import { ExpressionError } from '../errors';
import { type LogicalType, parseLogicalType } from './types';

/**
 * Derived expressions: a small SQL subset that Spark SQL and DuckDB both accept with the same
 * meaning. Anything else is rejected with the offending token, so a spec that validates here
 * runs the same on Glue and locally.
 */
export type Expr =
  | { readonly kind: 'column'; readonly name: string }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'cast'; readonly expr: Expr; readonly type: LogicalType }
  | { readonly kind: 'binary'; readonly op: '+' | '-' | '*' | '/'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'negate'; readonly expr: Expr }
  | { readonly kind: 'call'; readonly fn: FunctionName; readonly args: readonly Expr[] };

export const FUNCTIONS = {
  COALESCE: { min: 1, max: 64 },
  LOWER: { min: 1, max: 1 },
  UPPER: { min: 1, max: 1 },
  ABS: { min: 1, max: 1 },
  ROUND: { min: 1, max: 2 },
  GREATEST: { min: 2, max: 64 },
  LEAST: { min: 2, max: 64 },
} as const;
export type FunctionName = keyof typeof FUNCTIONS;

type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'number'; text: string; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'op'; text: string; pos: number }
  | { kind: 'end'; text: string; pos: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = source.slice(i);
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    const num = /^(\d+(\.\d*)?|\.\d+)/.exec(rest);
    if (num) {
      if (/^[A-Za-z_]/.test(source.slice(i + num[0].length)))
        throw new ExpressionError(source, i, `unexpected token ${JSON.stringify(rest.split(/\s/)[0])}`);
      tokens.push({ kind: 'number', text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    if (ch === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= source.length) throw new ExpressionError(source, i, 'unterminated string literal');
        if (source[j] === "'") {
          if (source[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        if (source[j] === '\\')
          throw new ExpressionError(
            source,
            j,
            'backslash in a string literal (Spark and DuckDB read it differently)',
          );
        value += source[j];
        j++;
      }
      tokens.push({ kind: 'string', text: value, pos: i });
      i = j + 1;
      continue;
    }
    if ('+-*/(),'.includes(ch)) {
      tokens.push({ kind: 'op', text: ch, pos: i });
      i++;
      continue;
    }
    throw new ExpressionError(source, i, `unexpected token ${JSON.stringify(ch)}`);
  }
  tokens.push({ kind: 'end', text: '', pos: source.length });
  return tokens;
}

const KEYWORDS = new Set(['CAST', 'AS']);

/** Parses a derived expression; throws ExpressionError naming the offending token. */
export function parseExpression(source: string): Expr {
  const tokens = tokenize(source);
  let at = 0;
  const peek = () => tokens[at]!;
  const next = () => tokens[at++]!;
  const fail = (token: Token, detail: string): never => {
    throw new ExpressionError(source, token.pos, detail);
  };
  const describe = (t: Token) => (t.kind === 'end' ? 'the end of the expression' : JSON.stringify(t.text));
  const expectOp = (text: string) => {
    const t = next();
    if (t.kind !== 'op' || t.text !== text) fail(t, `expected "${text}" but found ${describe(t)}`);
  };

  function additive(): Expr {
    let left = multiplicative();
    while (peek().kind === 'op' && (peek().text === '+' || peek().text === '-')) {
      const op = next().text as '+' | '-';
      left = { kind: 'binary', op, left, right: multiplicative() };
    }
    return left;
  }
  function multiplicative(): Expr {
    let left = unary();
    while (peek().kind === 'op' && (peek().text === '*' || peek().text === '/')) {
      const op = next().text as '*' | '/';
      left = { kind: 'binary', op, left, right: unary() };
    }
    return left;
  }
  function unary(): Expr {
    if (peek().kind === 'op' && peek().text === '-') {
      next();
      return { kind: 'negate', expr: unary() };
    }
    return primary();
  }
  function primary(): Expr {
    const t = next();
    if (t.kind === 'number') return { kind: 'number', text: t.text };
    if (t.kind === 'string') return { kind: 'string', value: t.text };
    if (t.kind === 'op' && t.text === '(') {
      const inner = additive();
      expectOp(')');
      return inner;
    }
    if (t.kind === 'ident') {
      const upper = t.text.toUpperCase();
      const isCall = peek().kind === 'op' && peek().text === '(';
      if (upper === 'CAST' && isCall) {
        next();
        const expr = additive();
        const as = next();
        if (as.kind !== 'ident' || as.text.toUpperCase() !== 'AS')
          fail(as, `expected AS but found ${describe(as)}`);
        const typeStart = peek();
        let typeText = '';
        // decimal(p,s) spans several tokens; read until the closing parenthesis of CAST
        let depth = 0;
        while (!(peek().kind === 'op' && peek().text === ')' && depth === 0)) {
          const tt = next();
          if (tt.kind === 'end') fail(tt, 'expected ")" to close CAST');
          if (tt.text === '(') depth++;
          if (tt.text === ')') depth--;
          typeText += tt.text;
        }
        expectOp(')');
        const type = parseLogicalType(typeText.toLowerCase());
        if (!type)
          fail(
            typeStart,
            `unknown type ${JSON.stringify(typeText)} in CAST: use string, int, bigint, double, decimal(p,s), boolean, date or timestamp`,
          );
        return { kind: 'cast', expr, type: type! };
      }
      if (isCall) {
        if (!(upper in FUNCTIONS))
          fail(
            t,
            `function ${t.text} is not in the portable subset (allowed: CAST, ${Object.keys(FUNCTIONS).join(', ')})`,
          );
        next();
        const args: Expr[] = [];
        if (!(peek().kind === 'op' && peek().text === ')')) {
          args.push(additive());
          while (peek().kind === 'op' && peek().text === ',') {
            next();
            args.push(additive());
          }
        }
        expectOp(')');
        const fn = upper as FunctionName;
        const { min, max } = FUNCTIONS[fn];
        if (args.length < min || args.length > max)
          fail(t, `${fn} takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`);
        return { kind: 'call', fn, args };
      }
      if (KEYWORDS.has(upper)) fail(t, `unexpected keyword ${t.text}`);
      if (!/^[a-z][a-z0-9_]*$/.test(t.text))
        fail(t, `column ${JSON.stringify(t.text)} must be lower-case (columns are ^[a-z][a-z0-9_]*$)`);
      return { kind: 'column', name: t.text };
    }
    return fail(t, `unexpected token ${describe(t)}`);
  }

  const expr = additive();
  const end = peek();
  if (end.kind !== 'end') fail(end, `unexpected token ${describe(end)}`);
  return expr;
}

/** Every column an expression reads. */
export function referencedColumns(expr: Expr): string[] {
  switch (expr.kind) {
    case 'column':
      return [expr.name];
    case 'number':
    case 'string':
      return [];
    case 'cast':
    case 'negate':
      return referencedColumns(expr.expr);
    case 'binary':
      return [...referencedColumns(expr.left), ...referencedColumns(expr.right)];
    case 'call':
      return expr.args.flatMap(referencedColumns);
  }
}
