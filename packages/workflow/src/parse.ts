import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { conditionPaths, parseCondition } from './condition';
import type { DatasetSpec } from './dataset-spec';
import { ConditionSyntaxError, type PipelineProblem, PipelineValidationError } from './errors';
import type { FlowStep, PipelineModel, RetryPolicy, StageModel, ViewSpec } from './pipeline-model';
import {
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_SECONDS,
  pipelineSchema,
  RESERVED_STAGE_IDS,
  STAGE_BASE_KEYS,
  stageBaseSchema,
} from './pipeline-schema';
import type { StageRegistry } from './registry';
import { didYouMean } from './suggest';

export interface ParsePipelineOptions {
  /**
   * The file name used in messages.
   * @default "pipeline.yaml"
   */
  readonly file?: string;
  /** the stage types the pipeline may use */
  readonly registry: StageRegistry;
}

type PathSegment = string | number;

const SAFE_ID = /^[a-z][a-z0-9_]{0,62}$/;
const FLOW_STEP_HELP =
  'a flow step is a stage id, { choice: [{ when, then }], otherwise: [...] } or { parallel: [[...], [...]] }';

/** Reads and validates pipeline.yaml; `file` is shown in messages relative to the working directory. */
export function loadPipeline(file: string, registry: StageRegistry): PipelineModel {
  const shown = path.relative(process.cwd(), path.resolve(file)) || file;
  return parsePipeline(readFileSync(file, 'utf8'), { file: shown, registry });
}

/**
 * Parses and validates a pipeline document. Every problem is collected and thrown once as a
 * PipelineValidationError whose `problems` carry line:column positions.
 */
