import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type CompileTarget,
  createStageRegistry,
  type PipelineModel,
  PipelineValidationError,
  parsePipeline,
} from '@lakepipe/workflow';
import { describe, expect, it } from 'vitest';
import { ModelFileError } from './errors';
import { readModelFile } from './model-file';
import { Scorer } from './scorer/scorer';
import { fixturesRoot, serviceRoot } from './scorer/test-support';
import { stageModel } from './stage-model';
import { sagemakerScoringStageType } from './stage-type';

const registry = createStageRegistry([sagemakerScoringStageType]);
const ownFixture = path.join(serviceRoot, 'test-fixtures/three-features');
const multiFixture = path.join(fixturesRoot, 'multi-softprob/xgboost-model.json');

const target: CompileTarget = {
  env: 'dev',
  accountId: '111111111111',
  region: 'eu-west-1',
  resourceName: (component) => `lakepipe-dev-${component}`,
  lakeBucket: 'lakepipe-dev-lake-111111111111-eu-west-1',
  ledgerTable: 'lakepipe-dev-ledger',
  errorTopicArn: 'arn:aws:sns:eu-west-1:111111111111:lakepipe-dev-errors',
};

/** A user's folder: pipeline.yaml (3-feature pumps dataset) and the model beside it. */
function userFolder(stage: string, features = 'temperature_c, pressure_kpa, rpm'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'own-model-'));
  copyFileSync(path.join(ownFixture, 'model.json'), path.join(dir, 'model.json'));
  copyFileSync(path.join(ownFixture, 'model.ubj'), path.join(dir, 'model.ubj'));
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(
    file,
    [
      'name: pumps',
      'datasets:',
      '  pumps:',
      '    source: { type: s3, prefix: landing/pumps/ }',
      '    columns:',
      '      pump_id: { type: string, required: true, unique: true }',
      '      temperature_c: { type: double }',
      '      pressure_kpa: { type: double }',
      '      rpm: { type: double }',
      `    features: [${features}]`,
      'stages:',
      '  score:',
      '    type: sagemaker-scoring',
      '    dataset: pumps',
      '    instance: { type: ml.m5.xlarge, count: 1 }',
      ...stage.split('\n').map((line) => `    ${line}`),
      'flow: [score]',
      '',
    ].join('\n'),
  );
  return file;
}

function load(file: string): PipelineModel {
  return parsePipeline(readFileSync(file, 'utf8'), { file, registry });
}

function problemsOf(file: string) {
  try {
    load(file);
  } catch (error) {
    if (error instanceof PipelineValidationError) return error.problems;
    throw error;
  }
  return [];
}

/** 1-based line of the first line of the file containing `text`. */
function lineOf(file: string, text: string): number {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  );
}

describe('a scoring stage with its own model', () => {
  it.each(['model.json', 'model.ubj'])(
    'validates a 3-feature model (%s) against a 3-feature dataset',
    (model) => {
      // Arrange
      const file = userFolder(`model: ${model}\nthreshold: 0.6`);

      // Act
      const pipeline = load(file);

      // Assert
      expect(pipeline.contracts?.pumps?.scored).toEqual({
        columns: [
          { name: 'pump_id', type: 'string' },
          { name: 'score', type: 'double' },
        ],
        threshold: 0.6,
        classes: 1,
      });
    },
  );

  it('reads UBJSON to the same model as JSON: the same scores, bit for bit', () => {
    // Arrange
    const rows = Float32Array.from([90, 100, 3500, 50, 100, 1000, 70, 160, Number.NaN]);

    // Act
    const json = new Scorer(readModelFile(path.join(ownFixture, 'model.json')).model).predict(rows, 3);
    const ubj = new Scorer(readModelFile(path.join(ownFixture, 'model.ubj')).model).predict(rows, 3);

    // Assert
    expect(Array.from(ubj)).toEqual(Array.from(json));
    // by hand: sigmoid(1.5 + 1.0), sigmoid(-1.0 - 0.5), sigmoid(0.5 + 1.0) (a missing rpm goes right)
    expect(Array.from(json).map((p) => p.toFixed(4))).toEqual(['0.9241', '0.1824', '0.8176']);
    expect(readModelFile(path.join(ownFixture, 'model.ubj')).featureNames).toEqual([
      'temperature_c',
      'pressure_kpa',
      'rpm',
    ]);
  });

  it('fails validate at the model: line when the model reads another number of features', () => {
    // Arrange: a 7-feature model for the 3-feature dataset
    const file = userFolder(`model: ${multiFixture}`);

    // Act
    const problems = problemsOf(file);

    // Assert
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'stages.score.model', line: lineOf(file, 'model:') });
    expect(problems[0]!.message).toContain(
      'reads 7 features, but dataset "pumps" declares 3 (temperature_c, pressure_kpa, rpm)',
    );
  });

  it('fails validate when the shipped model (no model:) does not fit the dataset, at the dataset: line', () => {
    // Act
    const problems = problemsOf(userFolder(''));

    // Assert
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      [
        'stages.score.dataset',
        'model the shipped model reads 7 features, but dataset "pumps" declares 3 (temperature_c, pressure_kpa, rpm)',
      ],
    ]);
  });

  it('names the first feature whose name differs from the names the model stores', () => {
    // Act
    const problems = problemsOf(userFolder('model: model.json', 'pressure_kpa, temperature_c, rpm'));

    // Assert
    expect(problems[0]!.message).toContain(
      '(feature 1: model "temperature_c", dataset "pressure_kpa"); the features must be the same, in the same order',
    );
  });

  it('names a missing model file in plain words', () => {
    // Arrange
    const file = userFolder('model: models/missing.json');

    // Act
    const problems = problemsOf(file);

    // Assert
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'stages.score.model',
        line: lineOf(file, 'model:'),
        message: `model "models/missing.json" is not there: no file ${path.join(path.dirname(file), 'models/missing.json')}`,
      }),
    ]);
  });

  it('refuses an objective the scorer does not support, naming it', () => {
    // Arrange
    const file = userFolder('model: tweedie.json');
    const json = JSON.parse(readFileSync(path.join(ownFixture, 'model.json'), 'utf8'));
    json.learner.objective.name = 'reg:tweedie';
    writeFileSync(path.join(path.dirname(file), 'tweedie.json'), JSON.stringify(json));

    // Act
    const problems = problemsOf(file);

    // Assert
    expect(problems[0]!.message).toContain(
      'learner.objective.name is "reg:tweedie"; supported objectives: binary:logistic, reg:squarederror, reg:logistic, multi:softprob',
    );
  });

  it('refuses flagClass on a model with one score', () => {
    // Act
    const problems = problemsOf(userFolder('model: model.json\nflagClass: 1'));

    // Assert
    expect(problems.map((p) => p.path)).toEqual(['stages.score.flagClass']);
    expect(problems[0]!.message).toContain('has one score, not classes: remove flagClass');
  });

  it('runs an s3:// model in the cloud under its own SageMaker model; the twin asks for a local file, naming stage and line', () => {
    // Arrange
    const file = userFolder('model: s3://my-models/pumps/model.tar.gz');
    const pipeline = load(file);
    const stage = pipeline.stages.score!;

    // Act
    const steps = sagemakerScoringStageType.compile({
      stageId: 'score',
      attributes: stage.attributes as never,
      datasets: pipeline.datasets,
      pipelineName: pipeline.name,
      target,
      pipeline,
    });
    const local = () => stageModel('score', stage.attributes as never, file);

    // Assert
    expect(steps[0]!.state.Parameters).toMatchObject({ ModelName: 'lakepipe-dev-model-score' });
    expect(local).toThrow(ModelFileError);
    expect(local).toThrow(
      `model "s3://my-models/pumps/model.tar.gz" of stage score (${file}:${lineOf(file, 'model:')}) is in S3: the local twin scores with a local file`,
    );
  });
});

