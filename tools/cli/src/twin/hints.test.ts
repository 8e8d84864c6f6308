import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  notificationLine,
  placeFlags,
  tryNextAfterRun,
  withLakeInLookup,
  withLakeInNotifications,
} from './hints';
import type { RunObserver } from './progress';

describe('the hints a run prints', () => {
  it('leaves the flags out for the default pipeline.yaml and .lake', () => {
    const hints = tryNextAfterRun({ runId: 'R1', dataset: 'orders', config: 'pipeline.yaml', lake: '.lake' });

    expect(hints).toEqual([
      '  npx lakepipe query "SELECT * FROM orders_latest LIMIT 5"',
      '  npx lakepipe status R1',
      '  npx lakepipe serve        # runs, stages and the workflow in the browser',
    ]);
  });

  it('carries the --config and --lake the run used into every command that reads them', () => {
    const hints = tryNextAfterRun({
      runId: 'R1',
      dataset: 'orders',
      config: 'my.yaml',
      lake: path.join('..', 'my lake'),
    });

    expect(hints).toEqual([
      `  npx lakepipe query "SELECT * FROM orders_latest LIMIT 5" --config my.yaml --lake '../my lake'`,
      `  npx lakepipe status R1 --lake '../my lake'`,
      `  npx lakepipe serve --config my.yaml --lake '../my lake'        # runs, stages and the workflow in the browser`,
    ]);
  });

  it('names an absolute path relative to the current folder', () => {
    expect(placeFlags({ lake: path.resolve('elsewhere/lake') })).toBe(' --lake elsewhere/lake');
  });

  it("adds the lake to a failure notification's status lookup", () => {
    const line = '✖ run R1 failed in etl: Boom: bad — npx lakepipe status R1';

    expect(withLakeInLookup(line, { lake: '/tmp/l' })).toBe(
      `✖ run R1 failed in etl: Boom: bad — npx lakepipe status R1 --lake ${path.relative(process.cwd(), '/tmp/l')}`,
    );
    expect(withLakeInLookup(line, { lake: '.lake' })).toBe(line);
  });

  it("passes a run's notifications on with the lake added, and everything else unchanged", () => {
    const seen: string[] = [];
    const observer: RunObserver = {
      stageStarted: (id, attempt) => seen.push(`start ${id} ${attempt}`),
      stageProgress: () => undefined,
      stageFinished: (id) => seen.push(`finish ${id}`),
      notification: (line) => seen.push(line),
      message: (text) => seen.push(text),
      close: () => seen.push('close'),
    };

    const hinted = withLakeInNotifications(observer, { lake: 'other-lake' });
    hinted.stageStarted('etl', 1);
    hinted.notification('● pipeline warning: rejected 9% — npx lakepipe status R1');
    hinted.message?.('waiting');
    hinted.close();

    expect(seen).toEqual([
      'start etl 1',
      '● pipeline warning: rejected 9% — npx lakepipe status R1 --lake other-lake',
      'waiting',
      'close',
    ]);
  });

  it('announces a failure notification without its cause, which the run prints once at the end', () => {
    const line = '✖ run R1 failed in score (attempt 4): InjectedFailureError: boom — npx lakepipe status R1';

    expect(notificationLine(line, { lake: 'my-lake' })).toBe(
      '✖ run R1 failed in score: the error topic was notified (my-lake/_notifications/)',
    );
  });
});