export function parsePipeline(text: string, options: ParsePipelineOptions): PipelineModel {
  const file = options.file ?? 'pipeline.yaml';
  const { registry } = options;
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: PipelineProblem[] = [];

  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (document.errors.length > 0) {
    for (const error of document.errors)
      problems.push({ file, ...at(error.pos[0]), path: '', message: error.message.split('\n')[0]! });
    throw new PipelineValidationError(problems);
  }

  /** The node at `segments` (the key node with `key`), or the nearest ancestor that exists. */
  const nodeAt = (segments: readonly PathSegment[], key = false): Node | undefined => {
    let node: unknown = document.contents;
    let found: Node | undefined = isNode(node) ? node : undefined;
    for (const [i, segment] of segments.entries()) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
        );
        if (!pair) return found;
        if (key && i === segments.length - 1) return pair.key as Node;
        node = pair.value;
        found = isNode(node) ? node : (pair.key as Node);
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        node = node.items[segment];
        if (isNode(node)) found = node;
      } else return found;
    }
    return found;
  };
  const report = (
    segments: readonly PathSegment[],
    message: string,
    options: { key?: boolean; offsetInValue?: number } = {},
  ) => {
    const node = nodeAt(segments, options.key);
    let offset = node?.range?.[0] ?? 0;
    if (options.offsetInValue !== undefined && isScalar(node)) {
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      offset += options.offsetInValue + (quoted ? 1 : 0);
    }
    problems.push({ file, ...at(offset), path: segments.join('.'), message });
  };
  const reportZodIssues = (
    issues: readonly z.core.$ZodIssue[],
    prefix: readonly PathSegment[],
    value: unknown,
    schema: z.ZodType,
    extraKeys: readonly string[] = [],
  ) => {
    for (const issue of issues) {
      const relative = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
      const segments = [...prefix, ...relative];
      if (issue.code === 'unrecognized_keys') {
        const allowed = [...objectKeysAt(schema, relative), ...(relative.length === 0 ? extraKeys : [])];
        for (const unknownKey of issue.keys)
          report(
            [...segments, unknownKey],
            `is not a known key; ${didYouMean(unknownKey, allowed)}allowed: ${allowed.join(', ')}`,
            { key: true },
          );
        continue;
      }
      if (issue.code === 'invalid_key') {
        report(segments, `is not an allowed name; ${issue.issues[0]?.message ?? 'use a safe name'}`, {
          key: true,
        });
        continue;
      }
      report(segments, describeIssue(issue, valueAt(value, relative)));
    }
  };

  const raw: unknown = document.toJS({ maxAliasCount: 100 });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    report([], 'must be a YAML map with name, stages and flow (see packages/workflow/README.md)');
    throw new PipelineValidationError(problems);
  }
  const top = pipelineSchema.safeParse(raw);
  if (!top.success) reportZodIssues(top.error.issues, [], raw, pipelineSchema);
  const document_ = raw as Record<string, unknown>;
  const pipelineName = typeof document_.name === 'string' ? document_.name : 'pipeline';
  const datasets = (top.success ? (top.data.datasets ?? {}) : {}) as Record<string, DatasetSpec>;
  const defaultRetry: RetryPolicy = { ...DEFAULT_RETRY, ...(top.success ? top.data.defaults?.retry : {}) };
  const defaultTimeout =
    (top.success ? top.data.defaults?.timeoutSeconds : undefined) ?? DEFAULT_TIMEOUT_SECONDS;

  // stages: base keys, then the registered type's attributes, then its whole-pipeline checks
  const stages: Record<string, StageModel> = {};
  const rawStages = isPlainObject(document_.stages) ? document_.stages : {};
  for (const [stageId, rawStage] of Object.entries(rawStages)) {
    const stagePath = ['stages', stageId];
    if (!SAFE_ID.test(stageId)) {
      report(
        stagePath,
        'is not an allowed stage id; use 1-63 characters: a lower-case letter, then a-z, 0-9 or _',
        {
          key: true,
        },
      );
      continue;
    }
    if (RESERVED_STAGE_IDS.includes(stageId)) {
      report(
        stagePath,
        `is reserved by the workflow (reserved: ${RESERVED_STAGE_IDS.join(', ')}); rename the stage`,
        {
          key: true,
        },
      );
      continue;
    }
    if (!isPlainObject(rawStage)) {
      report(stagePath, 'must be a map: { type: <stage type>, ...attributes }');
      continue;
    }
    const base = stageBaseSchema.safeParse(rawStage);
    if (!base.success) reportZodIssues(base.error.issues, stagePath, rawStage, stageBaseSchema);
    const typeName = rawStage.type;
    if (typeof typeName !== 'string') continue;
    const stageType = registry.get(typeName);
    if (!stageType) {
      report(
        [...stagePath, 'type'],
        `unknown stage type "${typeName}"; ${didYouMean(typeName, registry.names)}registered types: ${registry.names.join(', ')}`,
      );
      continue;
    }
    const attributes = Object.fromEntries(
      Object.entries(rawStage).filter(([k]) => !STAGE_BASE_KEYS.includes(k)),
    );
    const parsed = stageType.attributes.safeParse(attributes);
    if (!parsed.success) {
      reportZodIssues(parsed.error.issues, stagePath, attributes, stageType.attributes, STAGE_BASE_KEYS);
      continue;
    }
    for (const problem of stageType.validate?.({
      stageId,
      attributes: parsed.data,
      datasets,
      pipelineName,
    }) ?? [])
      report([...stagePath, ...problem.path], problem.message);
    if (!base.success) continue;
    stages[stageId] = {
      id: stageId,
      type: typeName,
      attributes: parsed.data as Record<string, unknown>,
      retry: { ...defaultRetry, ...base.data.retry },
      timeoutSeconds: base.data.timeoutSeconds ?? defaultTimeout,
      line: at(nodeAt(stagePath, true)?.range?.[0] ?? 0).line,
    };
  }

  // flow: stage references, choice conditions (checked against the stages that ran before), parallels
  const stageIds = Object.keys(rawStages);
  const used = new Set<string>();
  const walkSequence = (value: unknown, segments: PathSegment[], ran: Set<string>): FlowStep[] => {
    if (!Array.isArray(value)) {
      report(segments, `must be a list of steps; ${FLOW_STEP_HELP}`);
      return [];
    }
    if (value.length === 0 && segments.length === 1) report(segments, 'must list at least one step');
    const steps: FlowStep[] = [];
    for (const [index, item] of value.entries()) {
      const step = walkStep(item, [...segments, index], ran);
      if (step) steps.push(step);
    }
    return steps;
  };
  const walkStep = (item: unknown, segments: PathSegment[], ran: Set<string>): FlowStep | undefined => {
    if (typeof item === 'string') {
      used.add(item);
      if (!(item in rawStages)) {
        report(
          segments,
          `unknown stage "${item}"; ${didYouMean(item, stageIds)}stages: ${stageIds.join(', ') || '(none declared)'}`,
        );
        return undefined;
      }
      ran.add(item);
      return { kind: 'stage', stageId: item };
    }
    if (!isPlainObject(item)) {
      report(segments, `is not a flow step; ${FLOW_STEP_HELP}`);
      return undefined;
    }
    if ('choice' in item) return walkChoice(item, segments, ran);
    if ('parallel' in item) return walkParallel(item, segments, ran);
    for (const key of Object.keys(item))
      report(
        [...segments, key],
        `is not a flow step key; ${didYouMean(key, ['choice', 'parallel'])}${FLOW_STEP_HELP}`,
        {
          key: true,
        },
      );
    return undefined;
  };
  const checkKeys = (item: Record<string, unknown>, segments: PathSegment[], allowed: readonly string[]) => {
    for (const key of Object.keys(item))
      if (!allowed.includes(key))
        report(
          [...segments, key],
          `is not a known key; ${didYouMean(key, allowed)}allowed: ${allowed.join(', ')}`,
          {
            key: true,
          },
        );
  };
  const walkChoice = (
    item: Record<string, unknown>,
    segments: PathSegment[],
    ran: Set<string>,
  ): FlowStep | undefined => {
    checkKeys(item, segments, ['choice', 'otherwise']);
    const branches: { when: string; then: FlowStep[] }[] = [];
    const ranOnEveryPath: Set<string>[] = [];
    if (!Array.isArray(item.choice) || item.choice.length === 0) {
      report([...segments, 'choice'], 'must be a non-empty list of { when: "<condition>", then: [steps] }');
    } else {
      for (const [index, branch] of item.choice.entries()) {
        const branchPath = [...segments, 'choice', index];
        if (!isPlainObject(branch)) {
          report(branchPath, 'must be a map: { when: "<condition>", then: [steps] }');
          continue;
        }
        checkKeys(branch, branchPath, ['when', 'then']);
        const when = branch.when;
        if (typeof when !== 'string')
          report([...branchPath, 'when'], 'is required: a condition such as "$.etl.rejectedRatio > 0.05"');
        else checkCondition(when, [...branchPath, 'when'], ran);
        const branchRan = new Set(ran);
        const then = walkSequence(branch.then ?? null, [...branchPath, 'then'], branchRan);
        ranOnEveryPath.push(branchRan);
        if (typeof when === 'string') branches.push({ when, then });
      }
    }
    const otherwiseRan = new Set(ran);
    const otherwise =
      item.otherwise === undefined
        ? []
        : walkSequence(item.otherwise, [...segments, 'otherwise'], otherwiseRan);
    ranOnEveryPath.push(otherwiseRan);
    // after a choice, only the stages run on every path are known to have run
    for (const stageId of ranOnEveryPath[0] ?? [])
      if (ranOnEveryPath.every((set) => set.has(stageId))) ran.add(stageId);
    return { kind: 'choice', branches, otherwise };
  };
  const walkParallel = (
    item: Record<string, unknown>,
    segments: PathSegment[],
    ran: Set<string>,
  ): FlowStep | undefined => {
    checkKeys(item, segments, ['parallel']);
    const list = item.parallel;
    if (!Array.isArray(list) || list.length < 2) {
      report(
        [...segments, 'parallel'],
        'must be a list of at least 2 branches, each a list of steps: [[a], [b, c]]',
      );
      if (Array.isArray(list))
        for (const [i, branch] of list.entries())
          walkSequence(branch, [...segments, 'parallel', i], new Set(ran));
      return undefined;
    }
    const branches: FlowStep[][] = [];
    const after = new Set(ran);
    for (const [index, branch] of list.entries()) {
      const branchRan = new Set(ran);
      branches.push(walkSequence(branch, [...segments, 'parallel', index], branchRan));
      for (const stageId of branchRan) after.add(stageId);
    }
    for (const stageId of after) ran.add(stageId);
    return { kind: 'parallel', branches };
  };
  const checkCondition = (when: string, segments: PathSegment[], ran: Set<string>) => {
    try {
      const condition = parseCondition(when);
      for (const { path: conditionPath, offset } of conditionPaths(condition)) {
        const [, stageId] = conditionPath.split('.');
        if (stageId === 'runId' || stageId === 'trigger') continue;
        if (!(stageId! in rawStages))
          report(
            segments,
            `reads ${conditionPath} but there is no stage "${stageId}"; ${didYouMean(stageId!, stageIds)}a path is $.<stage>.<field>, stages: ${stageIds.join(', ')}`,
            { offsetInValue: offset },
          );
        else if (!ran.has(stageId!))
          report(
            segments,
            `reads ${conditionPath} but stage "${stageId}" does not run before this choice on every path; stages that do: ${[...ran].join(', ') || '(none)'}`,
            { offsetInValue: offset },
          );
      }
    } catch (error) {
      if (!(error instanceof ConditionSyntaxError)) throw error;
      report(segments, `has an invalid condition: ${error.message}`, { offsetInValue: error.offset });
    }
  };

  const flow = 'flow' in document_ ? walkSequence(document_.flow, ['flow'], new Set()) : [];
  if (!('flow' in document_))
    report([], 'is missing flow: the list of steps to run (e.g. flow: [source, etl])');
  for (const stageId of stageIds)
    if (!used.has(stageId) && SAFE_ID.test(stageId) && !RESERVED_STAGE_IDS.includes(stageId))
      report(['stages', stageId], 'is declared but never used in flow; add it to flow or remove it', {
        key: true,
      });

  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new PipelineValidationError(problems);
  }
  const data = top.data!;
  return {
    name: data.name,
    ...(data.description === undefined ? {} : { description: data.description }),
    defaults: { retry: defaultRetry, timeoutSeconds: defaultTimeout },
    trigger: data.trigger ?? {},
    datasets,
    views: (data.views ?? {}) as Record<string, ViewSpec>,
    stages,
    flow,
    sourceFile: file,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function valueAt(value: unknown, segments: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment as string];
  }
  return current;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** "what is wrong; what is allowed" for a zod issue, in words a pipeline author reads. */
