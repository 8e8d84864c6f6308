import { describe, expect, it } from 'vitest';
import { conditionToChoiceRule, parseCondition } from './condition';
import { ConditionSyntaxError } from './errors';

function syntaxErrorOf(text: string): { message: string; offset: number } {
  try {
    parseCondition(text);
  } catch (error) {
    if (error instanceof ConditionSyntaxError) return { message: error.message, offset: error.offset };
    throw error;
  }
  throw new Error('expected a syntax error');
}

describe('parseCondition', () => {
  it('binds and tighter than or and honours parentheses', () => {
    // Act
    const rule = conditionToChoiceRule(parseCondition('$.a.x > 1 or $.a.y < 2 and ($.a.z == "on")'));

    // Assert
    expect(rule).toEqual({
      Or: [
        { Variable: '$.a.x', NumericGreaterThan: 1 },
        {
          And: [
            { Variable: '$.a.y', NumericLessThan: 2 },
            { Variable: '$.a.z', StringEquals: 'on' },
          ],
        },
      ],
    });
  });

  it('flips a literal on the left and turns != into Not', () => {
    // Act / Assert
    expect(conditionToChoiceRule(parseCondition('0.05 <= $.etl.rejectedRatio'))).toEqual({
      Variable: '$.etl.rejectedRatio',
      NumericGreaterThanEquals: 0.05,
    });
    expect(conditionToChoiceRule(parseCondition("$.etl.mode != 'full'"))).toEqual({
      Not: { Variable: '$.etl.mode', StringEquals: 'full' },
    });
  });

  it('reads a bare path as a boolean test', () => {
    // Act / Assert
    expect(conditionToChoiceRule(parseCondition('not $.etl.empty'))).toEqual({
      Not: { Variable: '$.etl.empty', BooleanEquals: true },
    });
  });

  it.each([
    ['$.a.x = 1', 'unexpected "="; compare with ==', 6],
    ['$.a.x > 1 and', 'expected a path, number, string or boolean but found the end of the condition', 13],
    ['($.a.x > 1', 'expected ")" but found the end of the condition', 10],
    ['$.a.x > $.a.y', 'both sides are paths; compare a path with a number, string or boolean', 8],
    ['1 < 2', 'neither side is a path; one side must be $.<stage>.<field>', 0],
    ['$.a.flag > true', 'booleans compare with == or != only (got >)', 9],
    ['$.a.x > 1 $.a.y', 'unexpected "$.a.y"; join comparisons with and / or', 10],
    ["$.a.s == 'open", "unterminated string; close it with '", 9],
    ['$.a.s == open', 'unexpected word "open"; quote strings (\'open\') and start paths with $.', 9],
    ['$a.x > 1', 'malformed path "$a.x"; a path is $.<stage>.<field>', 0],
    [
      '',
      'the condition is empty; use $.stage.field paths, numbers, quoted strings, true/false, ==, !=, >, >=, <, <=, and, or, not and parentheses',
      0,
    ],
  ])('rejects %j with a positioned message', (text, message, offset) => {
    // Act / Assert
    expect(syntaxErrorOf(text)).toEqual({ message, offset });
  });
});
