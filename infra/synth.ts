import path from 'node:path';
import { listEnvironments, loadEnvConfig, workspaceRoot } from '@lakepipe/constructs';
import type { PipelineModel } from '@lakepipe/workflow';
import { App } from 'cdktf';
import { MissingPipelineError, MissingStackFactoryError, UnknownSelectionError } from './errors';
import { type StackFactory, stackFactories, stacksWithoutPipeline, stageTypes } from './stack-factories';
import { type StackCatalogEntry, type StackId, stackCatalog, stackName } from './stacks';

export interface SynthOptions {
  /**
   * Environments to synthesize.
   * @default every infra/config/<env>.yaml
   */
  readonly envs?: readonly string[];
  /**
   * Only the stacks of these Nx projects; a listed stack without a factory is an error.
   * @default every stack of the catalog; those without a factory are skipped and reported
   */
  readonly projects?: readonly string[];
  /**
   * Only these stack ids; a listed stack without a factory is an error.
   * @default every stack of the catalog
   */
  readonly stacks?: readonly string[];
  /**
   * Where cdktf writes `stacks/<stack>/cdk.tf.json`.
   * @default $CDKTF_OUTDIR, else <repo>/cdktf.out
   */
  readonly outdir?: string;
  /** @default the repository's infra/config */
  readonly configDir?: string;
  /** @default the repository's pipeline.yaml */
  readonly pipelineFile?: string;
  /** @default infra/stack-factories.ts */
  readonly factories?: Partial<Record<StackId, StackFactory>>;
}

export interface SynthResult {
  readonly outdir: string;
  /** stack names written, e.g. `shared-infra-dev` */
  readonly synthesized: readonly string[];
  /** catalog stacks left out because no factory builds them (the catalog lists a stack the composition root does not) */
  readonly skipped: readonly string[];
}

/** Builds the cdktf app of the selected stacks and environments and writes their Terraform JSON. */
export async function synthesize(options: SynthOptions = {}): Promise<SynthResult> {
  const factories = options.factories ?? stackFactories;
  const configDir = options.configDir;
  const envs = options.envs?.length ? options.envs : listEnvironments({ configDir });
  const { entries, explicit } = selectStacks(options);
  const missing = entries.filter((entry) => !factories[entry.id]);
  if (explicit && missing.length > 0) throw new MissingStackFactoryError(missing.map((entry) => entry.id));

  const configs = envs.map((env) => loadEnvConfig(env, { configDir })); // validate every env before building
  const outdir = options.outdir ?? process.env.CDKTF_OUTDIR ?? path.join(workspaceRoot, 'cdktf.out');
  const app = new App({ outdir, skipValidation: false });
  // The workflow package (parser, ASL validator, stage types) is loaded only when a selected
  // stack needs the pipeline: synthesizing shared storage alone stays cheap.
  const buildable = entries.filter((entry) => factories[entry.id]);
  let pipeline: PipelineModel | undefined;
  if (buildable.some((entry) => !stacksWithoutPipeline.has(entry.id))) {
    const { createStageRegistry, loadPipeline } = await import('@lakepipe/workflow');
    pipeline = loadPipeline(
      options.pipelineFile ?? path.join(workspaceRoot, 'pipeline.yaml'),
      createStageRegistry(stageTypes),
    );
  }
  const loadPipelineOnce = () => {
    if (!pipeline) throw new MissingPipelineError();
    return pipeline;
  };

  const synthesized: string[] = [];
  for (const config of configs) {
    for (const entry of entries) {
      const factory = factories[entry.id];
      if (!factory) continue;
      factory(app, config, loadPipelineOnce);
      synthesized.push(stackName(entry.id, config.name));
    }
  }
  app.synth();
  const skipped = missing.flatMap((entry) => configs.map((config) => stackName(entry.id, config.name)));
  return { outdir, synthesized, skipped };
}

function selectStacks(options: SynthOptions): { entries: readonly StackCatalogEntry[]; explicit: boolean } {
  const projects = options.projects ?? [];
  const stacks = options.stacks ?? [];
  if (projects.length === 0 && stacks.length === 0) return { entries: stackCatalog, explicit: false };
  const knownProjects = [...new Set(stackCatalog.map((entry) => entry.project as string))];
  for (const project of projects) {
    if (!knownProjects.includes(project))
      throw new UnknownSelectionError('--project', project, knownProjects);
  }
  const knownIds = stackCatalog.map((entry) => entry.id as string);
  for (const id of stacks) {
    if (!knownIds.includes(id)) throw new UnknownSelectionError('--stack', id, knownIds);
  }
  return {
    entries: stackCatalog.filter((entry) => projects.includes(entry.project) || stacks.includes(entry.id)),
    explicit: true,
  };
}
