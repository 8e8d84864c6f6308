/**
 * The one HTML page `lakepipe serve` shows: runs (newest first), the selected run's stages with
 * state and timing, and the workflow diagram coloured by the run's stage states. It reads the
 * same JSON as everyone else (GET /runs, GET /runs/{id}) plus GET /pipeline, and refreshes
 * every 2 s while the selected run is RUNNING. No external assets: it works offline.
 */
export function renderDashboardPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  :root { font-family: system-ui, -apple-system, Segoe UI, sans-serif; color: #1d2433; background: #f6f7fb; }
  body { margin: 0; }
  header { background: #1d2433; color: #fff; padding: 12px 20px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  header span { opacity: .7; font-size: 13px; }
  main { display: grid; grid-template-columns: 340px 1fr; gap: 16px; padding: 16px 20px; }
  section { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.08); padding: 12px 16px; }
  h2 { font-size: 14px; text-transform: uppercase; letter-spacing: .04em; color: #5b6475; margin: 4px 0 10px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { text-align: left; padding: 5px 6px; border-bottom: 1px solid #eef0f4; white-space: nowrap; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.run { cursor: pointer; }
  tr.run.selected { background: #eef3ff; }
  .status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 11px; font-weight: 600; }
  .SUCCEEDED { background: #d9f5e3; color: #126b35; }
  .FAILED { background: #fde0e0; color: #a11d1d; }
  .RUNNING { background: #fff2cc; color: #8a5d00; }
  .SKIPPED, .PENDING { background: #eceef2; color: #5b6475; }
  .flow { display: flex; flex-direction: column; align-items: center; gap: 10px; padding: 8px; }
  .seq { display: flex; flex-direction: column; align-items: center; gap: 10px; }
  .fork { display: flex; gap: 18px; align-items: flex-start; border: 1px dashed #c5cad6; border-radius: 8px; padding: 10px; position: relative; }
  .fork > .label { position: absolute; top: -9px; left: 10px; background: #fff; font-size: 11px; color: #5b6475; padding: 0 4px; }
  .branch { display: flex; flex-direction: column; align-items: center; gap: 6px; }
  .cond { font-size: 11px; color: #5b6475; font-family: ui-monospace, monospace; max-width: 260px; text-align: center; }
  .stage { border: 2px solid #c5cad6; border-radius: 8px; padding: 6px 12px; min-width: 120px; text-align: center; background: #fff; }
  .stage b { display: block; font-size: 13px; }
  .stage small { color: #5b6475; font-size: 11px; }
  .stage.SUCCEEDED { border-color: #2e9e5b; }
  .stage.FAILED { border-color: #d64545; }
  .stage.RUNNING { border-color: #e0a100; }
  .arrow { color: #9aa2b1; font-size: 14px; line-height: 1; }
  pre.error { white-space: pre-wrap; background: #fff4f4; border: 1px solid #f3c7c7; padding: 8px; font-size: 12px; }
  .muted { color: #8a93a5; font-size: 12px; }
</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><span id="pipeline"></span><span id="refreshed"></span></header>
<main>
  <section><h2>Runs</h2><table id="runs"><thead><tr><th>run</th><th>status</th><th>started</th></tr></thead><tbody></tbody></table>
  <p class="muted" id="runs-empty"></p></section>
  <div>
    <section><h2>Run <span id="run-id"></span></h2><div id="run-detail" class="muted">Select a run.</div></section>
    <section style="margin-top:16px"><h2>Workflow</h2><div id="diagram" class="flow"></div></section>
  </div>
</main>
<script>
const state = { selected: null, pipeline: null, run: null, timer: null };
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const fmtTime = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) : '');
const fmtDur = (a, b) => { if (!a || !b) return ''; const ms = new Date(b) - new Date(a); return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s'; };
async function getJson(path) { const r = await fetch(path); if (!r.ok) throw new Error(path + ': ' + r.status); return r.json(); }

function latestAttempts(run) {
  const byStage = {};
  for (const s of run?.stages ?? []) { if (!byStage[s.stageId] || s.attempt > byStage[s.stageId].attempt) byStage[s.stageId] = s; }
  return byStage;
}
function stageBox(id, attempts) {
  const a = attempts[id]; const st = a ? a.status : 'PENDING'; const type = state.pipeline?.stages?.[id]?.type ?? '';
  return '<div class="stage ' + st + '" data-stage="' + esc(id) + '"><b>' + esc(id) + '</b><small>' + esc(type) + ' · ' + st.toLowerCase() +
    (a && a.attempt > 1 ? ' · attempt ' + a.attempt : '') + '</small></div>';
}
function renderSteps(steps, attempts) {
  return '<div class="seq">' + steps.map((step, i) => (i ? '<div class="arrow">▼</div>' : '') + renderStep(step, attempts)).join('') + '</div>';
}
function renderStep(step, attempts) {
  if (step.kind === 'stage') return stageBox(step.stageId, attempts);
  if (step.kind === 'parallel') return '<div class="fork"><span class="label">parallel</span>' + step.branches.map((b) => '<div class="branch">' + renderSteps(b, attempts) + '</div>').join('') + '</div>';
  if (step.kind === 'choice') {
    const branches = step.branches.map((b) => '<div class="branch"><div class="cond">when ' + esc(b.when) + '</div>' + renderSteps(b.then, attempts) + '</div>');
    branches.push('<div class="branch"><div class="cond">otherwise</div>' + renderSteps(step.otherwise, attempts) + '</div>');
    return '<div class="fork"><span class="label">choice</span>' + branches.join('') + '</div>';
  }
  return '';
}
function renderDiagram() {
  if (!state.pipeline) return;
  document.getElementById('diagram').innerHTML = renderSteps(state.pipeline.flow, latestAttempts(state.run));
}
function renderRun() {
  const run = state.run; const el = document.getElementById('run-detail');
  document.getElementById('run-id').textContent = run ? run.runId : '';
  if (!run) { el.textContent = 'Select a run.'; return; }
  const rows = (run.stages ?? []).map((s) => '<tr><td>' + esc(s.stageId) + '</td><td class="num">' + s.attempt + '</td><td><span class="status ' + s.status + '">' + s.status +
    '</span></td><td>' + fmtTime(s.startedAt) + '</td><td class="num">' + fmtDur(s.startedAt, s.finishedAt) + '</td><td>' +
    esc(Object.entries(s.counts ?? {}).map(([k, v]) => k + '=' + v).join(', ')) + '</td></tr>').join('');
  el.innerHTML = '<p><span class="status ' + run.status + '">' + run.status + '</span> started ' + fmtTime(run.startedAt) +
    (run.finishedAt ? ', took ' + fmtDur(run.startedAt, run.finishedAt) : '') + '</p>' +
    '<table id="stages"><thead><tr><th>stage</th><th>attempt</th><th>status</th><th>started</th><th>duration</th><th>counts</th></tr></thead><tbody>' + rows + '</tbody></table>' +
    (run.error ? '<pre class="error">' + esc((run.error.stageId ? run.error.stageId + ': ' : '') + run.error.name + ': ' + run.error.cause) + '</pre>' : '');
}
async function refresh() {
  try {
    if (!state.pipeline) { state.pipeline = await getJson('/pipeline'); document.getElementById('pipeline').textContent = state.pipeline.name; }
    const runs = (await getJson('/runs?limit=25')).items ?? [];
    if (!state.selected && runs.length) state.selected = runs[0].runId;
    const tbody = document.querySelector('#runs tbody');
    tbody.innerHTML = runs.map((r) => '<tr class="run' + (r.runId === state.selected ? ' selected' : '') + '" data-run="' + esc(r.runId) + '"><td>' + esc(r.runId) +
      '</td><td><span class="status ' + r.status + '">' + r.status + '</span></td><td>' + fmtTime(r.startedAt) + '</td></tr>').join('');
    document.getElementById('runs-empty').textContent = runs.length ? '' : 'No runs yet: npx lakepipe run';
    state.run = state.selected ? await getJson('/runs/' + encodeURIComponent(state.selected)) : null;
    renderRun(); renderDiagram();
    document.getElementById('refreshed').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) { document.getElementById('refreshed').textContent = 'error: ' + e.message; }
  const running = state.run?.status === 'RUNNING';
  clearTimeout(state.timer);
  state.timer = setTimeout(refresh, running ? 2000 : 10000);
}
document.querySelector('#runs').addEventListener('click', (e) => {
  const tr = e.target.closest('tr.run'); if (!tr) return; state.selected = tr.dataset.run; refresh();
});
refresh();
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
