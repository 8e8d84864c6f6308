import { z } from 'zod';
import { PlanFormatError } from './errors';

/** What Terraform may do to one resource instance (`change.actions` in `terraform show -json`). */
const actionSchema = z.enum(['no-op', 'create', 'read', 'update', 'delete', 'forget']);

const attributesSchema = z.record(z.string(), z.unknown()).nullable().optional();

/** One entry of `resource_changes` (the subset a review reads; everything else passes through). */
export const resourceChangeSchema = z.looseObject({
  address: z.string().min(1),
  module_address: z.string().optional(),
  mode: z.enum(['managed', 'data']),
  type: z.string().min(1),
  name: z.string(),
  provider_name: z.string().min(1),
  previous_address: z.string().optional(),
  action_reason: z.string().optional(),
  change: z.looseObject({
    actions: z.array(actionSchema).min(1),
    before: attributesSchema,
    after: attributesSchema,
    replace_paths: z.array(z.array(z.union([z.string(), z.number()]))).optional(),
    importing: z.unknown().optional(),
  }),
});

/** A diagnostic as `terraform plan -json` / `validate -json` print it (kept when CI merges them in). */
const diagnosticSchema = z.looseObject({
  severity: z.enum(['error', 'warning']),
  summary: z.string(),
  detail: z.string().optional(),
  address: z.string().optional(),
});

/** `terraform show -json <planfile>`: the machine-readable plan (format_version 1.x). */
export const terraformPlanSchema = z.looseObject({
  format_version: z
    .string()
    .regex(/^1\.\d+$/, 'format_version must be 1.x (Terraform >= 0.12 JSON plan format)'),
  terraform_version: z.string().optional(),
  resource_changes: z.array(resourceChangeSchema).optional(),
  output_changes: z.record(z.string(), z.unknown()).optional(),
  applyable: z.boolean().optional(),
  complete: z.boolean().optional(),
  errored: z.boolean().optional(),
  diagnostics: z.array(diagnosticSchema).optional(),
  timestamp: z.string().optional(),
});

export type TerraformPlan = z.infer<typeof terraformPlanSchema>;
export type ResourceChange = z.infer<typeof resourceChangeSchema>;
export type TerraformAction = z.infer<typeof actionSchema>;

/** Validates a parsed `terraform show -json` document; `source` names it in the error (a file path). */
export function parseTerraformPlan(document: unknown, source = 'plan'): TerraformPlan {
  const parsed = terraformPlanSchema.safeParse(document);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : '(document)';
    const received = valueAt(document, issue.path);
    const shown = received === undefined ? 'missing' : JSON.stringify(received)?.slice(0, 80);
    return `${field}: ${issue.message} (got ${shown})`;
  });
  throw new PlanFormatError(source, problems);
}

function valueAt(document: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = document;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
