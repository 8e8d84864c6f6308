import { MissingStateError } from '../errors';

type StateVisitor = (name: string, state: Record<string, unknown>) => void;

/** Calls `visit` for every state of an ASL definition, inside Parallel branches and Map iterators too. */
export function visitStates(definition: unknown, visit: StateVisitor): void {
  const states = (definition as { States?: Record<string, Record<string, unknown>> })?.States ?? {};
  for (const [name, state] of Object.entries(states)) {
    visit(name, state);
    for (const branch of (state.Branches as unknown[]) ?? []) visitStates(branch, visit);
    if (state.Iterator) visitStates(state.Iterator, visit);
    if (state.ItemProcessor) visitStates(state.ItemProcessor, visit);
  }
}

/** The `Resource` of the Task state named `stateName`, wherever it sits in the definition. */
export function taskResource(definition: unknown, stateName: string): string {
  let resource: string | undefined;
  visitStates(definition, (name, state) => {
    if (name === stateName) resource = String(state.Resource ?? '');
  });
  if (resource === undefined) throw new MissingStateError(stateName);
  return resource;
}
