import { stackFactories as factoriesById } from '@lakepipe/stages/stacks';
import { describe, expect, it } from 'vitest';
import { stackFactories } from './stack-factories';
import { stackCatalog } from './stacks';

describe('stack factories', () => {
  it('builds every stack of the catalog with a factory of the composition root, and no other', () => {
    // Arrange
    const catalogIds = stackCatalog.map((entry) => entry.id).sort();

    // Act
    const rootIds = Object.keys(factoriesById).sort();
    const infraIds = Object.keys(stackFactories).sort();

    // Assert
    expect(rootIds).toEqual(catalogIds);
    expect(infraIds).toEqual(catalogIds);
  });
});
