import { ConditionSyntaxError } from './errors';

/**
 * `when:` conditions: a small expression language compiled to ASL Choice rules.
 *
 *   expr       := or
 *   or         := and ("or" and)*
 *   and        := unary ("and" unary)*
 *   unary      := "not" unary | "(" expr ")" | comparison
 *   comparison := operand (("==" | "!=" | ">" | ">=" | "<" | "<=") operand)?
 *   operand    := path | number | 'string' | "string" | true | false
 *   path       := "$." name ("." name)*
 *
 * A comparison has exactly one path; a bare path means `path == true`.
 */
export type ComparisonOperator = '==' | '!=' | '>' | '>=' | '<' | '<=';
export type Literal = number | string | boolean;

export type Condition =
  | { readonly kind: 'and' | 'or'; readonly operands: readonly Condition[] }
  | { readonly kind: 'not'; readonly operand: Condition }
  | {
      readonly kind: 'compare';
      readonly path: string;
      /** the path's offset in the condition text */
      readonly pathOffset: number;
      readonly operator: ComparisonOperator;
      readonly value: Literal;
    };

type Token =
  | { readonly kind: 'path'; readonly text: string; readonly offset: number }
  | { readonly kind: 'number'; readonly value: number; readonly offset: number }
  | { readonly kind: 'string'; readonly value: string; readonly offset: number }
  | { readonly kind: 'word'; readonly text: string; readonly offset: number }
  | { readonly kind: 'op'; readonly text: string; readonly offset: number }
  | { readonly kind: 'end'; readonly offset: number };

const PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_]*)+/;
const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/;
const WORD = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATORS = ['==', '!=', '>=', '<=', '>', '<', '(', ')'];
const ALLOWED =
  'use $.stage.field paths, numbers, quoted strings, true/false, ==, !=, >, >=, <, <=, and, or, not and parentheses';

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    if (/^\s/.test(rest)) {
      i++;
      continue;
    }
    const path = PATH.exec(rest);
    if (path) {
      tokens.push({ kind: 'path', text: path[0], offset: i });
      i += path[0].length;
      continue;
    }
    if (rest.startsWith('$'))
      throw new ConditionSyntaxError(
        `malformed path "${rest.split(/[\s()]/)[0]}"; a path is $.<stage>.<field>`,
        i,
      );
    const number = NUMBER.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]), offset: i });
      i += number[0].length;
      continue;
    }
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      const close = rest.indexOf(quote, 1);
      if (close < 0) throw new ConditionSyntaxError(`unterminated string; close it with ${quote}`, i);
      tokens.push({ kind: 'string', value: rest.slice(1, close), offset: i });
      i += close + 1;
      continue;
    }
    const word = WORD.exec(rest);
    if (word) {
      tokens.push({ kind: 'word', text: word[0], offset: i });
      i += word[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op) {
      tokens.push({ kind: 'op', text: op, offset: i });
      i += op.length;
      continue;
    }
    if (rest.startsWith('=')) throw new ConditionSyntaxError('unexpected "="; compare with ==', i);
    throw new ConditionSyntaxError(`unexpected character "${rest[0]}"; ${ALLOWED}`, i);
  }
  tokens.push({ kind: 'end', offset: text.length });
  return tokens;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the condition';
    case 'path':
    case 'word':
    case 'op':
      return `"${token.text}"`;
    case 'number':
      return String(token.value);
    case 'string':
      return JSON.stringify(token.value);
  }
}

const COMPARISONS: readonly string[] = ['==', '!=', '>', '>=', '<', '<='];
const FLIPPED: Record<ComparisonOperator, ComparisonOperator> = {
  '==': '==',
  '!=': '!=',
  '>': '<',
  '>=': '<=',
  '<': '>',
  '<=': '>=',
};

