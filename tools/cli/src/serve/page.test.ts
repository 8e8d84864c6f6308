/// <reference lib="dom" />
import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import type { RunItem, RunWithStages } from '@lakepipe/ledger';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../commands/run';
import { startDashboard } from './dashboard';
import { contrastRatio } from './palette';

const workspaceRoot = path.resolve(__dirname, '../../../..');
/** Screenshots a reviewer can open: tools/cli/.artifacts/ (gitignored). */
const artifacts = path.resolve(__dirname, '../../.artifacts');

/** Debian's Chromium, started the way this machine needs it (no sandbox as root, no background networking). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const quiet = { write: () => true };

describe('lakepipe serve, seen in a browser, over a lake with a succeeded, a retried, a failed and an empty run', () => {
  let dashboard: Awaited<ReturnType<typeof startDashboard>>;
  let browser: Browser;
  const runs: Record<'succeeded' | 'retried' | 'failed' | 'empty', RunWithStages> = {} as never;

  beforeAll(async () => {
    mkdirSync(path.join(workspaceRoot, '.tmp'), { recursive: true });
    mkdirSync(artifacts, { recursive: true });
    const lake = mkdtempSync(path.join(workspaceRoot, '.tmp', 'serve-'));
    const run = async (rows: string, fail?: string) => {
      const code = await runCommand(
        { config: path.join(workspaceRoot, 'pipeline.yaml'), lake, rows, env: 'dev', fail },
        quiet,
      );
      return code;
    };
    // each size is a different sample, so each run lands new files; the last repeats the third
    expect(await run('2000')).toBe(0);
    expect(await run('3000', 'etl:1')).toBe(0);
    expect(await run('4000', 'score:9')).toBe(1);
    expect(await run('4000')).toBe(0);

    // the lake recorded the pipeline that wrote it: serve needs no pipeline file
    dashboard = await startDashboard({ lakeRoot: lake, configFile: '/no/such/pipeline.yaml', port: 0 });
    const listed = (await (await fetch(`${dashboard.url}/runs`)).json()) as { items: RunItem[] };
    const [empty, failed, retried, succeeded] = await Promise.all(
      listed.items.map(
        async (r) => (await (await fetch(`${dashboard.url}/runs/${r.runId}`)).json()) as RunWithStages,
      ),
    );
    Object.assign(runs, { empty, failed, retried, succeeded });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
  });

  async function open(width = 1280, hash = ''): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: dashboard.url });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${dashboard.url}/${hash}`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#queries li');
    expect(errors).toEqual([]);
    return page;
  }

  const texts = (page: Page, selector: string) => page.locator(selector).allInnerTexts();
  const diagram = (page: Page) =>
    page
      .locator('#diagram .stage')
      .evaluateAll((els) =>
        els.map((el) => `${el.getAttribute('data-stage')}:${el.getAttribute('data-state')}`),
      );

  it('lists every run with its status, duration and rows, and opens on the newest run that did something', async () => {
    const page = await open();

    const rows = await page
      .locator('#runs tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText)),
      );
    await page.screenshot({ path: path.join(artifacts, 'dashboard-1280-failed-run.png'), fullPage: true });

    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      [runs.empty.runId, 'SUCCEEDED'],
      [runs.failed.runId, 'FAILED'],
      [runs.retried.runId, 'SUCCEEDED'],
      [runs.succeeded.runId, 'SUCCEEDED'],
    ]);
    const n = (v: number | undefined) => (v === undefined ? '' : v.toLocaleString('en-US'));
    const succeeded = runs.succeeded.counters;
    expect(rows[3]!.slice(4)).toEqual([
      '2,000',
      n(succeeded.curatedRows),
      n(succeeded.rejectedRows),
      n(succeeded.scoredRows),
      n(succeeded.flaggedRows),
    ]);
    expect(succeeded.curatedRows! + succeeded.rejectedRows!).toBe(2000);
    expect(rows[0]!.slice(4)).toEqual(['0', '0', '0', '0', '0']);
    expect(rows[3]![2]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(rows[3]![3]).toMatch(/^\d+(\.\d)? (ms|s)$/);
    // the empty run is newer, but the page opens on the failed one
    expect(await page.locator('#run-id').innerText()).toBe(runs.failed.runId);
    expect(await page.locator('tr.run.selected').getAttribute('data-run')).toBe(runs.failed.runId);
  });

  it('shows where the failed run failed: the stage, the attempt, the error, and only the branch that ran', async () => {
    const page = await open();

    const failure = await page.locator('#failure').innerText();
    const attempts = await texts(page, '#attempts tbody tr[data-stage="score"]');
    const states = await diagram(page);

    expect(failure).toBe(
      'Failed in score at attempt 4 of 4: InjectedFailureError: injected failure in stage "score", attempt 4 (--fail score:9)',
    );
    expect(attempts).toHaveLength(4);
    expect(attempts[0]).toContain('FAILED');
    expect(attempts[0]).toContain(
      'InjectedFailureError: injected failure in stage "score", attempt 1 (--fail score:9)',
    );
    expect(states).toEqual([
      'source:SUCCEEDED',
      'etl:SUCCEEDED',
      'warn:NOTRUN',
      'score:NOTRUN',
      'score:FAILED',
      'views:NOTRUN',
      'report:NOTRUN',
    ]);
    expect(await page.locator('#diagram .stage[data-state="FAILED"]').innerText()).toContain(
      'failed at attempt 4: InjectedFailureError',
    );
    expect(await page.locator('#diagram .branch[data-taken="true"] .cond').innerText()).toBe(
      'otherwise (taken)',
    );
  });

  it('shows a retried run: the failed attempt with its cause, the funnel, rejects by column and rule, and queries to copy', async () => {
    const page = await open(1280, `#run=${runs.retried.runId}`);

    const etlAttempts = await texts(page, '#attempts tbody tr[data-stage="etl"]');
    const funnel = Object.fromEntries(
      await page
        .locator('#funnel .n')
        .evaluateAll((els) =>
          els.map((el) => [el.getAttribute('data-step-count'), (el.firstChild?.textContent ?? '').trim()]),
        ),
    );
    const groups = await page.locator('#reject-table tr.reject').evaluateAll((trs) =>
      trs.map((tr) => ({
        column: tr.getAttribute('data-column'),
        rule: tr.getAttribute('data-rule'),
        rows: Number((tr.querySelector('td.num') as HTMLElement).innerText.replace(/,/g, '')),
      })),
    );
    const where = await page.locator('#reject-table code.where').first().innerText();
    const raw = await page.locator('#reject-table code.raw').first().textContent();
    const queries = await page
      .locator('#queries button.copy')
      .evaluateAll((bs) => bs.map((b) => b.getAttribute('data-copy')));
    await page.screenshot({ path: path.join(artifacts, 'dashboard-1280-retried-run.png'), fullPage: true });

    expect(etlAttempts).toHaveLength(2);
    expect(etlAttempts[0]).toContain('FAILED');
    expect(etlAttempts[0]).toContain(
      'InjectedFailureError: injected failure in stage "etl", attempt 1 (--fail etl:1)',
    );
    expect(etlAttempts[1]).toContain('SUCCEEDED');
    expect(await page.locator('#diagram .stage[data-stage="etl"]').innerText()).toContain(
      'attempt 2 (1 failed before)',
    );
    const c = runs.retried.counters;
    expect(funnel).toEqual({
      read: '3,000',
      curated: c.curatedRows!.toLocaleString('en-US'),
      rejected: c.rejectedRows!.toLocaleString('en-US'),
      scored: c.scoredRows!.toLocaleString('en-US'),
      flagged: c.flaggedRows!.toLocaleString('en-US'),
    });
    expect(groups.reduce((sum, g) => sum + g.rows, 0)).toBe(c.rejectedRows);
    expect(groups).toContainEqual(expect.objectContaining({ column: 'test_id', rule: 'unique' }));
    expect(where).toMatch(/^bench_tests_2026-11-\d\d\.(csv|jsonl|csv\.gz):\d+$/);
    expect(raw).toMatch(/T-\d{9}/);
    expect(queries).toHaveLength(4);
    expect(queries[0]).toMatch(
      new RegExp(
        `^npx lakepipe query "SELECT \\* FROM curated_bench_tests WHERE run_id = '${runs.retried.runId}' LIMIT 20" --lake \\S+ --config \\S+pipeline.yaml$`,
      ),
    );

    await page.locator('#queries li[data-table="rejected_bench_tests"] button').click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(queries[1]);
  });

  it('says what the empty run did: nothing new, every source file already ingested', async () => {
    const page = await open(1280, `#run=${runs.empty.runId}`);

    const note = await page.locator('#funnel-note').innerText();
    const files = await page
      .locator('#file-table tr.file')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')));
    const reason = await page.locator('#file-table tr.file td').nth(2).innerText();

    expect(note).toBe('0 files landed, 4 already ingested (duplicates): nothing new, this run did no work.');
    expect(files).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(reason).toContain(runs.failed.runId);
    expect(await texts(page, '#rejects .note')).toEqual(['No rows were rejected.']);
  });

  it('draws trends of the finished runs as SVG: durations per stage, rows, reject and flagged ratios', async () => {
    const page = await open();

    const bars = await page
      .locator('#chart-duration g.bar')
      .evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-run'), g.querySelectorAll('rect').length]));
    const rejectPoints = await page
      .locator('#chart-reject circle.point')
      .evaluateAll((cs) => cs.map((c) => [c.getAttribute('data-run'), Number(c.getAttribute('data-value'))]));
    const flaggedRuns = await page
      .locator('#chart-flagged circle.point')
      .evaluateAll((cs) => cs.map((c) => c.getAttribute('data-run')));
    await page.locator('#trends-panel').screenshot({ path: path.join(artifacts, 'dashboard-trends.png') });

    // oldest first; every stage that ran has a segment (the empty run ran 5 stages, warn never)
    expect(bars.map(([id]) => id)).toEqual([
      runs.succeeded.runId,
      runs.retried.runId,
      runs.failed.runId,
      runs.empty.runId,
    ]);
    expect(bars.map(([, n]) => n)).toEqual([5, 5, 3, 5]);
    expect(rejectPoints).toEqual([
      [runs.succeeded.runId, runs.succeeded.counters.rejectedRows! / 2000],
      [runs.retried.runId, runs.retried.counters.rejectedRows! / 3000],
      [runs.failed.runId, runs.failed.counters.rejectedRows! / 4000],
    ]);
    // a failed run scored nothing and an empty one read nothing: no ratio for them
    expect(flaggedRuns).toEqual([runs.succeeded.runId, runs.retried.runId]);
  });

  it('filters by status, copies ids exactly, and works from the keyboard', async () => {
    const page = await open();

    await page.locator('button[data-filter="FAILED"]').click();
    const failedOnly = await page
      .locator('#runs tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run')));
    await page.locator('button[data-filter="ALL"]').click();
    const idStyle = await page.locator('#run-id').evaluate((el) => getComputedStyle(el).textTransform);
    await page.locator('#copy-run-id').click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    // keyboard only: from the filter bar, Tab to the retried run's link, Enter opens it
    await page.focus('button[data-filter="ALL"]');
    let focused = '';
    for (let i = 0; i < 20 && focused !== runs.retried.runId; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
    }
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (id) => document.getElementById('run-id')?.textContent === id,
      runs.retried.runId,
    );
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);

    expect(failedOnly).toEqual([runs.failed.runId]);
    expect(idStyle).toBe('none');
    expect(copied).toBe(runs.failed.runId);
    expect(focused).toBe(runs.retried.runId);
    expect(outline).toBe('solid');
  });

  it('has no cut-off columns at 1280 px and no sideways page scroll on a narrow window', async () => {
    const wide = await open(1280);
    const runsFit = await wide.locator('#runs-scroll').evaluate((el) => el.scrollWidth <= el.clientWidth);
    const narrow = await open(400);
    const pageFits = await narrow.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    await narrow.screenshot({ path: path.join(artifacts, 'dashboard-400-narrow.png'), fullPage: true });

    expect(runsFit).toBe(true);
    expect(pageFits).toBe(true);
  });

  it('renders dark text on light backgrounds with WCAG AA contrast', async () => {
    const page = await open();

    const pairs = await page.evaluate(() => {
      const background = (el: Element | null): string => {
        for (let e = el; e; e = e.parentElement) {
          const bg = getComputedStyle(e).backgroundColor;
          if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return bg;
        }
        return 'rgb(255, 255, 255)';
      };
      const selectors = [
        'header h1',
        'header .meta',
        '#runs tbody td.num',
        '#runs a.id',
        '.badge.SUCCEEDED',
        '.badge.FAILED',
        '#failure',
        '#attempts .error-text',
        '#diagram .stage small',
        '.note',
        'svg.chart text',
        '#queries code',
      ];
      return selectors.map((s) => {
        const el = document.querySelector(s)!;
        return { selector: s, fg: getComputedStyle(el).color, bg: background(el) };
      });
    });
    const hex = (rgb: string) =>
      `#${rgb
        .match(/\d+/g)!
        .slice(0, 3)
        .map((v) => Number(v).toString(16).padStart(2, '0'))
        .join('')}`;

    const low = pairs
      .map((p) => ({ ...p, ratio: contrastRatio(hex(p.fg), hex(p.bg)) }))
      .filter((p) => p.ratio < 4.5);
    expect(low).toEqual([]);
  });
});
