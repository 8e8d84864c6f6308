import { describe, expect, it } from 'vitest';
import { loadStackCatalog } from './stack-catalog';
import { repoRoot, testCatalog } from './test-workspace';

describe('the catalog the CI tests use', () => {
  it('is the stack catalog of infra/stacks.ts, stack for stack', async () => {
    // Act
    const catalog = await loadStackCatalog(repoRoot);

    // Assert
    expect(testCatalog).toEqual(catalog);
  });
});
