import { describe, expect, it } from 'vitest';
import { buildTransformModel } from './model';
import { regexDialectProblem, toJavaRegex } from './regex';

describe('one regex dialect (RE2 meaning) for both engines', () => {
  it('rewrites what Java reads differently: $ (before a final line break), . (CR, U+2028), \\s (vertical tab)', () => {
    // Act and Assert
    expect(toJavaRegex('^T-[0-9]{9}$')).toBe(String.raw`^T-[0-9]{9}\z`);
    expect(toJavaRegex('a.b[.$]\\.\\$')).toBe(String.raw`a[^\n]b[.$]\.\$`);
    expect(toJavaRegex(String.raw`\s+[^\s]\S`)).toBe(String.raw`[\t\n\f\r ]+[^\t\n\f\r ][^\t\n\f\r ]`);
    expect(toJavaRegex('[]$]$')).toBe(String.raw`[]$]\z`);
  });

  it('refuses constructs the engines read differently, naming the pattern, the field and the line', () => {
    // Act and Assert
    expect(regexDialectProblem('^[[:alpha:]]+$')).toMatch(/POSIX class/);
    expect(regexDialectProblem(String.raw`^\v$`)).toMatch(/escape/);
    expect(regexDialectProblem('^a{$')).toMatch(/literal \{/);
    expect(regexDialectProblem('(?i)abc')).toMatch(/inline flags/);
    expect(regexDialectProblem('a++')).toMatch(/possessive/);
    expect(regexDialectProblem('^T-[0-9]{9}$')).toBeUndefined();
    expect(regexDialectProblem(String.raw`^[0-9]+\.[0-9]+\{x\}$`)).toBeUndefined();
    expect(() =>
      buildTransformModel(
        'd',
        {
          format: { csv: { header: true, delimiter: ',' } },
          columns: { id: { type: 'string', required: true, pattern: '^[[:alpha:]]+$' } },
        } as never,
        { locate: () => 'pipeline.yaml:12' },
      ),
    ).toThrow(
      /columns\.id\.pattern: pattern "\^\[\[:alpha:\]\]\+\$" uses a POSIX class .* at pipeline\.yaml:12/,
    );
  });
});
