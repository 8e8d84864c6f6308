import type { z } from 'zod';
import { didYouMean } from '../suggest';
import type { PathSegment, ProblemReporter } from './positions';

/**
 * Reports zod issues at their YAML nodes, in words a pipeline author reads: unknown keys with
 * a suggestion and the allowed keys (plus `extraKeys` at the top of `schema`), bad names, bad values.
 */
export function reportZodIssues(
  reporter: ProblemReporter,
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PathSegment[],
  value: unknown,
  schema: z.ZodType,
  extraKeys: readonly string[] = [],
): void {
  for (const issue of issues) {
    const relative = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    const segments = [...prefix, ...relative];
    if (issue.code === 'unrecognized_keys') {
      const allowed = [...objectKeysAt(schema, relative), ...(relative.length === 0 ? extraKeys : [])];
      for (const unknownKey of issue.keys)
        reporter.report(
          [...segments, unknownKey],
          `is not a known key; ${didYouMean(unknownKey, allowed)}allowed: ${allowed.join(', ')}`,
          { key: true },
        );
      continue;
    }
    if (issue.code === 'invalid_key') {
      reporter.report(segments, `is not an allowed name; ${issue.issues[0]?.message ?? 'use a safe name'}`, {
        key: true,
      });
      continue;
    }
    reporter.report(segments, describeIssue(issue, valueAt(value, relative)));
  }
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
