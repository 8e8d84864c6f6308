import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PipelineValidationError } from './errors';
import { loadPipeline, parsePipeline } from './parse';
import { createStageRegistry } from './registry';
import type { StageType } from './stage-type';
import { fakeStageType, serviceStandIns } from './test-fixtures/stage-types';

const registry = createStageRegistry([fakeStageType, ...serviceStandIns]);

function problemsOf(text: string): string[] {
  try {
    parsePipeline(text, { registry });
  } catch (error) {
    if (error instanceof PipelineValidationError)
      return error.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.path} ${p.message}`);
    throw error;
  }
  throw new Error('expected the pipeline to be rejected');
}

const minimal = (body: string) => `name: t\nstages:\n  a: { type: fake }\nflow: [a]\n${body}`;

describe('parsePipeline', () => {
  it('reads the repository pipeline.yaml into a typed model', () => {
    // Act
    const model = loadPipeline(path.join(import.meta.dirname, '..', '..', '..', 'pipeline.yaml'), registry);

    // Assert
    expect(model.name).toBe('bench-quality');
    expect(model.trigger).toEqual({ schedule: 'cron(0 2 * * ? *)', objectCreated: 'landing/bench_tests/' });
    expect(model.stages.etl).toMatchObject({
      type: 'spark-etl',
      retry: { maxAttempts: 2, intervalSeconds: 10, backoffRate: 2 },
      timeoutSeconds: 1800,
      attributes: { dataset: 'bench_tests', workers: { type: 'G.1X', count: 4 } },
    });
    expect(model.stages.score!.timeoutSeconds).toBe(3600);
    expect(model.flow[2]).toMatchObject({ kind: 'choice', otherwise: [{ kind: 'stage', stageId: 'score' }] });
  });

  it('applies built-in defaults when defaults are left out', () => {
    // Act
    const model = parsePipeline(minimal(''), { registry });

    // Assert
    expect(model.stages.a!.retry).toEqual({ maxAttempts: 2, intervalSeconds: 30, backoffRate: 2 });
    expect(model.stages.a!.timeoutSeconds).toBe(3600);
  });

  it('reports every problem of a broken file at once, each with its line and column', () => {
    // Arrange
    const text = readFileSync(path.join(import.meta.dirname, 'test-fixtures', 'broken.yaml'), 'utf8');

    // Act
    const act = () => parsePipeline(text, { registry });

    // Assert
    expect(act).toThrow(PipelineValidationError);
    expect(act).toThrow(/^pipeline\.yaml has 13 problems:\npipeline\.yaml:1:7: name /);
    expect(problemsOf(text)).toEqual([
      'pipeline.yaml:1:7: name must be 1-48 lower-case letters, digits or -, starting with a letter (got "Bench Quality")',
      'pipeline.yaml:3:25: defaults.retry.maxAttempts must be between 0 and 10 (got 25)',
      'pipeline.yaml:3:29: defaults.retry.intervalSecond is not a known key; did you mean "intervalSeconds"? allowed: maxAttempts, intervalSeconds, backoffRate',
      'pipeline.yaml:5:13: trigger.schedule must be an EventBridge schedule: cron(minutes hours day-of-month month day-of-week year), e.g. cron(0 2 * * ? *), or rate(N minutes|hours|days), e.g. rate(1 day) (got "every day at 2")',
      'pipeline.yaml:6:18: trigger.objectCreated must be a prefix under landing/ ending with /, e.g. landing/bench_tests/ (other prefixes are written by the pipeline itself and would start it again) (got "raw/bench_tests/")',
      'pipeline.yaml:8:16: stages.etl.type unknown stage type "spark-elt"; did you mean "spark-etl"? registered types: fake, notify, sagemaker-scoring, sourcing, spark-etl, view',
      'pipeline.yaml:9:24: stages.score.retires is not a known key; did you mean "retry"? allowed: note, type, retry, timeoutSeconds, comment',
      'pipeline.yaml:10:9: stages.warn.message is missing; it must be a string: the text to publish',
      'pipeline.yaml:11:3: stages.unused is declared but never used in flow; add it to flow or remove it',
      'pipeline.yaml:14:5: flow.1 unknown stage "scroe"; did you mean "score"? stages: etl, score, warn, unused',
      'pipeline.yaml:16:37: flow.2.choice.0.when has an invalid condition: expected a path, number, string or boolean but found ">"',
      'pipeline.yaml:18:16: flow.2.choice.1.when reads $.report.rows but there is no stage "report"; a path is $.<stage>.<field>, stages: etl, score, warn, unused',
      'pipeline.yaml:20:5: flow.3.paralel is not a flow step key; did you mean "parallel"? a flow step is a stage id, { choice: [{ when, then }], otherwise: [...] } or { parallel: [[...], [...]] }',
    ]);
  });

  it('rejects a condition reading a stage that has not run before the choice', () => {
    // Arrange
    const text = `name: t
stages:
  a: { type: fake }
  b: { type: fake }
flow:
  - choice:
      - when: "$.b.rows > 1"
        then: [a]
  - b
`;

    // Act / Assert
    expect(problemsOf(text)).toEqual([
      'pipeline.yaml:7:16: flow.0.choice.0.when reads $.b.rows but stage "b" does not run before this choice on every path; stages that do: (none)',
    ]);
  });

  it('positions the problems a stage type finds in the whole pipeline', () => {
    // Arrange
    const text = `name: t
stages:
  etl:
    type: spark-etl
    dataset: bench_test
    workers: { type: G.1X, count: 2 }
flow: [etl]
`;

    // Act / Assert
    expect(problemsOf(text)).toEqual(['pipeline.yaml:5:14: stages.etl.dataset names no dataset; datasets: ']);
  });

  it('rejects a stage whose retry is negative and a timeout above a day', () => {
    // Arrange
    const text = `name: t
stages:
  a: { type: fake, retry: { maxAttempts: -1, backoffRate: 0.5 }, timeoutSeconds: 100000 }
flow: [a]
`;

    // Act / Assert
    expect(problemsOf(text)).toEqual([
      'pipeline.yaml:3:42: stages.a.retry.maxAttempts must be between 0 and 10 (got -1)',
      'pipeline.yaml:3:59: stages.a.retry.backoffRate must be between 1 and 10 (1 = a fixed interval) (got 0.5)',
      'pipeline.yaml:3:82: stages.a.timeoutSeconds must be between 1 and 86400 seconds (got 100000)',
    ]);
  });

  it('rejects a parallel with one branch and a stage id that is reserved or unsafe', () => {
    // Arrange
    const text = `name: t
stages:
  trigger: { type: fake }
  Etl: { type: fake }
  a: { type: fake }
flow:
  - parallel:
      - [a]
`;

    // Act / Assert
    expect(problemsOf(text)).toEqual([
      'pipeline.yaml:3:3: stages.trigger is reserved by the workflow (reserved: trigger, error); rename the stage',
      'pipeline.yaml:4:3: stages.Etl is not an allowed stage id; use 1-63 characters: a lower-case letter, then a-z, 0-9 or _',
      'pipeline.yaml:8:7: flow.0.parallel must be a list of at least 2 branches, each a list of steps: [[a], [b, c]]',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    // Act / Assert
    expect(problemsOf('name: t\nstages: { a: [\n')).toEqual([
      'pipeline.yaml:3:1:  Flow sequence in block collection must be sufficiently indented and end with a ]',
      'pipeline.yaml:3:1:  Flow map in block collection must be sufficiently indented and end with a }',
    ]);
  });

  it('names the file it was given in every message', () => {
    // Act
    const act = () => parsePipeline('name: t\nstages: {}\n', { registry, file: 'infra/other.yaml' });

    // Assert
    expect(act).toThrow(
      'infra/other.yaml:1:1: is missing flow: the list of steps to run (e.g. flow: [source, etl])',
    );
  });

  it('gives validate the whole pipeline: a view stage naming an undeclared view is reported at its line', () => {
    // Arrange: a type that checks its views against the pipeline's, as the view service's does
    const viewLike: StageType<{ views: string[] }> = {
      ...(fakeStageType as unknown as StageType<{ views: string[] }>),
      type: 'view-like',
      attributes: z.strictObject({ views: z.array(z.string()) }),
      validate: ({ attributes, pipeline }) =>
        attributes.views.flatMap((name, i) =>
          name in (pipeline?.views ?? {})
            ? []
            : [{ path: ['views', i], message: `view "${name}" is not declared` }],
        ),
      local: {},
    };
    const withViews = createStageRegistry([viewLike as StageType]);
    const text =
      'name: t\nviews:\n  daily: { sql: SELECT 1 }\nstages:\n  report:\n    type: view-like\n    views: [daily, no_such_view]\nflow: [report]\n';

    // Act
    const act = () => parsePipeline(text, { registry: withViews });

    // Assert
    expect(act).toThrow('pipeline.yaml:7:20: stages.report.views.1 view "no_such_view" is not declared');
  });

  it('merges what stages publish about a dataset into its contract, and reports a conflict at the stage', () => {
    // Arrange
    const publisher = (threshold: number): StageType<{ note?: string }> => ({
      ...fakeStageType,
      contract: () => [
        { dataset: 'ds', scored: { columns: [{ name: 'id', type: 'string' }], threshold, classes: 1 } },
      ],
    });
    const etlLike: StageType<{ note?: string }> = {
      ...fakeStageType,
      type: 'etl-like',
      contract: () => [{ dataset: 'ds', curated: [{ name: 'd2', type: 'double' }] }],
    };
    const ok = createStageRegistry([publisher(0.4) as StageType, etlLike as StageType]);
    const text = 'name: t\nstages:\n  a: { type: fake }\n  b: { type: etl-like }\nflow: [a, b]\n';

    // Act
    const model = parsePipeline(text, { registry: ok });
    const clash = () =>
      parsePipeline('name: t\nstages:\n  a: { type: fake }\n  b: { type: fake }\nflow: [a, b]\n', {
        registry: createStageRegistry([
          {
            ...publisher(0.4),
            contract: ({ stageId }) => [
              { dataset: 'ds', scored: { columns: [], threshold: stageId === 'a' ? 0.4 : 0.6, classes: 1 } },
            ],
          } as StageType,
        ]),
      });

    // Assert
    expect(model.contracts).toEqual({
      ds: {
        dataset: 'ds',
        scored: { columns: [{ name: 'id', type: 'string' }], threshold: 0.4, classes: 1 },
        curated: [{ name: 'd2', type: 'double' }],
      },
    });
    expect(clash).toThrow(
      'pipeline.yaml:4:3: stages.b publishes scored of dataset ds differently from stage a ({"columns":[],"threshold":0.6,"classes":1} vs {"columns":[],"threshold":0.4,"classes":1}); one dataset has one scored',
    );
  });
});
