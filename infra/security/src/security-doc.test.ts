import { readFileSync } from 'node:fs';
import path from 'node:path';
import { workspaceRoot } from '@lakepipe/constructs';
import { describe, expect, it } from 'vitest';
import { LAKEPIPE_ROLES, LEAST_PRIVILEGE_MATRIX } from './least-privilege-matrix';
import {
  DOC_END,
  DOC_START,
  normalizeTables,
  renderSecurityMatrix,
  withGeneratedMatrix,
} from './security-doc';

const DOC = path.join(workspaceRoot, 'docs', 'security.md');

describe('docs/security.md', () => {
  it('shows the least-privilege matrix exactly as the IAM decision test checks it', () => {
    // Arrange
    const document = readFileSync(DOC, 'utf8');

    // Act
    const expected = withGeneratedMatrix(document, renderSecurityMatrix());

    // Assert: when this fails, run `npx nx run security:doc` and commit docs/security.md
    expect(normalizeTables(document)).toBe(normalizeTables(expected));
  });

  it('renders one column per role and one line per row, allowed cells marked', () => {
    // Act
    const table = renderSecurityMatrix();

    // Assert
    expect(table).toContain(`| request | ${LAKEPIPE_ROLES.map((r) => r.title).join(' | ')} |`);
    const rawPut = table.split('\n').find((line) => line.startsWith('| put raw/bench_tests/…'));
    expect(rawPut).toBe(
      `| put raw/bench_tests/…, abort its multipart uploads | ✅ | ${Array(LAKEPIPE_ROLES.length - 1)
        .fill('·')
        .join(' | ')} |`,
    );
    expect(
      table.split('\n').filter((line) => /^\| .* \| (✅|·) \|/.test(line)).length,
    ).toBeGreaterThanOrEqual(LEAST_PRIVILEGE_MATRIX.length);
  });

  it('refuses a document without the generated block', () => {
    // Act / Assert
    expect(() => withGeneratedMatrix('# Security\n', 'x')).toThrow(`${DOC_START} ... ${DOC_END}`);
  });
});
