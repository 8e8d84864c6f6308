import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type GetExecutionHistoryCommandOutput,
  type HistoryEvent,
  RedriveExecutionCommand,
  type RedriveExecutionCommandOutput,
  type SFNClient,
  StartExecutionCommand,
  type StartExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import type { CompiledPipeline } from '@lakepipe/workflow';
import type { RunObserver } from '../twin/progress';
import { credentialFailure } from './context';

/** A Task state that runs one step of a stage. */
export interface StageState {
  readonly stageId: string;
  /** the stage's first step: entering it again is a new attempt */
  readonly first: boolean;
  /** the stage's last step: its success is the stage's */
  readonly last: boolean;
}

/** Which Task states belong to which stage, from the compiler's bindings (the same names AWS reports). */
export function stageStatesOf(compiled: Pick<CompiledPipeline, 'bindings'>): Map<string, StageState> {
  const stepsOfStage = new Map<string, string[]>();
  const steps: [string, string, string][] = [];
  for (const [stateName, binding] of Object.entries(compiled.bindings)) {
    if (binding.kind !== 'stage-step') continue;
    const keys = stepsOfStage.get(binding.stageId) ?? [];
    if (!keys.includes(binding.stepKey)) keys.push(binding.stepKey);
    stepsOfStage.set(binding.stageId, keys);
    steps.push([stateName, binding.stageId, binding.stepKey]);
  }
  return new Map(
    steps.map(([stateName, stageId, stepKey]) => {
      const keys = stepsOfStage.get(stageId)!;
      return [stateName, { stageId, first: keys[0] === stepKey, last: keys[keys.length - 1] === stepKey }];
    }),
  );
}

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionOutcome {
  readonly executionArn: string;
  readonly status: ExecutionStatus;
  /** the stage whose task failed or timed out last, when one did */
  readonly failedStage?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly output?: string;
}

export interface FollowOptions {
  readonly observer: RunObserver;
  readonly stageStates: ReadonlyMap<string, StageState>;
  /** between two reads of the history. @default 2000 ms */
  readonly pollMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Called when a stage succeeds, e.g. to read its rows from the ledger for the display.
   * @default nothing
   */
  readonly onStageSucceeded?: (stageId: string) => Promise<void> | void;
}

export interface PipelineExecutionsProps {
  readonly sfn: SFNClient;
  readonly stateMachineArn: string;
  /** for messages about credentials. @default 'the environment' */
  readonly env?: string;
}

const TERMINAL: Record<string, ExecutionStatus> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

/**
 * The deployed state machine of one pipeline: start an execution (named after the run id), follow
 * its history into a RunObserver (the twin's progress display), describe or redrive it. Throttling
 * is retried by the SDK client (standard retry mode).
 */
export class PipelineExecutions {
  constructor(private readonly props: PipelineExecutionsProps) {}

  /**
   * Starts a run; the execution's name is the run id, so the ledger and the console agree. A redrive
   * is a new execution of the same run (`<runId>-redrive-<time>`: execution names are unique).
   */
  async start(
    runId: string,
    trigger = 'cli',
    options: { readonly redrive?: boolean } = {},
  ): Promise<{ executionArn: string; startDate?: Date }> {
    const answer = await this.send<StartExecutionCommandOutput>(
      new StartExecutionCommand({
        stateMachineArn: this.props.stateMachineArn,
        name: options.redrive ? `${runId}-redrive-${Date.now().toString(36)}` : runId,
        input: JSON.stringify(options.redrive ? { runId, trigger, redrive: true } : { runId, trigger }),
      }),
    );
    return { executionArn: answer.executionArn!, startDate: answer.startDate };
  }

  async describe(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    return this.send<DescribeExecutionCommandOutput>(new DescribeExecutionCommand({ executionArn }));
  }

  /** Restarts a FAILED, TIMED_OUT or ABORTED execution from where it stopped (Step Functions redrive). */
  async redrive(executionArn: string): Promise<{ redriveDate?: Date }> {
    return this.send<RedriveExecutionCommandOutput>(new RedriveExecutionCommand({ executionArn }));
  }

  /** Reads the history until the execution ends, telling the observer each stage's attempts and outcome. */
  async follow(executionArn: string, options: FollowOptions): Promise<ExecutionOutcome> {
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const stateOfEvent = new Map<number, string>();
    const attempts = new Map<string, number>();
    let lastSeen = 0;
    let failedStage: string | undefined;
    let terminal: HistoryEvent | undefined;
    try {
      while (!terminal) {
        const fresh = await this.eventsAfter(executionArn, lastSeen);
        for (const event of fresh) {
          lastSeen = Math.max(lastSeen, event.id ?? 0);
          const entered = event.stateEnteredEventDetails?.name;
          const state = entered ?? stateOfEvent.get(event.previousEventId ?? -1);
          if (state !== undefined) stateOfEvent.set(event.id!, state);
          const stage = state === undefined ? undefined : options.stageStates.get(state);
          if (event.type && event.type in TERMINAL) {
            terminal = event;
            continue;
          }
          if (!stage) continue;
          if (event.type === 'TaskScheduled' && stage.first) {
            const attempt = attempts.get(stage.stageId) ?? 0;
            attempts.set(stage.stageId, attempt + 1);
            options.observer.stageStarted(stage.stageId, attempt + 1);
          } else if (event.type === 'TaskSucceeded' && stage.last) {
            await options.onStageSucceeded?.(stage.stageId);
            options.observer.stageFinished(stage.stageId, { ok: true });
          } else if (event.type === 'TaskFailed' || event.type === 'TaskTimedOut') {
            const details = event.taskFailedEventDetails ?? event.taskTimedOutEventDetails;
            failedStage = stage.stageId;
            options.observer.stageFinished(stage.stageId, {
              ok: false,
              error: [details?.error, details?.cause].filter(Boolean).join(': ') || event.type,
            });
          }
        }
        if (!terminal) await sleep(options.pollMs ?? 2000);
      }
    } finally {
      options.observer.close();
    }
    const status = TERMINAL[terminal.type!]!;
    const details =
      terminal.executionFailedEventDetails ??
      terminal.executionTimedOutEventDetails ??
      terminal.executionAbortedEventDetails;
    const described = status === 'SUCCEEDED' ? await this.describe(executionArn) : undefined;
    return {
      executionArn,
      status,
      failedStage: status === 'SUCCEEDED' ? undefined : failedStage,
      error: details?.error ?? (status === 'TIMED_OUT' ? 'States.Timeout' : undefined),
      cause: details?.cause,
      output: described?.output,
    };
  }

  /** Every event with an id above `after`, oldest first: pages read newest first until one is seen. */
  private async eventsAfter(executionArn: string, after: number): Promise<HistoryEvent[]> {
    const fresh: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.send<GetExecutionHistoryCommandOutput>(
        new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 100, nextToken }),
      );
      for (const event of page.events ?? []) {
        if ((event.id ?? 0) <= after) return fresh.reverse();
        fresh.push(event);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return fresh.reverse();
  }

  // biome-ignore lint/suspicious/noExplicitAny: one generic send over the SDK's command union
  private async send<T>(command: any): Promise<T> {
    try {
      return (await this.props.sfn.send(command)) as T;
    } catch (error) {
      throw credentialFailure(this.props.env ?? 'the environment', error, 'Step Functions');
    }
  }
}
