import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpretMargins } from './compile';
import { parseFeaturesCsv } from './features-csv';
import { loadModel } from './model';
import { scoreFeatures } from './score-features';
import { applyTransform, Scorer } from './scorer';
import { fixturesRoot, readReference, shippedModelDir } from './test-support';

const cases = [
  { name: 'the shipped binary:logistic model', dir: shippedModelDir },
  { name: 'reg:squarederror with missing values', dir: path.join(fixturesRoot, 'reg-squarederror') },
  { name: 'reg:logistic with base_score 0.3', dir: path.join(fixturesRoot, 'reg-logistic') },
  { name: 'multi:softprob with 3 classes', dir: path.join(fixturesRoot, 'multi-softprob') },
];

function maxAbsDifference(actual: ArrayLike<number>, expected: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

describe('Scorer', () => {
  for (const { name, dir } of cases) {
    it(`reproduces XGBoost's predictions within 1e-6 for ${name}`, async () => {
      // Arrange
      const reference = readReference(dir);
      const scorer = await Scorer.load(path.join(dir, 'xgboost-model.json'));
      const batch = parseFeaturesCsv(Buffer.from(reference.featuresCsv), scorer.numFeature, 'reference.csv');

      // Act
      const predictions = scorer.predict(batch.values, batch.rows);

      // Assert
      expect(batch.rejected).toEqual([]);
      expect(batch.rows).toBe(reference.rows);
      expect(scorer.numOutputs).toBe(reference.outputs);
      expect(predictions.length).toBe(reference.expected.length);
      expect(maxAbsDifference(predictions, reference.expected)).toBeLessThanOrEqual(1e-6);
    });
  }

  it('has at least 2,000 reference rows with missing values for the shipped model', () => {
    // Arrange / Act
    const reference = readReference(shippedModelDir);

    // Assert
    expect(reference.rows).toBeGreaterThanOrEqual(2000);
    expect(reference.featuresCsv).toMatch(/,,|,\n/);
  });

  it('gives the same margins from the compiled code as from walking the flat trees', async () => {
    // Arrange
    const dir = path.join(fixturesRoot, 'multi-softprob');
    const reference = readReference(dir);
    const model = await loadModel(path.join(dir, 'xgboost-model.json'));
    const scorer = new Scorer(model);
    const batch = parseFeaturesCsv(Buffer.from(reference.featuresCsv), model.numFeature, 'reference.csv');
    const interpreted = new Float32Array(batch.rows * model.numOutputs);
    for (let r = 0; r < batch.rows; r++) interpreted.set(model.baseMargin, r * model.numOutputs);

    // Act
    interpretMargins(model, batch.values, 0, batch.rows, interpreted);
    applyTransform(model.objective, model.numOutputs, interpreted, 0, batch.rows);
    const compiled = scorer.predict(batch.values, batch.rows);

    // Assert
    expect(Array.from(compiled)).toEqual(Array.from(interpreted));
  });

  it('gives identical predictions on worker threads and on the calling thread', async () => {
    // Arrange
    const reference = readReference(shippedModelDir);
    const scorer = await Scorer.load(path.join(shippedModelDir, 'xgboost-model.json'));
    const batch = parseFeaturesCsv(Buffer.from(reference.featuresCsv), scorer.numFeature, 'reference.csv');

    // Act
    const single = scorer.predict(batch.values, batch.rows);
    const parallel = await scorer.predictParallel(batch.values, batch.rows, { threads: 3 });

    // Assert
    expect(Array.from(parallel)).toEqual(Array.from(single));
  });

  it('keeps each parallel result its own when calls of different sizes reuse the shared buffers, at once or in turn', async () => {
    // Arrange
    const reference = readReference(shippedModelDir);
    const scorer = await Scorer.load(path.join(shippedModelDir, 'xgboost-model.json'));
    const batch = parseFeaturesCsv(Buffer.from(reference.featuresCsv), scorer.numFeature, 'reference.csv');
    const half = Math.floor(batch.rows / 2);
    const firstHalf = batch.values.subarray(0, half * scorer.numFeature);
    const secondHalf = batch.values.slice(half * scorer.numFeature, batch.rows * scorer.numFeature);

    // Act
    const small = await scorer.predictParallel(firstHalf, half, { threads: 2 });
    const [whole, rest] = await Promise.all([
      scorer.predictParallel(batch.values, batch.rows, { threads: 3 }),
      scorer.predictParallel(secondHalf, batch.rows - half, { threads: 2 }),
    ]);
    await scorer.close();

    // Assert
    const single = Array.from(scorer.predict(batch.values, batch.rows));
    expect(Array.from(small)).toEqual(single.slice(0, half));
    expect(Array.from(rest)).toEqual(single.slice(half));
    expect(Array.from(whole)).toEqual(single);
  });

  it('writes id,score lines in SageMaker join shape and counts rows at or above the threshold', async () => {
    // Arrange
    const reference = readReference(shippedModelDir);
    const scorer = await Scorer.load(path.join(shippedModelDir, 'xgboost-model.json'));
    const expectedFlagged = reference.expected.filter((p) => p >= 0.7).length;

    // Act
    const scored = await scoreFeatures(scorer, Buffer.from(reference.featuresCsv), {
      file: 'features/part-0.csv',
      threshold: 0.7,
    });

    // Assert
    const lines = scored.output.toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(reference.rows);
    expect(lines[0]).toBe(`${reference.featuresCsv.split(',')[0]},${reference.expected[0]}`);
    expect(lines.every((l) => /^T-\d{9},[0-9.e-]+$/.test(l))).toBe(true);
    expect(scored.scoredRows).toBe(reference.rows);
    expect(scored.flaggedRows).toBe(expectedFlagged);
    expect(expectedFlagged).toBeGreaterThan(0);
  });

  it('writes one column per class for a multi-class model', async () => {
    // Arrange
    const dir = path.join(fixturesRoot, 'multi-softprob');
    const reference = readReference(dir);
    const scorer = await Scorer.load(path.join(dir, 'xgboost-model.json'));

    // Act
    const scored = await scoreFeatures(scorer, Buffer.from(reference.featuresCsv), { file: 'f.csv' });

    // Assert
    const first = scored.output.toString('utf8').split('\n')[0]!.split(',');
    expect(first).toHaveLength(4);
    expect(first.slice(1).map(Number)).toEqual(reference.expected.slice(0, 3));
  });
});
