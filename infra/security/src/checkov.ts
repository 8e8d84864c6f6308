import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { CheckovError } from './errors';

/** A check the config skips, with the comment above it that says why. */
export interface SkippedCheck {
  readonly id: string;
  readonly reason: string;
}

/**
 * The `skip-check` entries of a checkov config file, each with the comment written above it.
 * An entry without a comment is a CheckovError: every skip must say why it does not apply.
 */
export function skippedChecks(configText: string, file: string): SkippedCheck[] {
  const document = parseDocument(configText);
  const list = isMap(document.contents) ? document.contents.get('skip-check', true) : undefined;
  if (list === undefined) return [];
  if (!isSeq(list)) throw new CheckovError([`${file}: skip-check must be a list of check ids`]);
  const problems: string[] = [];
  const skips = list.items.map((item, index) => {
    const id = isScalar(item) ? String(item.value) : String(item);
    // the yaml parser hangs the comment above the first item on the list itself
    const comment =
      (isScalar(item) ? item.commentBefore : undefined) ?? (index === 0 ? list.commentBefore : undefined);
    const reason = (comment ?? '').replace(/\s*\n\s*/g, ' ').trim();
    if (!reason)
      problems.push(`${file}: skip-check ${id} has no comment above it saying why it does not apply`);
    return { id, reason };
  });
  if (problems.length > 0) throw new CheckovError(problems);
  return skips;
}

export interface CheckovSummary {
  readonly stacks: number;
  readonly passed: number;
  readonly failed: number;
  readonly parsingErrors: number;
  readonly skippedChecks: readonly SkippedCheck[];
  /** `CKV_AWS_1 aws_s3_bucket.x (stack)` per failed check */
  readonly failures: readonly string[];
}

export interface RunCheckovOptions {
  /** folder of `<stack>/cdk.tf.json` */
  readonly stacksDir: string;
  readonly configFile: string;
  readonly checkovBin: string;
  /** where the copies checkov scans are written */
  readonly workDir: string;
}

/**
 * Runs checkov over every synthesized stack. checkov 3.3's terraform_json parser rejects the
 * scalar `terraform.required_version`, so it scans a copy of each stack without that one field
 * (no check reads it); everything else is scanned as synthesized.
 */
export function runCheckov(options: RunCheckovOptions): CheckovSummary {
  const skips = skippedChecks(readFileSync(options.configFile, 'utf8'), path.basename(options.configFile));
  const stacks = readdirSync(options.stacksDir).filter((dir) =>
    existsSync(path.join(options.stacksDir, dir, 'cdk.tf.json')),
  );
  if (stacks.length === 0)
    throw new CheckovError([`no synthesized stacks in ${options.stacksDir}: run the synth first`]);
  rmSync(options.workDir, { recursive: true, force: true });
  for (const stack of stacks) {
    const json = JSON.parse(readFileSync(path.join(options.stacksDir, stack, 'cdk.tf.json'), 'utf8'));
    delete json.terraform?.required_version;
    mkdirSync(path.join(options.workDir, stack), { recursive: true });
    writeFileSync(path.join(options.workDir, stack, 'cdk.tf.json'), JSON.stringify(json));
  }
  let output: string;
  try {
    output = execFileSync(
      options.checkovBin,
      ['--config-file', options.configFile, '--directory', options.workDir, '--output', 'json'],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    // checkov exits 1 when a check fails; its JSON report is still on stdout
    output = (error as { stdout?: string }).stdout ?? '';
    if (!output.trim()) throw new CheckovError([`checkov did not run: ${(error as Error).message}`]);
  }
  const parsed = JSON.parse(output) as CheckovReport | CheckovReport[];
  const reports = Array.isArray(parsed) ? parsed : [parsed];
  const failures = reports.flatMap((report) =>
    (report.results?.failed_checks ?? []).map(
      (check) =>
        `${check.check_id} ${check.resource} (${check.file_path.split('/').filter(Boolean)[0]}): ${check.check_name}`,
    ),
  );
  const sum = (field: keyof CheckovReport['summary']) =>
    reports.reduce((total, report) => total + Number(report.summary?.[field] ?? 0), 0);
  return {
    stacks: stacks.length,
    passed: sum('passed'),
    failed: sum('failed'),
    parsingErrors: sum('parsing_errors'),
    skippedChecks: skips,
    failures,
  };
}

interface CheckovReport {
  readonly summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
  readonly results?: {
    readonly failed_checks?: readonly {
      check_id: string;
      check_name: string;
      resource: string;
      file_path: string;
    }[];
  };
}
