import { conditionPaths, parseCondition } from '../condition';
import { ConditionSyntaxError } from '../errors';
import type { FlowStep } from '../pipeline-model';
import { RESERVED_STAGE_IDS } from '../pipeline-schema';
import { didYouMean } from '../suggest';
import { isPlainObject, type PathSegment, type ProblemReporter } from './positions';
import { SAFE_ID } from './validate-stages';

const FLOW_STEP_HELP =
  'a flow step is a stage id, { choice: [{ when, then }], otherwise: [...] } or { parallel: [[...], [...]] }';

/**
 * `flow:`: stage references, choice conditions (checked against the stages that ran before on
 * every path), parallels; then every declared stage must be used. `ran` tracks the stages known
 * to have run at each point of the walk.
 */
export function validateFlow(
  reporter: ProblemReporter,
  document: Readonly<Record<string, unknown>>,
  rawStages: Readonly<Record<string, unknown>>,
): FlowStep[] {
  const walker = new FlowWalker(reporter, rawStages);
  const flow = 'flow' in document ? walker.sequence(document.flow, ['flow'], new Set()) : [];
  if (!('flow' in document))
    reporter.report([], 'is missing flow: the list of steps to run (e.g. flow: [source, etl])');
  for (const stageId of walker.stageIds)
    if (!walker.used.has(stageId) && SAFE_ID.test(stageId) && !RESERVED_STAGE_IDS.includes(stageId))
      reporter.report(
        ['stages', stageId],
        'is declared but never used in flow; add it to flow or remove it',
        {
          key: true,
        },
      );
  return flow;
}

class FlowWalker {
  readonly stageIds: string[];
  readonly used = new Set<string>();

  constructor(
    private readonly reporter: ProblemReporter,
    private readonly rawStages: Readonly<Record<string, unknown>>,
  ) {
    this.stageIds = Object.keys(rawStages);
  }

  sequence(value: unknown, segments: PathSegment[], ran: Set<string>): FlowStep[] {
    if (!Array.isArray(value)) {
      this.reporter.report(segments, `must be a list of steps; ${FLOW_STEP_HELP}`);
      return [];
    }
    if (value.length === 0 && segments.length === 1)
      this.reporter.report(segments, 'must list at least one step');
    const steps: FlowStep[] = [];
    for (const [index, item] of value.entries()) {
      const step = this.step(item, [...segments, index], ran);
      if (step) steps.push(step);
    }
    return steps;
  }

  private step(item: unknown, segments: PathSegment[], ran: Set<string>): FlowStep | undefined {
    if (typeof item === 'string') {
      this.used.add(item);
      if (!(item in this.rawStages)) {
        this.reporter.report(
          segments,
          `unknown stage "${item}"; ${didYouMean(item, this.stageIds)}stages: ${this.stageIds.join(', ') || '(none declared)'}`,
        );
        return undefined;
      }
      ran.add(item);
      return { kind: 'stage', stageId: item };
    }
    if (!isPlainObject(item)) {
      this.reporter.report(segments, `is not a flow step; ${FLOW_STEP_HELP}`);
      return undefined;
    }
    if ('choice' in item) return this.choice(item, segments, ran);
    if ('parallel' in item) return this.parallel(item, segments, ran);
    for (const key of Object.keys(item))
      this.reporter.report(
        [...segments, key],
        `is not a flow step key; ${didYouMean(key, ['choice', 'parallel'])}${FLOW_STEP_HELP}`,
        { key: true },
      );
    return undefined;
  }

  private checkKeys(item: Record<string, unknown>, segments: PathSegment[], allowed: readonly string[]) {
    for (const key of Object.keys(item))
      if (!allowed.includes(key))
        this.reporter.report(
          [...segments, key],
          `is not a known key; ${didYouMean(key, allowed)}allowed: ${allowed.join(', ')}`,
          { key: true },
        );
  }

