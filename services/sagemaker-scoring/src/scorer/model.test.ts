import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../errors';
import { loadModel, parseModel } from './model';
import { fixturesRoot, shippedModelDir } from './test-support';

const shippedText = readFileSync(path.join(shippedModelDir, 'xgboost-model.json'), 'utf8');

// biome-ignore lint/suspicious/noExplicitAny: tests edit arbitrary fields of the model JSON
type ModelJson = any;

/** The shipped model with one field changed. */
function shippedWith(change: (json: ModelJson) => void): string {
  const json = JSON.parse(shippedText);
  change(json);
  return JSON.stringify(json);
}

describe('parseModel', () => {
  it('reads the objective, features, trees and the logit of base_score', () => {
    // Act
    const model = parseModel(shippedText, 'xgboost-model.json');

    // Assert
    expect(model.objective).toBe('binary:logistic');
    expect(model.numFeature).toBe(7);
    expect(model.numOutputs).toBe(1);
    expect(model.trees).toHaveLength(150);
    expect(Math.abs(model.baseMargin[0]!)).toBe(0); // base_score 0.5 -> logit 0
    expect(model.version).toEqual([1, 7, 4]);
  });

  it('turns base_score into a margin only for logistic objectives', async () => {
    // Act
    const logistic = await loadModel(path.join(fixturesRoot, 'reg-logistic/xgboost-model.json'));
    const squared = await loadModel(path.join(fixturesRoot, 'reg-squarederror/xgboost-model.json'));

    // Assert
    expect(logistic.baseMargin[0]).toBeCloseTo(Math.log(0.3 / 0.7), 6);
    expect(squared.baseMargin[0]).toBe(20);
  });

  it('assigns each multi:softprob tree to its class from tree_info', async () => {
    // Act
    const model = await loadModel(path.join(fixturesRoot, 'multi-softprob/xgboost-model.json'));

    // Assert
    expect(model.numOutputs).toBe(3);
    expect(model.trees.slice(0, 6).map((t) => t.group)).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('reads the vector base_score of XGBoost 3 models', () => {
    // Act
    const model = parseModel(
      shippedWith((j) => {
        j.learner.learner_model_param.base_score = '[2.5E-1]';
      }),
      'v3.json',
    );

    // Assert
    expect(model.baseMargin[0]).toBeCloseTo(Math.log(0.25 / 0.75), 6);
  });

  it('rejects a file that is not JSON, naming the file', () => {
    // Act / Assert
    expect(() => parseModel('binf\u0000\u0001', 'model.bin')).toThrow(ModelFormatError);
    expect(() => parseModel('binf\u0000\u0001', 'model.bin')).toThrow(
      /^model\.bin: \(file\) is not XGBoost JSON: .*save the model with Booster\.save_model\('model\.json'\)/,
    );
  });

  it('rejects JSON that is not an XGBoost model, naming the missing field', () => {
    // Act / Assert
    expect(() => parseModel('{"name": "not a model"}', 'other.json')).toThrow(
      'other.json: learner is missing; this is not an XGBoost JSON model (save it with Booster.save_model("model.json"))',
    );
  });

  it('rejects a gblinear booster, naming the field', async () => {
    // Act
    const failure = await loadModel(path.join(fixturesRoot, 'gblinear/xgboost-model.json')).catch((e) => e);

    // Assert
    expect(failure).toBeInstanceOf(ModelFormatError);
    expect(failure.message).toMatch(
      /gblinear\/xgboost-model\.json: learner\.gradient_booster\.name is "gblinear"; only gbtree boosters are supported \(not gblinear or dart\)$/,
    );
  });

  it('rejects a dart booster, naming the field', async () => {
    // Act
    const failure = await loadModel(path.join(fixturesRoot, 'dart/xgboost-model.json')).catch((e) => e);

    // Assert
    expect(failure.message).toMatch(
      /learner\.gradient_booster\.name is "dart"; only gbtree boosters are supported/,
    );
  });

  it('rejects an objective the scorer does not reproduce, listing the supported ones', () => {
    // Act / Assert
    expect(() =>
      parseModel(
        shippedWith((j) => {
          j.learner.objective.name = 'rank:pairwise';
        }),
        'rank.json',
      ),
    ).toThrow(
      'rank.json: learner.objective.name is "rank:pairwise"; supported objectives: binary:logistic, reg:squarederror, reg:logistic, multi:softprob',
    );
  });

  it('rejects categorical splits and out-of-range feature indexes', () => {
    // Act / Assert
    expect(() =>
      parseModel(
        shippedWith((j) => {
          j.learner.gradient_booster.model.trees[3].split_type[0] = 1;
        }),
        'cat.json',
      ),
    ).toThrow('cat.json: learner.gradient_booster.model.trees[3].split_type has a categorical split');
    expect(() =>
      parseModel(
        shippedWith((j) => {
          j.learner.gradient_booster.model.trees[0].split_indices[0] = 9;
        }),
        'idx.json',
      ),
    ).toThrow(
      'idx.json: learner.gradient_booster.model.trees[0].split_indices[0] is 9; the model has 7 features',
    );
  });

  it('rejects a logistic base_score outside (0, 1)', () => {
    // Act / Assert
    expect(() =>
      parseModel(
        shippedWith((j) => {
          j.learner.learner_model_param.base_score = '1.5E0';
        }),
        'b.json',
      ),
    ).toThrow(
      'b.json: learner.learner_model_param.base_score is 1.5; a logistic objective needs 0 < base_score < 1',
    );
  });
});
