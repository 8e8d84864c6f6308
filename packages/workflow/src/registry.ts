import { StageRegistryError } from './errors';
import { notifyStageType } from './notify';
import type { StageType } from './stage-type';

/** The stage types a pipeline may use, by their `type:` name; `notify` is always there. */
export interface StageRegistry {
  /** the type registered under `name`, or undefined */
  get(name: string): StageType | undefined;
  /** every registered type name, sorted */
  readonly names: readonly string[];
  readonly types: readonly StageType[];
}

/** A registry of the given types plus the built-in `notify`. Throws StageRegistryError on a duplicate name. */
export function createStageRegistry(types: readonly StageType[]): StageRegistry {
  const byName = new Map<string, StageType>([[notifyStageType.type, notifyStageType as StageType]]);
  for (const type of types) {
    if (byName.has(type.type))
      throw new StageRegistryError(
        type.type === notifyStageType.type
          ? 'stage type "notify" is built into the workflow package; register your type under another name'
          : `stage type "${type.type}" is registered twice`,
      );
    byName.set(type.type, type);
  }
  const names = [...byName.keys()].sort();
  return {
    get: (name) => byName.get(name),
    names,
    types: names.map((name) => byName.get(name)!),
  };
}
