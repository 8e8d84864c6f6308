import type { LedgerAction, LedgerApiCall } from '../ledger-tasks';

/** An ASL state: plain JSON. */
export type AslState = Record<string, unknown>;

export interface AslDefinition {
  readonly Comment: string;
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
}

/** What a Task state is, so the local twin can bind it by name. */
export type StateBinding =
  /** one step of a stage: run the stage type's `local[stepKey]` with the state's resolved Parameters */
  | {
      readonly kind: 'stage-step';
      readonly stageId: string;
      readonly stageType: string;
      readonly stepKey: string;
    }
  /** a DynamoDB call on the ledger table: run `api` with the resolved Parameters, verbatim */
  | { readonly kind: 'ledger'; readonly action: LedgerAction; readonly api: LedgerApiCall }
  /** the failure notification: an SNS Publish to the error topic */
  | { readonly kind: 'notify'; readonly topicArn: string }
  /** a stage's manifest read: an S3 GetObject of `Key` in the lake, answered `{ Body }` */
  | { readonly kind: 'manifest'; readonly stageId: string };

export interface CompiledPipeline {
  readonly definition: AslDefinition;
  readonly bindings: Readonly<Record<string, StateBinding>>;
  /** the service's own timeout of each Task state that runs a service, by state name */
  readonly serviceTimeouts: Readonly<Record<string, { readonly seconds: number; readonly what: string }>>;
}

/** Where a compiled piece goes next: a named state, or the end of its scope. */
export type Continuation = { readonly next: string } | { readonly end: true };

export function continueWith(cont: Continuation): { Next: string } | { End: true } {
  return 'next' in cont ? { Next: cont.next } : { End: true };
}
