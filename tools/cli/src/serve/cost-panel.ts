import { type CostReport, usd } from '@lakepipe/cost';

const esc = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const STATUS_COLOR: Readonly<Record<string, string>> = {
  SUCCEEDED: '#2e7d32',
  FAILED: '#c62828',
  RUNNING: '#1565c0',
};

/** Cost per run over the runs of the ledger, oldest first: one bar per run (SVG). */
function historyChart(report: CostReport): string {
  const runs = report.history;
  if (runs.length === 0)
    return '<p>No run in the ledger yet: the numbers below are estimated from pipeline.yaml.</p>';
  const width = 560;
  const height = 160;
  const left = 56;
  const bottom = 24;
  const max = Math.max(...runs.map((r) => r.total), 1e-9);
  const slot = (width - left) / runs.length;
  const bar = Math.max(2, Math.min(40, slot * 0.7));
  const y = (v: number) => height - bottom - (v / max) * (height - bottom - 12);
  const bars = runs
    .map((r, i) => {
      const x = left + i * slot + (slot - bar) / 2;
      const top = y(r.total);
      return `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${bar.toFixed(1)}" height="${(height - bottom - top).toFixed(1)}" fill="${STATUS_COLOR[r.status] ?? '#757575'}"><title>${esc(`${r.runId} · ${r.status} · ${usd(r.total)}`)}</title></rect>`;
    })
    .join('');
  return [
    `<svg role="img" aria-label="cost per run" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">`,
    `<line x1="${left}" y1="${height - bottom}" x2="${width}" y2="${height - bottom}" stroke="#9e9e9e"/>`,
    `<text x="${left - 6}" y="${y(max) + 4}" text-anchor="end" font-size="11">${esc(usd(max))}</text>`,
    `<text x="${left - 6}" y="${height - bottom + 4}" text-anchor="end" font-size="11">$0</text>`,
    bars,
    `<text x="${left}" y="${height - 6}" font-size="11">${esc(runs[0]!.runId)}</text>`,
    runs.length > 1
      ? `<text x="${width}" y="${height - 6}" font-size="11" text-anchor="end">${esc(runs[runs.length - 1]!.runId)}</text>`
      : '',
    '</svg>',
  ].join('');
}

/** Serverless month beside the baseline cluster's: two horizontal bars on one scale (SVG). */
function monthChart(report: CostReport): string {
  const m = report.monthly;
  const rows: [string, number, string][] = [
    [`serverless (${m.runsPerDay} run/day)`, m.serverless.total, '#1565c0'],
  ];
  if (m.baseline) rows.push(['baseline cluster', m.baseline.total, '#6d4c41']);
  const width = 560;
  const label = 170;
  const max = Math.max(...rows.map((r) => r[1]), 1e-9);
  const bars = rows
    .map(([name, value, color], i) => {
      const w = Math.max(1, ((width - label - 90) * value) / max);
      const y = 8 + i * 30;
      return `<text x="0" y="${y + 15}" font-size="12">${esc(name)}</text><rect x="${label}" y="${y}" width="${w.toFixed(1)}" height="20" fill="${color}"/><text x="${(label + w + 6).toFixed(1)}" y="${y + 15}" font-size="12">${esc(usd(value))}</text>`;
    })
    .join('');
  return `<svg role="img" aria-label="monthly cost" viewBox="0 0 ${width} ${16 + rows.length * 30}" width="100%" style="max-width:${width}px">${bars}</svg>`;
}

/**
 * A self-contained HTML fragment (inline SVG and styles, no script): cost per run over the ledger's
 * runs, the selected run by stage, and the month beside the baseline cluster. The dashboard places
 * it; `GET /cost/panel` serves it as a page of its own.
 */
export function renderCostPanel(report: CostReport): string {
  const m = report.monthly;
  const byStage = Object.entries(report.perRun.byStage)
    .sort((a, b) => b[1] - a[1])
    .map(
      ([scope, value]) =>
        `<tr><td>${esc(scope)}</td><td style="text-align:right">${esc(usd(value))}</td></tr>`,
    )
    .join('');
  const what =
    report.workload.from === 'ledger'
      ? `run ${report.workload.runId}`
      : 'estimated from pipeline.yaml (no run in the ledger)';
  const comparison = m.baseline
    ? `<p>serverless / cluster: <strong>${m.ratio === null ? 'n/a' : `${(m.ratio * 100).toFixed(m.ratio < 0.001 ? 3 : 1)}%`}</strong> · break-even: <strong>${report.breakEvenRunsPerDay === null ? 'never' : `${report.breakEvenRunsPerDay.toFixed(report.breakEvenRunsPerDay >= 100 ? 0 : 1)} runs/day`}</strong></p>`
    : '<p>No costBaseline in the env config: nothing to compare with.</p>';
  return [
    '<section class="lakepipe-cost" aria-label="cost" style="font:13px system-ui,sans-serif">',
    `<h3 style="margin:4px 0">Cost on AWS · ${esc(report.env)} (${esc(report.region)}) · price book ${esc(report.priceBook.version)}</h3>`,
    '<h4 style="margin:8px 0 2px">Cost per run</h4>',
    historyChart(report),
    `<h4 style="margin:8px 0 2px">${esc(what)}: ${esc(usd(report.perRun.total))}</h4>`,
    `<table style="border-collapse:collapse">${byStage}</table>`,
    `<h4 style="margin:8px 0 2px">Per month (average of the first ${m.months})</h4>`,
    monthChart(report),
    comparison,
    '<p style="color:#616161">Every number traces to the price book: <code>npx lakepipe cost --explain</code></p>',
    '</section>',
  ].join('\n');
}
