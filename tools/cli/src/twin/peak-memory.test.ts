import { describe, expect, it } from 'vitest';
import { OUTSIDE_STAGES, procRssProbe, type RssProbe, StagePeakMemory } from './peak-memory';
import type { RunObserver } from './progress';

/** A probe whose resident size the test sets; the peak follows it and a reset brings it down. */
function fakeProbe(resettable = true) {
  let current = 0;
  let peak = 0;
  const probe: RssProbe = {
    peakBytes: () => peak,
    reset: () => {
      if (resettable) peak = current;
      return resettable;
    },
  };
  return {
    probe,
    use(bytes: number) {
      current = bytes;
      peak = Math.max(peak, bytes);
    },
  };
}

const silent: RunObserver = {
  stageStarted: () => {},
  stageProgress: () => {},
  stageFinished: () => {},
  notification: () => {},
  close: () => {},
};

describe('peak memory by stage', () => {
  it("gives each stage the peak of its own interval, not the run's peak so far", () => {
    const rss = fakeProbe();
    rss.use(150);
    const memory = new StagePeakMemory(rss.probe);
    const observer = memory.observing(silent);

    rss.use(200);
    observer.stageStarted('source', 1);
    rss.use(300);
    rss.use(250);
    observer.stageFinished('source', { ok: true });
    observer.stageStarted('etl', 1);
    rss.use(900);
    rss.use(400);
    observer.stageFinished('etl', { ok: true });
    observer.stageStarted('score', 1);
    rss.use(500);
    observer.stageFinished('score', { ok: true });
    rss.use(450);

    expect(memory.byStage()).toEqual({ [OUTSIDE_STAGES]: 500, source: 300, etl: 900, score: 500 });
    expect(memory.peakBytes()).toBe(900);
    expect(memory.perStage).toBe(true);
  });

  it('gives an interval where two stages ran to both of them', () => {
    const rss = fakeProbe();
    const memory = new StagePeakMemory(rss.probe);

    memory.started('views');
    rss.use(100);
    memory.started('report');
    rss.use(700);
    memory.finished('views');
    rss.use(200);
    memory.finished('report');

    expect(memory.byStage()).toEqual({ [OUTSIDE_STAGES]: 200, views: 700, report: 700 });
  });

  it('says when the system cannot reset the peak (each stage is then the peak so far)', () => {
    const rss = fakeProbe(false);
    const memory = new StagePeakMemory(rss.probe);

    memory.started('etl');
    rss.use(900);
    memory.finished('etl');
    memory.started('score');
    rss.use(300);
    memory.finished('score');

    expect(memory.perStage).toBe(false);
    expect(memory.byStage()).toMatchObject({ etl: 900, score: 900 });
  });

  it('reads a real peak from this process, at least its current resident size', () => {
    const peak = procRssProbe.peakBytes();

    expect(peak).toBeGreaterThanOrEqual(process.memoryUsage.rss() * 0.9);
  });
});
