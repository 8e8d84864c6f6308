import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { DatasetSpec } from './dataset-spec';
import { PipelineValidationError } from './errors';
import { isPlainObject, ProblemReporter } from './parse/positions';
import { validateFlow } from './parse/validate-flow';
import { validateAcrossStages } from './parse/validate-pipeline';
import { validateStages } from './parse/validate-stages';
import { reportZodIssues } from './parse/zod-issues';
import type { PipelineModel, RetryPolicy, ViewSpec } from './pipeline-model';
import { DEFAULT_RETRY, DEFAULT_TIMEOUT_SECONDS, pipelineSchema } from './pipeline-schema';
import type { StageRegistry } from './registry';

export interface ParsePipelineOptions {
  /**
   * The file name used in messages.
   * @default "pipeline.yaml"
   */
  readonly file?: string;
  /** the stage types the pipeline may use */
  readonly registry: StageRegistry;
}

/** Reads and validates pipeline.yaml; `file` is shown in messages relative to the working directory. */
export function loadPipeline(file: string, registry: StageRegistry): PipelineModel {
  const shown = path.relative(process.cwd(), path.resolve(file)) || file;
  return parsePipeline(readFileSync(file, 'utf8'), { file: shown, registry });
}

/**
 * Parses and validates a pipeline document. Every problem is collected and thrown once as a
 * PipelineValidationError whose `problems` carry line:column positions. The pieces: the
 * top-level schema, then `stages:` (parse/validate-stages), then `flow:` (parse/validate-flow),
 * each reporting at YAML positions (parse/positions).
 */
export function parsePipeline(text: string, options: ParsePipelineOptions): PipelineModel {
  const file = options.file ?? 'pipeline.yaml';
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const reporter = new ProblemReporter(file, document, lineCounter);
  if (document.errors.length > 0) {
    for (const error of document.errors)
      reporter.problems.push({
        file,
        ...reporter.at(error.pos[0]),
        path: '',
        message: error.message.split('\n')[0]!,
      });
    throw new PipelineValidationError(reporter.problems);
  }

  const raw: unknown = document.toJS({ maxAliasCount: 100 });
  if (!isPlainObject(raw)) {
    reporter.report([], 'must be a YAML map with name, stages and flow (see packages/workflow/README.md)');
    throw new PipelineValidationError(reporter.problems);
  }
  const top = pipelineSchema.safeParse(raw);
  if (!top.success) reportZodIssues(reporter, top.error.issues, [], raw, pipelineSchema);
  const pipelineName = top.data?.name ?? (typeof raw.name === 'string' ? raw.name : 'pipeline');
  const datasets = (top.success ? (top.data.datasets ?? {}) : {}) as Record<string, DatasetSpec>;
  const defaultRetry: RetryPolicy = { ...DEFAULT_RETRY, ...(top.success ? top.data.defaults?.retry : {}) };
  const defaultTimeout =
    (top.success ? top.data.defaults?.timeoutSeconds : undefined) ?? DEFAULT_TIMEOUT_SECONDS;

  const rawStages = isPlainObject(raw.stages) ? raw.stages : {};
  const { stages, typed } = validateStages(reporter, rawStages, {
    registry: options.registry,
    defaultRetry,
    defaultTimeout,
  });
  const flow = validateFlow(reporter, raw, rawStages);
  const views = (top.success ? (top.data.views ?? {}) : isPlainObject(raw.views) ? raw.views : {}) as Record<
    string,
    ViewSpec
  >;
  const model: PipelineModel = {
    name: pipelineName,
    ...(top.data?.description === undefined ? {} : { description: top.data.description }),
    defaults: { retry: defaultRetry, timeoutSeconds: defaultTimeout },
    trigger: top.data?.trigger ?? {},
    datasets,
    views,
    stages,
    flow,
    sourceFile: file,
  };
  const contracts = validateAcrossStages(reporter, model, typed, options.registry);

  const { problems } = reporter;
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new PipelineValidationError(problems);
  }
  return { ...model, contracts };
}