/** Parses a `when:` condition; throws ConditionSyntaxError with the offset of the first problem. */
export function parseCondition(text: string): Condition {
  if (text.trim() === '') throw new ConditionSyntaxError(`the condition is empty; ${ALLOWED}`, 0);
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position]!;
  const next = () => tokens[position++]!;
  const isWord = (t: Token, w: string) => t.kind === 'word' && t.text === w;
  const isOp = (t: Token, o: string) => t.kind === 'op' && t.text === o;

  function parseOr(): Condition {
    const operands = [parseAnd()];
    while (isWord(peek(), 'or')) {
      next();
      operands.push(parseAnd());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }
  function parseAnd(): Condition {
    const operands = [parseUnary()];
    while (isWord(peek(), 'and')) {
      next();
      operands.push(parseUnary());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }
  function parseUnary(): Condition {
    const token = peek();
    if (isWord(token, 'not')) {
      next();
      return { kind: 'not', operand: parseUnary() };
    }
    if (isOp(token, '(')) {
      next();
      const inner = parseOr();
      const close = next();
      if (!isOp(close, ')'))
        throw new ConditionSyntaxError(`expected ")" but found ${describe(close)}`, close.offset);
      return inner;
    }
    return parseComparison();
  }
  function parseOperand(): { token: Token; value?: Literal; path?: string } {
    const token = next();
    switch (token.kind) {
      case 'path':
        return { token, path: token.text };
      case 'number':
      case 'string':
        return { token, value: token.value };
      case 'word':
        if (token.text === 'true' || token.text === 'false') return { token, value: token.text === 'true' };
        throw new ConditionSyntaxError(
          `unexpected word "${token.text}"; quote strings ('${token.text}') and start paths with $.`,
          token.offset,
        );
      default:
        throw new ConditionSyntaxError(
          `expected a path, number, string or boolean but found ${describe(token)}`,
          token.offset,
        );
    }
  }
  function parseComparison(): Condition {
    const left = parseOperand();
    const opToken = peek();
    if (!(opToken.kind === 'op' && COMPARISONS.includes(opToken.text))) {
      if (left.path !== undefined)
        return {
          kind: 'compare',
          path: left.path,
          pathOffset: left.token.offset,
          operator: '==',
          value: true,
        };
      throw new ConditionSyntaxError(
        `expected a comparison operator (==, !=, >, >=, <, <=) after ${describe(left.token)} but found ${describe(opToken)}`,
        opToken.offset,
      );
    }
    next();
    const operator = opToken.text as ComparisonOperator;
    const right = parseOperand();
    if (left.path !== undefined && right.path !== undefined)
      throw new ConditionSyntaxError(
        'both sides are paths; compare a path with a number, string or boolean',
        right.token.offset,
      );
    if (left.path === undefined && right.path === undefined)
      throw new ConditionSyntaxError(
        'neither side is a path; one side must be $.<stage>.<field>',
        left.token.offset,
      );
    const [path, pathToken, value, op] =
      left.path !== undefined
        ? [left.path, left.token, right.value!, operator]
        : [right.path!, right.token, left.value!, FLIPPED[operator]];
    if (typeof value === 'boolean' && op !== '==' && op !== '!=')
      throw new ConditionSyntaxError(`booleans compare with == or != only (got ${operator})`, opToken.offset);
    return { kind: 'compare', path, pathOffset: pathToken.offset, operator: op, value };
  }

  const condition = parseOr();
  const rest = peek();
  if (rest.kind !== 'end')
    throw new ConditionSyntaxError(
      `unexpected ${describe(rest)}; join comparisons with and / or`,
      rest.offset,
    );
  return condition;
}

/** Every path a condition reads, with its offset. */
export function conditionPaths(condition: Condition): { path: string; offset: number }[] {
  switch (condition.kind) {
    case 'compare':
      return [{ path: condition.path, offset: condition.pathOffset }];
    case 'not':
      return conditionPaths(condition.operand);
    default:
      return condition.operands.flatMap(conditionPaths);
  }
}

const NUMERIC: Record<Exclude<ComparisonOperator, '!='>, string> = {
  '==': 'NumericEquals',
  '>': 'NumericGreaterThan',
  '>=': 'NumericGreaterThanEquals',
  '<': 'NumericLessThan',
  '<=': 'NumericLessThanEquals',
};

/** The ASL Choice rule (without Next) for a condition. */
export function conditionToChoiceRule(condition: Condition): Record<string, unknown> {
  switch (condition.kind) {
    case 'and':
      return { And: condition.operands.map(conditionToChoiceRule) };
    case 'or':
      return { Or: condition.operands.map(conditionToChoiceRule) };
    case 'not':
      return { Not: conditionToChoiceRule(condition.operand) };
    case 'compare': {
      if (condition.operator === '!=')
        return { Not: conditionToChoiceRule({ ...condition, operator: '==' }) };
      const { value } = condition;
      const family = typeof value === 'number' ? 'Numeric' : typeof value === 'string' ? 'String' : 'Boolean';
      const operator = NUMERIC[condition.operator].replace('Numeric', family);
      return { Variable: condition.path, [operator]: value };
    }
  }
}
