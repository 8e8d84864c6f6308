import { readFileSync } from 'node:fs';
import path from 'node:path';
import { workspaceRoot } from '@lakepipe/constructs';
import { describe, expect, it } from 'vitest';
import { skippedChecks } from './checkov';
import { CheckovError } from './errors';

describe('skippedChecks', () => {
  it('reads every skip of .checkov.yaml with the reason written above it', () => {
    // Act
    const skips = skippedChecks(
      readFileSync(path.join(workspaceRoot, '.checkov.yaml'), 'utf8'),
      '.checkov.yaml',
    );

    // Assert
    expect(skips.length).toBeGreaterThan(0);
    for (const skip of skips) expect(skip.reason.length, skip.id).toBeGreaterThan(40);
    expect(skips.find((s) => s.id === 'CKV_AWS_145')?.reason).toMatch(/access log/);
  });

  it('refuses a skipped check without a reason, naming it', () => {
    // Arrange
    const config = 'skip-check:\n  # the log bucket must be SSE-S3\n  - CKV_AWS_145\n  - CKV_AWS_999\n';

    // Act
    const failure = () => skippedChecks(config, '.checkov.yaml');

    // Assert
    expect(failure).toThrow(CheckovError);
    expect(failure).toThrow(
      '.checkov.yaml: skip-check CKV_AWS_999 has no comment above it saying why it does not apply',
    );
  });
});
