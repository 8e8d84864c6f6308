import { describe, expect, it } from 'vitest';
import { drawLabel, failureLogit, sampleMeasurements } from './bench-tests';
import { Prng } from './prng';

/** Rank AUC of `score` against a 0/1 label. */
function auc(pairs: Array<[score: number, label: number]>): number {
  const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
  let positives = 0;
  let rankSum = 0;
  sorted.forEach(([, label], i) => {
    if (label === 1) {
      positives++;
      rankSum += i + 1;
    }
  });
  const negatives = sorted.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

describe('the failed_in_field label rule', () => {
  it('is learnable but noisy: the noiseless rule ranks failures with AUC between 0.85 and 0.95', () => {
    // Arrange
    const prng = new Prng(2026);
    const pairs: Array<[number, number]> = [];

    // Act
    for (let i = 0; i < 40_000; i++) {
      const m = sampleMeasurements(prng);
      pairs.push([failureLogit(m), drawLabel(prng, m)]);
    }

    // Assert
    const rate = pairs.filter(([, y]) => y === 1).length / pairs.length;
    expect(rate).toBeGreaterThan(0.12);
    expect(rate).toBeLessThan(0.3);
    const ruleAuc = auc(pairs);
    expect(ruleAuc).toBeGreaterThan(0.85);
    expect(ruleAuc).toBeLessThan(0.95);
  });

  it('raises the failure odds with temperature, vibration, errors and voltage deviation', () => {
    // Arrange
    const base = {
      benchIndex: 0,
      firmware: '1.5.0',
      durationS: 90,
      temperatureC: 42,
      voltageV: 24,
      currentA: 4,
      vibrationMmS: 2.5,
      pressureKpa: 101,
      errorCount: 0,
    };

    // Act
    const logits = {
      base: failureLogit(base),
      hot: failureLogit({ ...base, temperatureC: 70 }),
      shaky: failureLogit({ ...base, vibrationMmS: 6 }),
      errors: failureLogit({ ...base, errorCount: 4 }),
      offVoltage: failureLogit({ ...base, voltageV: 26.5 }),
      pressure: failureLogit({ ...base, pressureKpa: 180 }),
    };

    // Assert
    expect(logits.hot).toBeGreaterThan(logits.base);
    expect(logits.shaky).toBeGreaterThan(logits.base);
    expect(logits.errors).toBeGreaterThan(logits.base);
    expect(logits.offVoltage).toBeGreaterThan(logits.base);
    expect(logits.pressure).toBe(logits.base);
  });
});

describe('Prng', () => {
  it('repeats its sequence for the same seed and stream and differs across streams', () => {
    // Arrange
    const draw = (seed: number, stream: number) => {
      const p = new Prng(seed, stream);
      return Array.from({ length: 5 }, () => p.uint32());
    };

    // Act / Assert
    expect(draw(42, 0)).toEqual(draw(42, 0));
    expect(draw(42, 0)).not.toEqual(draw(42, 1));
    expect(draw(42, 0)).not.toEqual(draw(43, 0));
  });
});
