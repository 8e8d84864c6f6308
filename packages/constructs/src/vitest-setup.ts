// vitest setupFiles entry: the cdktf matchers (toHaveResourceWithProperties, ...) on vitest's expect.
import { Testing } from 'cdktf';
import { expect } from 'vitest';

Object.assign(globalThis, { expect });
Testing.setupJest();

declare module 'vitest' {
  interface Assertion<T> {
    toHaveResource(resourceType: { tfResourceType: string }): T;
    toHaveResourceWithProperties(
      resourceType: { tfResourceType: string },
      properties: Record<string, unknown>,
    ): T;
    toHaveDataSource(dataSourceType: { tfResourceType: string }): T;
    toHaveDataSourceWithProperties(
      dataSourceType: { tfResourceType: string },
      properties: Record<string, unknown>,
    ): T;
    toHaveProvider(providerType: { tfResourceType: string }): T;
    toHaveProviderWithProperties(
      providerType: { tfResourceType: string },
      properties: Record<string, unknown>,
    ): T;
    toBeValidTerraform(): T;
    toPlanSuccessfully(): T;
  }
}
