import { PipelineCompileError } from '../errors';
import { LEDGER_RESOURCES, type LedgerAction, type LedgerTask } from '../ledger-tasks';
import type { PipelineModel } from '../pipeline-model';
import type { StageRegistry } from '../registry';
import type { CompileTarget } from '../stage-type';
import type { AslState, StateBinding } from './types';

/**
 * The state of one compilation, shared by the fragments: the state names taken so far, the
 * twin's bindings, and the counters that number stages used twice, choices and parallels.
 */
export class CompileContext {
  readonly bindings: Record<string, StateBinding> = {};
  /** service timeouts of the Task states that run a service, by state name (for the cloud-rules check) */
  readonly serviceTimeouts: Record<string, { readonly seconds: number; readonly what: string }> = {};
  private readonly names = new Set<string>();
  private readonly occurrences = new Map<string, number>();
  private choiceCount = 0;
  private parallelCount = 0;
  private placeholderCount = 0;

  constructor(
    readonly model: PipelineModel,
    readonly registry: StageRegistry,
    readonly target: CompileTarget,
  ) {}

  /** Takes a state name; a name taken twice is a compiler bug, reported as PipelineCompileError. */
  claim(name: string): string {
    if (this.names.has(name)) throw new PipelineCompileError(`state name "${name}" is used twice`);
    this.names.add(name);
    return name;
  }

  /** A Task state running a ledger task, bound for the twin under `name`. */
  ledgerState(name: string, action: LedgerAction, task: LedgerTask, extra: AslState): AslState {
    this.bindings[name] = { kind: 'ledger', action, api: task.api };
    return {
      Type: 'Task',
      Resource: LEDGER_RESOURCES[task.api],
      Parameters: task.parameters,
      ...(task.resultSelector ? { ResultSelector: task.resultSelector } : {}),
      ...extra,
    };
  }

  /** `etl` for the first use of a stage in the flow, `etl #2` for the second. */
  stageLabel(stageId: string): string {
    const count = (this.occurrences.get(stageId) ?? 0) + 1;
    this.occurrences.set(stageId, count);
    return count === 1 ? stageId : `${stageId} #${count}`;
  }

  nextChoiceName(): string {
    return this.claim(`choice ${++this.choiceCount}`);
  }

  nextParallelName(): string {
    return this.claim(`parallel ${++this.parallelCount}`);
  }

  /** A unique stand-in for a successor that is compiled later (see compileSequence). */
  nextPlaceholder(): string {
    return `\u0000next${this.placeholderCount++}\u0000`;
  }
}
