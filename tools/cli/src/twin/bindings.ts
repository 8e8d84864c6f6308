import { type FolderObjectStore, ObjectNotFoundError, readAll } from '@lakepipe/lake';
import { runLedgerTask } from '@lakepipe/ledger';
import type { LocalNotifier } from '@lakepipe/notifier';
import {
  type CompiledPipeline,
  type CompileTarget,
  type LocalStageContext,
  type PipelineModel,
  type StageRegistry,
  toAwsTaskError,
} from '@lakepipe/workflow';
import { z } from 'zod';
import { taskResource } from './asl';
import { UnsupportedLocalTaskError } from './aws-task';
import { type FailureInjection, InjectedFailureError } from './fail-injection';
import type { openLocalLedger } from './local-ledger';
import type { RunObserver } from './progress';

export interface BindingInputs {
  readonly compiled: CompiledPipeline;
  readonly target: CompileTarget;
  readonly registry: StageRegistry;
  readonly pipeline: PipelineModel;
  readonly env: string;
  /** the run the twin executes: every local engine gets it, typed, with its stage's attributes */
  readonly runId: string;
  readonly lakeRoot: string;
  readonly store: FolderObjectStore;
  readonly local: Awaited<ReturnType<typeof openLocalLedger>>;
  readonly notifier: LocalNotifier;
  readonly observer?: RunObserver;
  readonly fail?: FailureInjection;
}

export type LocalHandler = (input: unknown) => Promise<unknown>;

/**
 * One local handler per Task state of the compiled machine, chosen by the compiler's binding for
 * it: ledger tasks go verbatim to DynamoDB Local, the failure notification to the local notifier,
 * a manifest read to the folder lake, and a stage step to its stage type's local engine with a
 * typed request `{ runId, stageId, attributes, parameters }`.
 */
export function bindLocalHandlers(inputs: BindingInputs): Record<string, LocalHandler> {
  const { compiled, registry, pipeline, observer, fail } = inputs;
  const attempts = new Map<string, number>();
  const handlers: Record<string, LocalHandler> = {};
  for (const [stateName, binding] of Object.entries(compiled.bindings)) {
    const resource = taskResource(compiled.definition, stateName);
    if (binding.kind === 'ledger') {
      handlers[stateName] = (input) => runLedgerTask(inputs.local.dynamo, binding.api, input);
      continue;
    }
    if (binding.kind === 'notify') {
      handlers[stateName] = (input) => inputs.notifier.publishFromTask(input);
      continue;
    }
    if (binding.kind === 'manifest') {
      handlers[stateName] = (input) => getObjectTask(inputs.store, input);
      continue;
    }
    if (binding.kind !== 'stage-step')
      throw new UnsupportedLocalTaskError(resource, `unknown binding ${JSON.stringify(binding)}`);
    const stage = pipeline.stages[binding.stageId]!;
    const type = registry.get(stage.type);
    if (!type) throw new UnsupportedLocalTaskError(resource, `no stage type ${stage.type} is registered`);
    const steps = type.compile({
      stageId: stage.id,
      attributes: stage.attributes,
      datasets: pipeline.datasets,
      pipelineName: pipeline.name,
      target: inputs.target,
      pipeline,
    });
    const first = steps[0]!.key === binding.stepKey;
    // the compiler's manifest read follows a stage that writes one: the stage ends there
    const last = type.writesManifest === false && steps[steps.length - 1]!.key === binding.stepKey;
    const engine = type.local[binding.stepKey];
    if (!engine)
      throw new UnsupportedLocalTaskError(
        resource,
        `stage type ${stage.type} has no local engine for step ${binding.stepKey}`,
      );
    const context: LocalStageContext = {
      env: inputs.env,
      stageId: stage.id,
      lakeRoot: inputs.lakeRoot,
      store: inputs.store,
      ledger: inputs.local.ledger,
      datasets: pipeline.datasets,
      pipeline,
      notifier: inputs.notifier,
      progress: (update) => observer?.stageProgress(stage.id, update),
    };
    handlers[stateName] = async (parameters) => {
      if (first) {
        const attempt = (attempts.get(stateName) ?? 0) + 1;
        attempts.set(stateName, attempt);
        observer?.stageStarted(stage.id, attempt);
        if (fail && fail.stageId === stage.id && attempt <= fail.times) {
          const error = new InjectedFailureError(stage.id, attempt, fail.times);
          observer?.stageFinished(stage.id, { ok: false, error: error.message });
          throw error;
        }
      }
      try {
        const result = await engine(
          { runId: inputs.runId, stageId: stage.id, attributes: stage.attributes, parameters },
          context,
        );
        if (last) observer?.stageFinished(stage.id, { ok: true });
        return result;
      } catch (error) {
        observer?.stageFinished(stage.id, {
          ok: false,
          error: `${(error as Error).name}: ${(error as Error).message}`,
        });
        // the state machine sees the error the way the AWS integration raises it (a failed Glue job is
        // States.TaskFailed with the engine's error in the cause), so retries behave as they would in AWS
        throw toAwsTaskError(resource, error, parameterJobName(parameters));
      }
    };
  }
  for (const [stateName, binding] of Object.entries(compiled.bindings)) {
    if (binding.kind !== 'manifest') continue;
    const read = handlers[stateName]!;
    handlers[stateName] = async (input) => {
      try {
        const result = await read(input);
        observer?.stageFinished(binding.stageId, { ok: true });
        return result;
      } catch (error) {
        observer?.stageFinished(binding.stageId, {
          ok: false,
          error: `${(error as Error).name}: ${(error as Error).message}`,
        });
        throw error;
      }
    };
  }
  return handlers;
}

const getObjectParameters = z.object({ Bucket: z.string(), Key: z.string() });

/** The job a Glue or SageMaker step names in its Parameters, for the AWS-shaped failure's cause. */
function parameterJobName(parameters: unknown): string | undefined {
  const p = (parameters ?? {}) as { JobName?: unknown; TransformJobName?: unknown };
  const name = p.JobName ?? p.TransformJobName;
  return typeof name === 'string' ? name : undefined;
}

/** `aws-sdk:s3:getObject` on the folder lake: `{ Body }` as text, or S3's NoSuchKey error. */
async function getObjectTask(store: FolderObjectStore, input: unknown): Promise<{ Body: string }> {
  const { Key } = getObjectParameters.parse(input);
  try {
    return { Body: (await readAll(await store.get(Key))).toString('utf8') };
  } catch (error) {
    if (!(error instanceof ObjectNotFoundError)) throw error;
    const missing = new Error(`The specified key does not exist: ${Key} (${store.location})`);
    missing.name = 'S3.NoSuchKeyException';
    throw missing;
  }
}