describe('a multi-class model', () => {
  /** the repo's 7 bench features, scored by the 3-class fixture */
  function benchFolder(stage: string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'multi-model-'));
    const features = [
      'duration_s',
      'temperature_c',
      'voltage_v',
      'current_a',
      'vibration_mm_s',
      'pressure_kpa',
      'error_count',
    ];
    const file = path.join(dir, 'pipeline.yaml');
    writeFileSync(
      file,
      [
        'name: bench',
        'datasets:',
        '  bench_tests:',
        '    source: { type: s3, prefix: landing/bench_tests/ }',
        '    columns:',
        '      test_id: { type: string, unique: true }',
        ...features.map((f) => `      ${f}: { type: double }`),
        `    features: [${features.join(', ')}]`,
        'stages:',
        '  score:',
        '    type: sagemaker-scoring',
        '    dataset: bench_tests',
        '    instance: { type: ml.m5.xlarge, count: 1 }',
        `    model: ${multiFixture}`,
        ...stage.split('\n').map((line) => `    ${line}`),
        'flow: [score]',
        '',
      ].join('\n'),
    );
    return file;
  }

  it('keeps every class column in the transform and counts flagged rows on the named class', () => {
    // Arrange
    const pipeline = load(benchFolder('classNames: [ok, warn, fail]\nflagClass: fail\nthreshold: 0.4'));

    // Act
    const steps = sagemakerScoringStageType.compile({
      stageId: 'score',
      attributes: pipeline.stages.score!.attributes as never,
      datasets: pipeline.datasets,
      pipelineName: pipeline.name,
      target,
      pipeline,
    });

    // Assert: id, 7 features, 3 classes joined; keep the id and columns 8 on
    expect(steps[0]!.state.Parameters).toMatchObject({
      ModelName: 'lakepipe-dev-model-score',
      DataProcessing: { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,8:]' },
    });
    expect(steps[1]!.state.Parameters).toMatchObject({
      Payload: { dataset: 'bench_tests', threshold: 0.4, flagColumn: 3 },
    });
    expect(pipeline.contracts?.bench_tests?.scored).toEqual({
      columns: [
        { name: 'test_id', type: 'string' },
        { name: 'score_ok', type: 'double' },
        { name: 'score_warn', type: 'double' },
        { name: 'score_fail', type: 'double' },
      ],
      threshold: 0.4,
      classes: 3,
      flagColumn: 'score_fail',
    });
  });

  it('flags on a class given by its index, with score_<k> columns', () => {
    // Act
    const scored = load(benchFolder('flagClass: 2')).contracts?.bench_tests?.scored;

    // Assert
    expect(scored?.columns.map((c) => c.name)).toEqual(['test_id', 'score_0', 'score_1', 'score_2']);
    expect(scored?.flagColumn).toBe('score_2');
  });

  it('fails validate for a class the model does not have, and for a class name not in classNames', () => {
    // Act
    const byIndex = problemsOf(benchFolder('flagClass: 3'));
    const byName = problemsOf(benchFolder('classNames: [ok, warn, fail]\nflagClass: broken'));
    const count = problemsOf(benchFolder('classNames: [ok, fail]'));

    // Assert
    expect(byIndex.map((p) => [p.path, p.message])).toEqual([
      [
        'stages.score.flagClass',
        `is class 3; model ${JSON.stringify(multiFixture)} (multi:softprob) has classes 0 to 2`,
      ],
    ]);
    expect(byName[0]!.message).toBe('names class "broken", which is not one of classNames (ok, warn, fail)');
    expect(count[0]!.message).toContain('names 2 classes;');
  });
});