  private choice(item: Record<string, unknown>, segments: PathSegment[], ran: Set<string>): FlowStep {
    this.checkKeys(item, segments, ['choice', 'otherwise']);
    const branches: { when: string; then: FlowStep[] }[] = [];
    const ranOnEveryPath: Set<string>[] = [];
    if (!Array.isArray(item.choice) || item.choice.length === 0) {
      this.reporter.report(
        [...segments, 'choice'],
        'must be a non-empty list of { when: "<condition>", then: [steps] }',
      );
    } else {
      for (const [index, branch] of item.choice.entries()) {
        const branchPath = [...segments, 'choice', index];
        if (!isPlainObject(branch)) {
          this.reporter.report(branchPath, 'must be a map: { when: "<condition>", then: [steps] }');
          continue;
        }
        this.checkKeys(branch, branchPath, ['when', 'then']);
        const when = branch.when;
        if (typeof when !== 'string')
          this.reporter.report(
            [...branchPath, 'when'],
            'is required: a condition such as "$.etl.rejectedRatio > 0.05"',
          );
        else this.condition(when, [...branchPath, 'when'], ran);
        const branchRan = new Set(ran);
        const then = this.sequence(branch.then ?? null, [...branchPath, 'then'], branchRan);
        ranOnEveryPath.push(branchRan);
        if (typeof when === 'string') branches.push({ when, then });
      }
    }
    const otherwiseRan = new Set(ran);
    const otherwise =
      item.otherwise === undefined
        ? []
        : this.sequence(item.otherwise, [...segments, 'otherwise'], otherwiseRan);
    ranOnEveryPath.push(otherwiseRan);
    // after a choice, only the stages run on every path are known to have run
    for (const stageId of ranOnEveryPath[0] ?? [])
      if (ranOnEveryPath.every((set) => set.has(stageId))) ran.add(stageId);
    return { kind: 'choice', branches, otherwise };
  }

  private parallel(
    item: Record<string, unknown>,
    segments: PathSegment[],
    ran: Set<string>,
  ): FlowStep | undefined {
    this.checkKeys(item, segments, ['parallel']);
    const list = item.parallel;
    if (!Array.isArray(list) || list.length < 2) {
      this.reporter.report(
        [...segments, 'parallel'],
        'must be a list of at least 2 branches, each a list of steps: [[a], [b, c]]',
      );
      if (Array.isArray(list))
        for (const [i, branch] of list.entries())
          this.sequence(branch, [...segments, 'parallel', i], new Set(ran));
      return undefined;
    }
    const branches: FlowStep[][] = [];
    const after = new Set(ran);
    for (const [index, branch] of list.entries()) {
      const branchRan = new Set(ran);
      branches.push(this.sequence(branch, [...segments, 'parallel', index], branchRan));
      for (const stageId of branchRan) after.add(stageId);
    }
    for (const stageId of after) ran.add(stageId);
    return { kind: 'parallel', branches };
  }

  private condition(when: string, segments: PathSegment[], ran: Set<string>) {
    try {
      const condition = parseCondition(when);
      for (const { path: conditionPath, offset } of conditionPaths(condition)) {
        const [, stageId] = conditionPath.split('.');
        if (stageId === 'runId' || stageId === 'trigger') continue;
        if (!(stageId! in this.rawStages))
          this.reporter.report(
            segments,
            `reads ${conditionPath} but there is no stage "${stageId}"; ${didYouMean(stageId!, this.stageIds)}a path is $.<stage>.<field>, stages: ${this.stageIds.join(', ')}`,
            { offsetInValue: offset },
          );
        else if (!ran.has(stageId!))
          this.reporter.report(
            segments,
            `reads ${conditionPath} but stage "${stageId}" does not run before this choice on every path; stages that do: ${[...ran].join(', ') || '(none)'}`,
            { offsetInValue: offset },
          );
      }
    } catch (error) {
      if (!(error instanceof ConditionSyntaxError)) throw error;
      this.reporter.report(segments, `has an invalid condition: ${error.message}`, {
        offsetInValue: error.offset,
      });
    }
  }
}
