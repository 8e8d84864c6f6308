import { PALETTE } from './palette';

/**
 * The one HTML page `lakepipe serve` shows (no external assets: it works offline). It reads:
 * `GET /dashboard` (title, where the ledger is, the pipeline graph), `GET /runs`, `GET /runs/{id}`,
 * `GET /runs/{id}/details` (manifests and rejected rows from the lake) and, when a cost route
 * is mounted, `GET /cost/panel?runId=` (HTML; the cost panel stays hidden while that answers 404).
 * Panels: runs (filter by status), the selected run (funnel of rows, where it failed, every
 * attempt, rejects by column and rule with sample lines, files not landed, queries to copy, the
 * workflow diagram) and trends over the last runs drawn as SVG. The URL hash `#run=<id>` selects
 * a run; without it the page opens on the newest run that did something.
 */
export function renderDashboardPage(title: string): string {
  const p = PALETTE;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>
  :root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 14px; color: ${p.text}; background: ${p.page}; }
  * { box-sizing: border-box; }
  body { margin: 0; }
  a { color: ${p.link}; }
  :focus-visible { outline: 3px solid ${p.focus}; outline-offset: 2px; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  header { background: ${p.header}; border-bottom: 1px solid ${p.rule}; padding: 10px 20px; display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  header .meta { color: ${p.muted}; font-size: 13px; }
  main { display: grid; grid-template-columns: minmax(0, 1fr); gap: 16px; padding: 16px 20px; max-width: 1500px; margin: 0 auto; }
  section.panel { background: ${p.panel}; border: 1px solid ${p.rule}; border-radius: 8px; padding: 12px 16px; min-width: 0; }
  h2 { font-size: 16px; margin: 2px 0 10px; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
  h3 { font-size: 14px; margin: 16px 0 8px; }
  .scroll { overflow-x: auto; max-width: 100%; }
  .runs-scroll { max-height: 360px; overflow-y: auto; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid ${p.rule}; vertical-align: top; }
  thead th { position: sticky; top: 0; background: ${p.panel}; font-weight: 600; white-space: nowrap; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  td.when { white-space: nowrap; font-variant-numeric: tabular-nums; }
  tr.run.selected { background: ${p.codeFill}; box-shadow: inset 4px 0 0 ${p.link}; }
  a.id { white-space: nowrap; }
  code, .id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; text-transform: none; }
  code.block { display: block; background: ${p.codeFill}; padding: 6px 8px; border-radius: 4px; white-space: pre-wrap; word-break: break-all; }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; border: 1px solid transparent; white-space: nowrap; }
  .SUCCEEDED.badge { background: ${p.okFill}; color: ${p.okText}; }
  .FAILED.badge { background: ${p.failFill}; color: ${p.failText}; }
  .RUNNING.badge { background: ${p.runFill}; color: ${p.runText}; }
  .SKIPPED.badge, .PENDING.badge, .NOTRUN.badge { background: ${p.idleFill}; color: ${p.idleText}; }
  button { font: inherit; font-size: 13px; color: ${p.text}; background: ${p.panel}; border: 1px solid ${p.idleBorder}; border-radius: 6px; padding: 3px 10px; cursor: pointer; }
  button[aria-pressed="true"] { background: ${p.text}; color: ${p.panel}; border-color: ${p.text}; }
  button.copy { font-size: 12px; padding: 1px 8px; }
  .filters { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 8px; }
  .muted { color: ${p.muted}; }
  .note { color: ${p.muted}; margin: 6px 0; }
  .callout { border: 1px solid ${p.failBorder}; background: ${p.failFill}; color: ${p.failText}; border-radius: 6px; padding: 8px 10px; margin: 8px 0; white-space: pre-wrap; }
  .cols { display: grid; grid-template-columns: minmax(0, 1fr); gap: 16px; }
  @media (min-width: 1000px) { .cols { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
  .funnel { display: grid; grid-template-columns: max-content minmax(60px, 1fr) max-content; gap: 6px 10px; align-items: center; }
  .funnel .bar { height: 14px; background: ${p.idleFill}; border-radius: 3px; position: relative; }
  .funnel .bar span { position: absolute; inset: 0 auto 0 0; border-radius: 3px; background: ${p.series[0]}; }
  .funnel .bar.rejected span, .funnel .bar.flagged span { background: ${p.series[1]}; }
  .funnel .bar.curated span, .funnel .bar.scored span { background: ${p.series[2]}; }
  .funnel .n { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; }
  .funnel .share { color: ${p.muted}; font-weight: 400; margin-left: 4px; }
  .flow { display: flex; flex-direction: column; align-items: center; gap: 8px; padding: 8px; overflow-x: auto; }
  .seq { display: flex; flex-direction: column; align-items: center; gap: 8px; }
  .fork { display: flex; flex-wrap: wrap; justify-content: center; gap: 14px; align-items: flex-start; border: 1px dashed ${p.idleBorder}; border-radius: 8px; padding: 14px 10px 10px; position: relative; }
  .fork > .label { position: absolute; top: -9px; left: 10px; background: ${p.panel}; font-size: 12px; color: ${p.muted}; padding: 0 4px; }
  .branch { display: flex; flex-direction: column; align-items: center; gap: 6px; border-radius: 6px; padding: 4px; }
  .branch.taken { background: ${p.codeFill}; }
  .cond { font-size: 12px; color: ${p.muted}; font-family: ui-monospace, monospace; max-width: 240px; text-align: center; }
  .stage { border: 2px solid ${p.idleBorder}; border-radius: 8px; padding: 5px 10px; min-width: 130px; text-align: center; background: ${p.panel}; }
  .stage b { display: block; font-size: 13px; }
  .stage small { display: block; color: ${p.muted}; font-size: 12px; }
  .stage.SUCCEEDED { border-color: ${p.okBorder}; }
  .stage.FAILED { border-color: ${p.failBorder}; border-width: 3px; }
  .stage.FAILED small.state { color: ${p.failText}; font-weight: 600; }
  .stage.RUNNING { border-color: ${p.runBorder}; }
  .stage.NOTRUN { border-style: dashed; }
  .arrow { color: ${p.muted}; font-size: 13px; line-height: 1; }
  tr.attempt.FAILED td { background: ${p.failFill}; }
  .error-text { color: ${p.failText}; white-space: pre-wrap; word-break: break-word; min-width: 220px; }
  .chips { display: flex; flex-wrap: wrap; gap: 4px; }
  .chip { background: ${p.codeFill}; border-radius: 4px; padding: 0 6px; white-space: nowrap; font-variant-numeric: tabular-nums; }
  ul.queries { list-style: none; padding: 0; margin: 0; display: grid; gap: 8px; }
  ul.queries li { display: grid; grid-template-columns: minmax(0, 1fr) max-content; gap: 6px; align-items: start; }
  .samples { margin: 0; padding-left: 16px; }
  .samples li { margin-bottom: 2px; }
  .samples details { display: inline; margin-left: 6px; }
  .samples details[open] { display: block; margin: 2px 0 6px; }
  summary { cursor: pointer; color: ${p.link}; font-size: 12px; }
  .charts { display: grid; grid-template-columns: minmax(0, 1fr); gap: 16px; }
  @media (min-width: 900px) { .charts { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
  figure { margin: 0; }
  figcaption { font-weight: 600; font-size: 13px; margin-bottom: 4px; }
  svg.chart { width: 100%; height: auto; display: block; }
  svg.chart text { fill: ${p.muted}; font-size: 11px; }
  .legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 12px; color: ${p.muted}; }
  .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: middle; }
  #toast { min-height: 1em; }
  @media (max-width: 700px) {
    table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
    table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
    table.stack tr { border-bottom: 1px solid ${p.rule}; padding: 4px 0; }
    table.stack td { border: 0; padding: 2px 4px; text-align: left; }
    table.stack td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: ${p.muted}; }
  }
</style>
</head>
<body>
<header>
  <h1>${escapeHtml(title)}</h1>
  <span class="meta" id="pipeline"></span>
  <span class="meta" id="source"></span>
  <span class="meta" id="refreshed" aria-live="polite"></span>
  <span class="meta" id="toast" role="status" aria-live="polite"></span>
</header>
<main>
  <section class="panel" aria-labelledby="runs-h">
    <h2 id="runs-h">Runs</h2>
    <div class="filters" role="group" aria-label="Filter runs by status" id="filters">
      <button type="button" data-filter="ALL" aria-pressed="true">All</button>
      <button type="button" data-filter="SUCCEEDED" aria-pressed="false">Succeeded</button>
      <button type="button" data-filter="FAILED" aria-pressed="false">Failed</button>
      <button type="button" data-filter="RUNNING" aria-pressed="false">Running</button>
    </div>
    <div class="scroll runs-scroll" id="runs-scroll">
      <table id="runs"><caption class="sr-only">Runs, newest first</caption>
        <thead><tr><th scope="col">run</th><th scope="col">status</th><th scope="col">started (UTC)</th><th scope="col" class="num">duration</th>
        <th scope="col" class="num">rows in</th><th scope="col" class="num">curated</th><th scope="col" class="num">rejected</th><th scope="col" class="num">scored</th><th scope="col" class="num">flagged</th></tr></thead>
        <tbody></tbody></table>
    </div>
    <p class="note" id="runs-empty"></p>
  </section>

  <section class="panel" aria-labelledby="run-h" id="run-panel">
    <h2 id="run-h">Run <span class="id" id="run-id"></span><button type="button" class="copy" id="copy-run-id" hidden>Copy id</button></h2>
    <div id="run-summary" class="note">Select a run.</div>
    <div id="run-failure"></div>
    <div class="cols">
      <div>
        <h3>Rows through the stages</h3>
        <div id="funnel" class="funnel"></div>
        <p class="note" id="funnel-note"></p>
      </div>
      <div>
        <h3>Workflow</h3>
        <div id="diagram" class="flow" role="img" aria-label="workflow diagram"></div>
      </div>
    </div>
    <h3>Attempts</h3>
    <div class="scroll"><table id="attempts" class="stack"><caption class="sr-only">Every stage attempt of the run</caption>
      <thead><tr><th scope="col">stage</th><th scope="col" class="num">attempt</th><th scope="col">status</th><th scope="col">started</th><th scope="col" class="num">duration</th><th scope="col">counts</th><th scope="col">error and cause</th></tr></thead>
      <tbody></tbody></table></div>
    <h3>Rejected rows</h3>
    <div id="rejects"></div>
    <h3>Source files not landed</h3>
    <div id="files"></div>
    <h3>Query this run</h3>
    <ul class="queries" id="queries"></ul>
  </section>

  <section class="panel" aria-labelledby="cost-h" id="cost-panel" hidden>
    <h2 id="cost-h">Cost</h2>
    <div id="cost"></div>
  </section>

  <section class="panel" aria-labelledby="trends-h" id="trends-panel">
    <h2 id="trends-h">Trends <span class="muted" id="trends-span"></span></h2>
    <div class="charts">
      <figure><figcaption>Duration per stage</figcaption><div id="chart-duration"></div><div class="legend" id="legend-duration"></div></figure>
      <figure><figcaption>Rows</figcaption><div id="chart-rows"></div><div class="legend" id="legend-rows"></div></figure>
      <figure><figcaption>Reject ratio (rejected / read)</figcaption><div id="chart-reject"></div></figure>
      <figure><figcaption>Flagged ratio (flagged / scored)</figcaption><div id="chart-flagged"></div></figure>
    </div>
  </section>
</main>
<script>
${CLIENT_SCRIPT.replace('__SERIES__', JSON.stringify(p.series))}
</script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

// The browser side, plain ES2020: no template literals and no backslashes, so it can live in this string.
const CLIENT_SCRIPT = `
'use strict';
const SERIES = __SERIES__;
const TREND_RUNS = 20;
const state = { meta: null, runs: [], runsJson: '', filter: 'ALL', selected: null, run: null, details: {}, runCache: {}, timer: null, costMissing: false, rendered: '' };
const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const num = (n) => (n == null ? '' : Number(n).toLocaleString('en-US'));
const pct = (a, b) => (b ? (100 * a / b).toFixed(a / b < 0.1 ? 1 : 0) + '%' : '');
const fmtTime = (iso) => (iso ? iso.replace('T', ' ').slice(0, 19) : '');
const ms = (a, b) => (a && b ? new Date(b) - new Date(a) : undefined);
const fmtMs = (v) => { if (v == null) return ''; if (v < 1000) return v + ' ms'; if (v < 60000) return (v / 1000).toFixed(1) + ' s'; const m = Math.floor(v / 60000); return m + ' min ' + Math.round((v % 60000) / 1000) + ' s'; };
const baseName = (key) => String(key).slice(String(key).lastIndexOf('/') + 1);
const counter = (r, k) => (r && r.counters && r.counters[k] != null ? r.counters[k] : undefined);
/** A ledger API request the server answered with an error status: the path, the status and its message. */
class LedgerApiResponseError extends Error {
  constructor(path, status, detail) {
    super(path + ': ' + status + (detail ? ' ' + detail : ''));
    this.name = 'LedgerApiResponseError';
    this.path = path;
    this.status = status;
  }
}
async function getJson(path, allow404) {
  const r = await fetch(path, { headers: { accept: 'application/json' } });
  if (allow404 && r.status === 404) return undefined;
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new LedgerApiResponseError(path, r.status, body.message);
  return body;
}
function announce(text) { const t = document.getElementById('toast'); t.textContent = text; setTimeout(() => { if (t.textContent === text) t.textContent = ''; }, 4000); }
async function copyText(text) {
  try { await navigator.clipboard.writeText(text); }
  catch (e) {
    const area = document.createElement('textarea'); area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.opacity = '0';
    document.body.appendChild(area); area.select(); try { document.execCommand('copy'); } finally { area.remove(); }
  }
  announce('Copied: ' + text);
}
document.addEventListener('click', (e) => {
  const b = e.target.closest('button[data-copy]'); if (b) { copyText(b.getAttribute('data-copy')); return; }
  const f = e.target.closest('button[data-filter]');
  if (f) { state.filter = f.getAttribute('data-filter'); for (const x of document.querySelectorAll('button[data-filter]')) x.setAttribute('aria-pressed', String(x === f)); renderRuns(); }
});
window.addEventListener('hashchange', () => { const id = hashRun(); if (id && id !== state.selected) { state.selected = id; loadRun(); } });
function hashRun() { const m = /run=([^&]+)/.exec(location.hash); return m ? decodeURIComponent(m[1]) : null; }

/** A run that landed or read rows, failed, or is going; a run that found nothing new did not. */
function didSomething(r) { return r.status !== 'SUCCEEDED' || (counter(r, 'rowsRead') || 0) > 0 || (counter(r, 'files') || 0) > 0; }

function renderRuns() {
  const rows = state.runs.filter((r) => state.filter === 'ALL' || r.status === state.filter);
  // redrawing the rows must not take keyboard focus away from the run link that had it
  const active = document.activeElement;
  const focusedRun = active && active.closest && active.closest('tr.run') ? active.closest('tr.run').getAttribute('data-run') : null;
  document.querySelector('#runs tbody').innerHTML = rows.map((r) =>
    '<tr class="run' + (r.runId === state.selected ? ' selected' : '') + '" data-run="' + esc(r.runId) + '" data-status="' + esc(r.status) + '"' + (r.runId === state.selected ? ' aria-current="true"' : '') + '>' +
    '<td><a class="id" href="#run=' + encodeURIComponent(r.runId) + '">' + esc(r.runId) + '</a></td>' +
    '<td><span class="badge ' + esc(r.status) + '"' + (r.error ? ' title="' + esc((r.error.stageId ? r.error.stageId + ': ' : '') + r.error.name + ': ' + r.error.cause) + '"' : '') + '>' + esc(r.status) + '</span></td>' +
    '<td class="when">' + fmtTime(r.startedAt) + '</td>' +
    '<td class="num" data-col="duration">' + fmtMs(ms(r.startedAt, r.finishedAt)) + '</td>' +
    ['rowsRead', 'curatedRows', 'rejectedRows', 'scoredRows', 'flaggedRows'].map((k) => '<td class="num" data-col="' + k + '">' + num(counter(r, k)) + '</td>').join('') + '</tr>').join('');
  if (focusedRun) { const link = document.querySelector('tr.run[data-run="' + CSS.escape(focusedRun) + '"] a'); if (link) link.focus(); }
  document.getElementById('runs-empty').textContent = state.runs.length === 0 ? 'No runs yet. Start one with: npx lakepipe run' : rows.length === 0 ? 'No ' + state.filter.toLowerCase() + ' runs among the newest ' + state.runs.length + '.' : '';
}

function attemptsByStage(run) {
  const by = {};
  for (const s of (run && run.stages) || []) (by[s.stageId] = by[s.stageId] || []).push(s);
  for (const k of Object.keys(by)) by[k].sort((a, b) => a.attempt - b.attempt);
  return by;
}
function stagesOf(steps, into) {
  for (const step of steps) {
    if (step.kind === 'stage') into.push(step.stageId);
    else if (step.kind === 'parallel') for (const b of step.branches) stagesOf(b, into);
    else if (step.kind === 'choice') { for (const b of step.branches) stagesOf(b.then, into); stagesOf(step.otherwise, into); }
  }
  return into;
}
/** Which branch of a choice ran: the one whose stages ran, most of them and with fewest that did not. */
function takenBranch(branches, by) {
  let best = -1, bestScore = 0;
  branches.forEach((steps, i) => {
    const ids = stagesOf(steps, []); const ran = ids.filter((id) => by[id]).length;
    const score = ran === 0 ? 0 : ran * 2 - (ids.length - ran) * 3;
    if (ran > 0 && (best < 0 || score > bestScore)) { best = i; bestScore = score; }
  });
  return best;
}
function stageBox(id, by, active, finished) {
  const attempts = active ? by[id] || [] : [];
  const last = attempts[attempts.length - 1];
  const st = last ? last.status : finished || !active ? 'NOTRUN' : 'PENDING';
  const type = (state.meta.pipeline.stages[id] || {}).type || '';
  const label = st === 'NOTRUN' ? 'not run' : st.toLowerCase();
  let extra = '';
  if (last && last.status === 'FAILED') extra = '<small class="state">failed at attempt ' + last.attempt + (last.error ? ': ' + esc(last.error.name) : '') + '</small>';
  else if (attempts.length > 1) extra = '<small>attempt ' + last.attempt + ' (' + (attempts.length - 1) + ' failed before)</small>';
  return '<div class="stage ' + st + '" data-stage="' + esc(id) + '" data-state="' + st + '"><b>' + esc(id) + '</b><small class="state">' + esc(type) + ' · ' + label + '</small>' + extra + '</div>';
}
function renderSteps(steps, by, active, finished) {
  return '<div class="seq">' + steps.map((s, i) => (i ? '<div class="arrow" aria-hidden="true">▼</div>' : '') + renderStep(s, by, active, finished)).join('') + '</div>';
}
function renderStep(step, by, active, finished) {
  if (step.kind === 'stage') return stageBox(step.stageId, by, active, finished);
  if (step.kind === 'parallel') return '<div class="fork"><span class="label">parallel</span>' + step.branches.map((b) => '<div class="branch">' + renderSteps(b, by, active, finished) + '</div>').join('') + '</div>';
  if (step.kind === 'choice') {
    const all = step.branches.map((b) => b.then).concat([step.otherwise]);
    const taken = active ? takenBranch(all, by) : -1;
    const conds = step.branches.map((b) => 'when ' + b.when).concat(['otherwise']);
    return '<div class="fork"><span class="label">choice</span>' + all.map((steps, i) => {
      const ran = i === taken;
      return '<div class="branch' + (ran ? ' taken' : '') + '" data-branch="' + i + '" data-taken="' + ran + '"><div class="cond">' + esc(conds[i]) + (ran ? ' (taken)' : '') + '</div>' +
        renderSteps(steps, by, active && (ran || (taken < 0 && !finished)), finished) + '</div>';
    }).join('') + '</div>';
  }
  return '';
}
function renderDiagram() {
  const run = state.run; const by = attemptsByStage(run);
  const finished = !!run && run.status !== 'RUNNING';
  document.getElementById('diagram').innerHTML = renderSteps(state.meta.pipeline.flow, by, !!run, finished);
}

function funnelRow(cls, label, n, of, share) {
  const width = of ? Math.max(n ? 1 : 0, Math.round(100 * n / of)) : 0;
  return '<div class="' + cls + '" data-step="' + cls + '">' + esc(label) + '</div><div class="bar ' + cls + '" aria-hidden="true"><span style="width:' + width + '%"></span></div>' +
    '<div class="n" data-step-count="' + cls + '">' + num(n) + (share ? '<span class="share">' + share + '</span>' : '') + '</div>';
}
function renderFunnel(run) {
  const c = (k) => counter(run, k) || 0;
  const read = c('rowsRead'), curated = c('curatedRows'), rejected = c('rejectedRows'), scored = c('scoredRows'), flagged = c('flaggedRows');
  const el = document.getElementById('funnel'); const note = document.getElementById('funnel-note');
  el.innerHTML = funnelRow('read', 'read', read, read) + funnelRow('curated', 'curated', curated, read, pct(curated, read)) +
    funnelRow('rejected', 'rejected', rejected, read, pct(rejected, read)) + funnelRow('scored', 'scored', scored, read, pct(scored, curated) ? pct(scored, curated) + ' of curated' : '') +
    funnelRow('flagged', 'flagged', flagged, read, pct(flagged, scored) ? pct(flagged, scored) + ' of scored' : '');
  const files = c('files'), dup = c('duplicates'), skipped = c('skipped');
  const parts = [num(files) + ' file' + (files === 1 ? '' : 's') + ' landed'];
  if (dup) parts.push(num(dup) + ' already ingested (duplicates)');
  if (skipped) parts.push(num(skipped) + ' skipped');
  note.textContent = parts.join(', ') + (files === 0 && run.status === 'SUCCEEDED' ? ': nothing new, this run did no work.' : '.');
}
function renderFailure(run) {
  const el = document.getElementById('run-failure');
  if (run.status !== 'FAILED') { el.innerHTML = ''; return; }
  const by = attemptsByStage(run); const stageId = (run.error && run.error.stageId) || Object.keys(by).find((k) => by[k][by[k].length - 1].status === 'FAILED');
  const attempts = stageId ? by[stageId] || [] : []; const last = attempts[attempts.length - 1];
  const err = (last && last.error) || run.error || {};
  el.innerHTML = '<div class="callout" id="failure" role="alert"><b>Failed' + (stageId ? ' in ' + esc(stageId) : '') + (last ? ' at attempt ' + last.attempt + ' of ' + attempts.length : '') + '</b>: ' + esc(err.name || 'Error') + ': ' + esc(err.cause || '') + '</div>';
}
function renderAttempts(run) {
  const order = stagesOf(state.meta.pipeline.flow, []);
  const stages = (run.stages || []).slice().sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : order.indexOf(a.stageId) - order.indexOf(b.stageId)));
  document.querySelector('#attempts tbody').innerHTML = stages.map((s) =>
    '<tr class="attempt ' + esc(s.status) + '" data-stage="' + esc(s.stageId) + '" data-attempt="' + s.attempt + '"><td data-label="stage">' + esc(s.stageId) + '</td><td class="num" data-label="attempt">' + s.attempt + '</td>' +
    '<td><span class="badge ' + esc(s.status) + '">' + esc(s.status) + '</span></td><td class="when" data-label="started">' + fmtTime(s.startedAt).slice(11) + '</td>' +
    '<td class="num" data-label="duration">' + fmtMs(ms(s.startedAt, s.finishedAt)) + '</td><td><div class="chips">' +
    Object.keys(s.counts || {}).sort().map((k) => '<span class="chip">' + esc(k) + ' ' + num(s.counts[k]) + '</span>').join('') + '</div></td>' +
    '<td class="error-text">' + (s.error ? '<b>' + esc(s.error.name) + '</b>: ' + esc(s.error.cause) : '') + '</td></tr>').join('');
}
function renderDetails(run, d) {
  const rejects = document.getElementById('rejects'), files = document.getElementById('files'), queries = document.getElementById('queries');
  if (!d) { rejects.innerHTML = files.innerHTML = '<p class="note">Loading…</p>'; queries.innerHTML = ''; return; }
  if (d.unavailable) { rejects.innerHTML = files.innerHTML = '<p class="note">' + esc(d.unavailable) + '</p>'; }
  else {
    const total = counter(run, 'rejectedRows') || 0;
    rejects.innerHTML = d.rejects.length === 0 ? '<p class="note">' + (total ? num(total) + ' rows were rejected but rejected/ holds none for this run.' : 'No rows were rejected.') + '</p>' :
      '<div class="scroll"><table id="reject-table" class="stack"><caption class="sr-only">Rejected rows by column and rule</caption><thead><tr><th scope="col">dataset</th><th scope="col">column</th><th scope="col">rule</th><th scope="col" class="num">rows</th><th scope="col">sample lines (file:line)</th></tr></thead><tbody>' +
      d.rejects.map((g) => '<tr class="reject" data-column="' + esc(g.column) + '" data-rule="' + esc(g.rule) + '"><td data-label="dataset">' + esc(g.dataset) + '</td><td data-label="column"><code>' + esc(g.column) + '</code></td><td data-label="rule">' + esc(g.rule) + '</td><td class="num" data-label="rows">' + num(g.rows) + '</td><td><ul class="samples">' +
        g.samples.map((s) => '<li><code class="where" title="' + esc(s.file) + '">' + esc(baseName(s.file)) + ':' + s.line + '</code>' + (s.value != null ? ' value <code class="value">' + esc(s.value) + '</code>' : '') +
          '<details><summary>raw line and reason</summary>' + (s.reason ? '<div class="muted">' + esc(s.reason) + '</div>' : '') + (s.raw != null ? '<code class="block raw">' + esc(s.raw) + '</code>' : '') + '<div class="muted">' + esc(s.file) + '</div></details></li>').join('') + '</ul></td></tr>').join('') +
      '</tbody></table></div>';
    const counted = (counter(run, 'duplicates') || 0) + (counter(run, 'skipped') || 0);
    files.innerHTML = d.notLanded.length === 0 ? '<p class="note">' + (counted ? 'The ledger counts ' + num(counted) + ' source file(s) not landed, but no manifest of this run lists them.' : 'Every source file the run saw was landed.') + '</p>' :
      '<div class="scroll"><table id="file-table"><caption class="sr-only">Source files the run did not land</caption><thead><tr><th scope="col">file</th><th scope="col">status</th><th scope="col">reason</th></tr></thead><tbody>' +
      d.notLanded.map((f) => '<tr class="file" data-status="' + esc(f.status) + '"><td><code>' + esc(f.source || f.name) + '</code></td><td>' + esc(f.status) + '</td><td>' + esc([f.reason, f.message].filter(Boolean).join(': ')) + '</td></tr>').join('') + '</tbody></table></div>';
    for (const p of d.problems || []) rejects.insertAdjacentHTML('beforeend', '<p class="note">' + esc(p) + '</p>');
  }
  queries.innerHTML = (d.queries || []).map((q) => '<li data-table="' + esc(q.table) + '"><code class="block">' + esc(q.command) + '</code><button type="button" class="copy" data-copy="' + esc(q.command) + '" aria-label="Copy the query of ' + esc(q.table) + '">Copy</button></li>').join('');
}
/** The cost panel, when the server mounts one (GET /cost/panel answers HTML); hidden otherwise. */
async function renderCost(runId) {
  if (state.costMissing) return;
  try {
    const r = await fetch('/cost/panel?runId=' + encodeURIComponent(runId));
    if (!r.ok) { state.costMissing = true; return; }
    const html = await r.text();
    document.getElementById('cost').innerHTML = html.replace(/^[^]*?<title>[^<]*<[/]title>/, '');
    document.getElementById('cost-panel').hidden = false;
  } catch (e) { state.costMissing = true; }
}
function renderRun() {
  const run = state.run;
  document.getElementById('run-id').textContent = run ? run.runId : '';
  const copy = document.getElementById('copy-run-id');
  copy.hidden = !run; if (run) copy.setAttribute('data-copy', run.runId);
  if (!run) { document.getElementById('run-summary').textContent = 'Select a run.'; return; }
  document.getElementById('run-summary').innerHTML = '<span class="badge ' + esc(run.status) + '" id="run-status">' + esc(run.status) + '</span> started ' + fmtTime(run.startedAt) + ' UTC' +
    (run.finishedAt ? ', took ' + fmtMs(ms(run.startedAt, run.finishedAt)) : ', still running') + (run.trigger ? ' · trigger ' + esc(run.trigger) : '') + ' · pipeline ' + esc(run.pipeline);
  renderFailure(run); renderFunnel(run); renderAttempts(run); renderDiagram(); renderDetails(run, state.details[run.runId]);
}

function stageDurations(run) {
  const by = attemptsByStage(run); const out = {};
  for (const id of Object.keys(by)) { const a = by[id]; const v = ms(a[0].startedAt, a[a.length - 1].finishedAt); if (v != null) out[id] = v; }
  return out;
}
function axisLabels(max, fmt, h, top) { return [0, 0.5, 1].map((f) => '<text x="4" y="' + (top + (1 - f) * h + 4) + '">' + esc(fmt(max * f)) + '</text>').join(''); }
function chartFrame(label, inner, maxLabel, runs) { return '<svg class="chart" viewBox="0 0 600 172" role="img" aria-label="' + esc(label) + '">' + maxLabel + '<line x1="58" y1="150" x2="596" y2="150" stroke="#7a8394"/>' + inner + xLabels(runs) + '</svg>'; }
function xOf(i, n) { const w = 460; return 90 + (n <= 1 ? w / 2 : (i * w) / (n - 1)); }
/** Under each run's mark: its start as MM-DD HH:MM (from the time-sortable run id). */
function xLabels(runs) {
  const every = Math.max(1, Math.ceil(runs.length / 8));
  return runs.map((r, i) => (i % every ? '' : '<text text-anchor="middle" x="' + xOf(i, runs.length).toFixed(1) + '" y="166">' + esc(r.runId.slice(4, 6) + '-' + r.runId.slice(6, 8) + ' ' + r.runId.slice(9, 11) + ':' + r.runId.slice(11, 13)) + '</text>')).join('');
}
function lineChart(runs, seriesList, fmt, label) {
  const top = 10, h = 140; let max = 0;
  for (const s of seriesList) for (const r of runs) { const v = s.value(r); if (v != null && v > max) max = v; }
  if (max === 0) max = 1;
  const inner = seriesList.map((s, si) => {
    const pts = runs.map((r, i) => { const v = s.value(r); return v == null ? null : [xOf(i, runs.length), top + h - (v / max) * h, v, r.runId]; }).filter(Boolean);
    return '<polyline fill="none" stroke="' + s.colour + '" stroke-width="2" points="' + pts.map((p) => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' ') + '"/>' +
      pts.map((p) => '<circle class="point" data-series="' + esc(s.name) + '" data-run="' + esc(p[3]) + '" data-value="' + p[2] + '" cx="' + p[0].toFixed(1) + '" cy="' + p[1].toFixed(1) + '" r="3.5" fill="' + s.colour + '"><title>' + esc(p[3] + ' ' + s.name + ': ' + fmt(p[2])) + '</title></circle>').join('');
  }).join('');
  return chartFrame(label, inner, axisLabels(max, fmt, h, top), runs);
}
function barChart(runs, stageIds, label) {
  const top = 10, h = 140; const totals = runs.map((r) => stageIds.reduce((a, id) => a + (r.durations[id] || 0), 0));
  const max = Math.max(1, ...totals); const bw = Math.max(6, Math.min(40, 480 / Math.max(1, runs.length) - 6));
  const inner = runs.map((r, i) => {
    let y = top + h; const x = xOf(i, runs.length) - bw / 2;
    return '<g class="bar" data-run="' + esc(r.runId) + '">' + stageIds.map((id, si) => {
      const v = r.durations[id]; if (!v) return ''; const bh = (v / max) * h; y -= bh;
      return '<rect data-stage="' + esc(id) + '" data-ms="' + v + '" x="' + x.toFixed(1) + '" y="' + y.toFixed(1) + '" width="' + bw.toFixed(1) + '" height="' + bh.toFixed(1) + '" fill="' + SERIES[si % SERIES.length] + '"><title>' + esc(r.runId + ' ' + id + ': ' + fmtMs(v)) + '</title></rect>';
    }).join('') + '</g>';
  }).join('');
  return chartFrame(label, inner, axisLabels(max, fmtMs, h, top), runs);
}
function legend(items) { return items.map((it) => '<span><i style="background:' + it.colour + '"></i>' + esc(it.name) + '</span>').join(''); }
async function renderTrends() {
  const recent = state.runs.slice(0, TREND_RUNS).filter((r) => r.status !== 'RUNNING').reverse();
  const full = [];
  for (const r of recent) {
    if (!state.runCache[r.runId]) state.runCache[r.runId] = await getJson('/runs/' + encodeURIComponent(r.runId));
    const run = state.runCache[r.runId]; full.push({ runId: run.runId, counters: run.counters || {}, durations: stageDurations(run) });
  }
  const key = JSON.stringify(full.map((r) => r.runId));
  if (key === state.rendered) return; state.rendered = key;
  document.getElementById('trends-span').textContent = full.length ? '(last ' + full.length + ' finished runs, oldest on the left)' : '';
  const stageIds = stagesOf(state.meta.pipeline.flow, []).filter((id, i, all) => all.indexOf(id) === i);
  const c = (k) => (r) => r.counters[k];
  const ratio = (a, b) => (r) => (r.counters[b] ? r.counters[a] / r.counters[b] : null);
  const pctFmt = (v) => (100 * v).toFixed(1) + '%';
  document.getElementById('chart-duration').innerHTML = barChart(full, stageIds, 'Duration of each stage per run, stacked');
  document.getElementById('legend-duration').innerHTML = legend(stageIds.map((id, i) => ({ name: id, colour: SERIES[i % SERIES.length] })));
  const rowSeries = [{ name: 'read', key: 'rowsRead' }, { name: 'curated', key: 'curatedRows' }, { name: 'rejected', key: 'rejectedRows' }, { name: 'flagged', key: 'flaggedRows' }].map((s, i) => ({ name: s.name, value: c(s.key), colour: SERIES[[0, 2, 1, 3][i]] }));
  document.getElementById('chart-rows').innerHTML = lineChart(full, rowSeries, num, 'Rows read, curated, rejected and flagged per run');
  document.getElementById('legend-rows').innerHTML = legend(rowSeries);
  document.getElementById('chart-reject').innerHTML = lineChart(full, [{ name: 'reject ratio', value: ratio('rejectedRows', 'rowsRead'), colour: SERIES[1] }], pctFmt, 'Reject ratio per run');
  document.getElementById('chart-flagged').innerHTML = lineChart(full, [{ name: 'flagged ratio', value: ratio('flaggedRows', 'scoredRows'), colour: SERIES[4] }], pctFmt, 'Flagged ratio per run');
}

async function loadRun() {
  const id = state.selected; if (!id) { state.run = null; renderRun(); return; }
  state.run = state.runCache[id] || (await getJson('/runs/' + encodeURIComponent(id)));
  if (state.run.status !== 'RUNNING') state.runCache[id] = state.run;
  renderRuns(); renderRun();
  if (!state.details[id] || state.run.status === 'RUNNING') {
    try { state.details[id] = await getJson('/runs/' + encodeURIComponent(id) + '/details'); }
    catch (e) { state.details[id] = { unavailable: 'Lake details could not be read: ' + e.message, queries: [] }; }
    if (state.selected === id) renderDetails(state.run, state.details[id]);
  }
  renderCost(id);
}
async function refresh() {
  try {
    if (!state.meta) {
      state.meta = await getJson('/dashboard');
      document.getElementById('pipeline').textContent = 'pipeline ' + state.meta.pipeline.name;
      document.getElementById('source').textContent = state.meta.source;
    }
    const page = await getJson('/runs?limit=50'); const json = JSON.stringify(page.items);
    const changed = json !== state.runsJson; state.runs = page.items || []; state.runsJson = json;
    const wanted = hashRun();
    if (!state.selected) { const first = state.runs.find(didSomething) || state.runs[0]; state.selected = wanted || (first && first.runId) || null; }
    if (changed) { renderRuns(); for (const r of state.runs) if (r.status === 'RUNNING') delete state.runCache[r.runId]; }
    const selectedRow = state.runs.find((r) => r.runId === state.selected);
    if (changed || !state.run || (selectedRow && selectedRow.status === 'RUNNING')) await loadRun();
    await renderTrends();
    document.getElementById('refreshed').textContent = 'updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
    document.body.setAttribute('data-ready', 'true');
  } catch (e) { document.getElementById('refreshed').textContent = 'error: ' + e.message; }
  const going = state.runs.some((r) => r.status === 'RUNNING');
  clearTimeout(state.timer); state.timer = setTimeout(refresh, going ? 2000 : 10000);
}
refresh();
`;
