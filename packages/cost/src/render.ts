import type { CostReport, ReportLine } from './report';

/** `$0.000041` below a tenth of a cent, `$0.0452` below a dollar, `$1,234.56` above. */
export function usd(value: number): string {
  if (value > 0 && value < 0.0000005) return '<$0.000001';
  if (value !== 0 && Math.abs(value) < 0.001) return `$${value.toFixed(6)}`;
  if (Math.abs(value) < 1) return `$${value.toFixed(4)}`;
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function percent(ratio: number | null): string {
  if (ratio === null) return 'n/a';
  return ratio < 0.001 ? `${(ratio * 100).toFixed(3)}%` : `${(ratio * 100).toFixed(1)}%`;
}

function runsPerDay(value: number | null): string {
  if (value === null) return 'never';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

function headline(report: CostReport): string {
  const what =
    report.workload.from === 'ledger'
      ? `run ${report.workload.runId} from the ledger`
      : 'estimated from pipeline.yaml (no run in the ledger)';
  return `${what} · priced in ${report.env} (${report.region}) · price book ${report.priceBook.version}`;
}

function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function stageRows(report: CostReport): string[][] {
  const rows = new Map<string, Map<string, number>>();
  for (const item of report.perRun.items) {
    const byService = rows.get(item.scope) ?? new Map<string, number>();
    byService.set(item.service, (byService.get(item.service) ?? 0) + item.usd);
    rows.set(item.scope, byService);
  }
  const out: string[][] = [];
  for (const [scope, services] of rows) {
    const stage = report.workload.stages.find((s) => s.stageId === scope);
    for (const [service, value] of services) {
      const categories = [
        ...new Set(
          report.perRun.items
            .filter((i) => i.scope === scope && i.service === service)
            .map((i) => i.category),
        ),
      ].join('+');
      out.push([scope, stage?.type ?? '', service, categories, usd(value)]);
    }
  }
  return out;
}

/** The report for a terminal. */
export function renderCostTable(report: CostReport): string {
  const m = report.monthly;
  const lines = [
    `lakepipe cost · ${headline(report)}`,
    '',
    'Per run',
    textTable(['scope', 'stage type', 'service', 'category', 'USD'], stageRows(report), [4]),
    `per run: ${usd(report.perRun.total)}  (${Object.entries(report.perRun.byCategory)
      .map(([k, v]) => `${k} ${usd(v)}`)
      .join(', ')})`,
    '',
    `Per month (${m.runsPerDay} run(s)/day = ${m.runsPerMonth.toFixed(1)} runs; the average month of the first ${m.months})`,
    textTable(
      ['', 'serverless', m.baseline ? 'baseline cluster' : ''],
      [
        ['runs', usd(m.serverless.runs), ''],
        ['always-on (storage, ledger, logs, keys)', usd(m.serverless.alwaysOn), ''],
        ['total', usd(m.serverless.total), m.baseline ? usd(m.baseline.total) : 'no costBaseline'],
      ],
      [1, 2],
    ),
  ];
  if (m.baseline) {
    lines.push(
      `serverless / cluster: ${percent(m.ratio)} · break-even: ${runsPerDay(report.breakEvenRunsPerDay)} runs/day`,
    );
    if (m.baseline.description) lines.push(`baseline: ${m.baseline.description}`);
  }
  if (report.environments.length > 1) {
    lines.push(
      '',
      'Every environment (same runs, each with its own region, retention and baseline)',
      textTable(
        ['env', 'region', 'serverless/month', 'baseline/month', 'ratio', 'break-even runs/day'],
        report.environments.map((e) => [
          e.env,
          e.region,
          usd(e.serverless),
          e.baseline === null ? 'none' : usd(e.baseline),
          percent(e.ratio),
          e.baseline === null ? 'n/a' : runsPerDay(e.breakEvenRunsPerDay),
        ]),
        [2, 3, 4, 5],
      ),
    );
  }
  for (const note of report.workload.notes) lines.push(`note: ${note}`);
  lines.push('', 'Trace every number to the price book: npx lakepipe cost --explain');
  return `${lines.join('\n')}\n`;
}

/** The report as a markdown section, for the Jenkins plan review beside the terraform plan summary. */
export function renderCostMarkdown(report: CostReport): string {
  const m = report.monthly;
  const lines = [
    `### Cost: serverless pipeline vs the replaced cluster (${report.env})`,
    '',
    `${headline(report)}`,
    '',
    '| | USD |',
    '| --- | ---: |',
    `| per run | ${usd(report.perRun.total)} |`,
    `| per month, serverless (${m.runsPerDay} run(s)/day, average of ${m.months} months) | ${usd(m.serverless.total)} |`,
    `| per month, baseline cluster | ${m.baseline ? usd(m.baseline.total) : 'no costBaseline'} |`,
    `| serverless / cluster | ${percent(m.ratio)} |`,
    `| break-even runs per day | ${m.baseline ? runsPerDay(report.breakEvenRunsPerDay) : 'n/a'} |`,
    '',
    '| stage | type | service | category | USD per run |',
    '| --- | --- | --- | --- | ---: |',
    ...stageRows(report).map((r) => `| ${r.join(' | ')} |`),
  ];
  if (report.environments.length > 1) {
    lines.push(
      '',
      '| env | region | serverless/month | baseline/month | ratio | break-even runs/day |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
      ...report.environments.map(
        (e) =>
          `| ${e.env} | ${e.region} | ${usd(e.serverless)} | ${e.baseline === null ? 'none' : usd(e.baseline)} | ${percent(e.ratio)} | ${e.baseline === null ? 'n/a' : runsPerDay(e.breakEvenRunsPerDay)} |`,
      ),
    );
  }
  if (report.workload.notes.length > 0) {
    lines.push('');
    for (const note of report.workload.notes) lines.push(`- ${note}`);
  }
  return `${lines.join('\n')}\n`;
}

function explainLine(item: ReportLine): string {
  const p = item.price;
  const per = p.quantity === 1 ? p.unit : `${p.quantity.toLocaleString('en-US')} ${p.unit}`;
  return [
    `  [${item.scope}] ${item.service} ${item.category}: ${item.what}`,
    `      = ${Number(item.quantity.toPrecision(6))} ${item.unit} x $${p.usd} per ${per} = ${usd(item.usd)}`,
    `      price ${p.key} (${p.confidence}, ${p.asOf}) ${p.source}${p.note ? ` — ${p.note}` : ''}`,
  ].join('\n');
}

function volume(stage: CostReport['workload']['stages'][number]): string {
  const parts: string[] = [];
  if (stage.rows !== null) parts.push(`${stage.rows.toLocaleString('en-US')} rows`);
  if (stage.objectsWritten > 0 || stage.bytesWritten > 0)
    parts.push(
      `${stage.objectsWritten} PUT/LIST requests, ${stage.bytesWritten.toLocaleString('en-US')} bytes written`,
    );
  return parts.length > 0 ? `; ${parts.join(', ')}` : '';
}

/** Every line item with its formula and the price-book entry it used. */
export function renderCostExplain(report: CostReport): string {
  const m = report.monthly;
  const lines = [`lakepipe cost --explain · ${headline(report)}`, '', 'Workload'];
  for (const s of report.workload.stages) {
    const compute =
      s.compute.kind === 'glue'
        ? `Glue ${s.compute.workers} x ${s.compute.workerType}`
        : s.compute.kind === 'sagemaker'
          ? `SageMaker ${s.compute.count} x ${s.compute.instanceType}`
          : s.compute.kind === 'lambda'
            ? `Lambda arm64 ${s.compute.memoryMb} MB`
            : 'SNS publish';
    lines.push(
      `  ${s.stageId} (${s.type}): ${compute}; attempts ${s.attemptSeconds.map((x) => `${Number(x.toFixed(1))} s`).join(', ') || 'none'} — ${s.secondsFrom}${volume(s)}`,
    );
  }
  for (const note of report.workload.notes) lines.push(`  note: ${note}`);
  lines.push('', `Per run: ${usd(report.perRun.total)}`, ...report.perRun.items.map(explainLine));
  lines.push(
    '',
    `Per month, serverless: ${usd(m.serverless.total)} = runs ${usd(m.serverless.runs)} + always-on ${usd(m.serverless.alwaysOn)}`,
    ...m.serverless.items.map(explainLine),
  );
  if (m.baseline) {
    lines.push(
      '',
      `Per month, baseline cluster: ${usd(m.baseline.total)}`,
      ...m.baseline.items.map(explainLine),
    );
    lines.push(
      '',
      `ratio = ${usd(m.serverless.total)} / ${usd(m.baseline.total)} = ${percent(m.ratio)}`,
      `break-even = (baseline - serverless month at 0 runs/day) / (cost of 1 run/day for a month) = ${runsPerDay(report.breakEvenRunsPerDay)} runs/day`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** JSON, stable keys. */
export function renderCostJson(report: CostReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