function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const custom = !/^(Invalid|Too (big|small))/.test(issue.message);
  if (issue.code === 'invalid_type' && value === undefined)
    return custom ? `is missing; it ${issue.message}` : `is missing; expected ${issue.expected}`;
  if (custom) return `${issue.message} (got ${show(value)})`;
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected === 'object' ? 'a map' : `a ${issue.expected}`} (got ${show(value)})`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)} (got ${show(value)})`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)} (got ${show(value)})`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')} (got ${show(value)})`;
    case 'invalid_union':
      return `is not valid (got ${show(value)}); ${issue.message}`;
    default:
      return `${issue.message} (got ${show(value)})`;
  }
}

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
}

/** The keys an object schema accepts at `segments` (best effort through optional/record/array/union). */
function objectKeysAt(schema: z.ZodType, segments: readonly PathSegment[]): string[] {
  const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: SchemaDef } })._zod.def;
  let candidates: z.ZodType[] = [schema];
  const unwrap = (list: z.ZodType[]): z.ZodType[] =>
    list.flatMap((s) => {
      const def = defOf(s);
      if (def.innerType) return unwrap([def.innerType]);
      if (def.type === 'pipe' && def.in) return unwrap([def.in]);
      if (def.type === 'lazy' && def.getter) return unwrap([def.getter()]);
      if (def.type === 'union' && def.options) return unwrap(def.options);
      return [s];
    });
  for (const segment of segments) {
    candidates = unwrap(candidates).flatMap((s) => {
      const def = defOf(s);
      if (def.type === 'object' && def.shape && typeof segment === 'string' && def.shape[segment])
        return [def.shape[segment]];
      if (def.type === 'record' && def.valueType) return [def.valueType];
      if (def.type === 'array' && def.element) return [def.element];
      return [];
    });
  }
  const keys = new Set<string>();
  for (const s of unwrap(candidates)) {
    const def = defOf(s);
    if (def.type === 'object' && def.shape) for (const key of Object.keys(def.shape)) keys.add(key);
  }
  return [...keys];
}
