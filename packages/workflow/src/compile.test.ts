import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import validateAsl from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { type AslState, compilePipeline } from './compile';
import { loadPipeline, parsePipeline } from './parse';
import { createStageRegistry } from './registry';
import { fakeStageType, serviceStandIns, testTarget } from './test-fixtures/stage-types';

const fixtures = path.join(import.meta.dirname, 'test-fixtures');
const registry = createStageRegistry([fakeStageType, ...serviceStandIns]);
const compileText = (text: string) =>
  compilePipeline(parsePipeline(text, { registry }), registry, testTarget);

function allStateNames(states: Record<string, AslState>, into: string[] = []): string[] {
  for (const [name, state] of Object.entries(states)) {
    into.push(name);
    for (const branch of (state.Branches as { States: Record<string, AslState> }[] | undefined) ?? [])
      allStateNames(branch.States, into);
  }
  return into;
}

describe('compilePipeline', () => {
  it('compiles a one-stage pipeline to exactly the reviewed ASL', () => {
    // Arrange
    const text = readFileSync(path.join(fixtures, 'tiny.yaml'), 'utf8');
    const expected = JSON.parse(readFileSync(path.join(fixtures, 'tiny.asl.json'), 'utf8'));

    // Act
    const { definition } = compileText(text);

    // Assert
    expect(JSON.parse(JSON.stringify(definition))).toEqual(expected);
  });

  it('compiles a choice to the exact Choice state with And, Not and string rules', () => {
    // Arrange
    const text = `
name: pick
stages:
  etl: { type: fake }
  a: { type: fake }
  b: { type: fake }
flow:
  - etl
  - choice:
      - when: "$.etl.ratio >= 0.5 and not ($.etl.mode == 'full' or 3 < $.etl.rows)"
        then: [a]
      - when: "$.etl.ok != true"
        then: [b]
`;

    // Act
    const { definition } = compileText(text);

    // Assert
    expect(definition.States['choice 1']).toEqual({
      Type: 'Choice',
      Comment:
        "when $.etl.ratio >= 0.5 and not ($.etl.mode == 'full' or 3 < $.etl.rows); when $.etl.ok != true",
      Choices: [
        {
          And: [
            { Variable: '$.etl.ratio', NumericGreaterThanEquals: 0.5 },
            {
              Not: {
                Or: [
                  { Variable: '$.etl.mode', StringEquals: 'full' },
                  { Variable: '$.etl.rows', NumericGreaterThan: 3 },
                ],
              },
            },
          ],
          // a stage is entered through its redrive guard (a redrive skips a stage that succeeded)
          Next: 'a: redriven?',
        },
        { Not: { Variable: '$.etl.ok', BooleanEquals: true }, Next: 'b: redriven?' },
      ],
      Default: 'Run succeeded',
    });
  });

  it('merges parallel branch outputs back into one state and sends a branch failure to one decoder', () => {
    // Arrange
    const text = readFileSync(path.join(import.meta.dirname, '..', 'examples', 'parallel.yaml'), 'utf8');

    // Act
    const { definition } = compileText(text);

    // Assert
    const parallel = definition.States['parallel 1']!;
    expect(parallel.ResultSelector).toEqual({ 'state.$': 'States.JsonMerge($[0], $[1], false)' });
    expect(parallel.OutputPath).toBe('$.state');
    expect(parallel.Next).toBe('views: redriven?');
    expect(parallel.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'parallel 1 failed' },
    ]);
    expect(definition.States['parallel 1 failed']!.Next).toBe('Notify failure');
  });

  it('gives a stage used in several branches unique state names and bindings', () => {
    // Arrange
    const text = readFileSync(path.join(fixtures, '..', '..', '..', '..', 'pipeline.yaml'), 'utf8');

    // Act
    const { definition, bindings } = compileText(text);

    // Assert
    const names = allStateNames(definition.States);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['score', 'score #2', 'score.invoke', 'score #2.invoke']));
    expect(bindings['score #2.invoke']).toEqual({
      kind: 'stage-step',
      stageId: 'score',
      stageType: 'sagemaker-scoring',
      stepKey: 'invoke',
    });
  });

  it('compiles maxAttempts 0 to no Retry and overrides the defaults per stage', () => {
    // Arrange
    const text = readFileSync(path.join(import.meta.dirname, '..', 'examples', 'retry.yaml'), 'utf8');

    // Act
    const { definition } = compileText(text);

    // Assert
    expect(definition.States.etl!.Retry).toBeUndefined();
    expect((definition.States.download!.Retry as unknown[])[1]).toEqual({
      ErrorEquals: ['States.ALL'],
      IntervalSeconds: 60,
      MaxAttempts: 5,
      BackoffRate: 2,
    });
    const inner = (definition.States.download!.Branches as { States: Record<string, AslState> }[])[0]!.States;
    expect(inner['download.invoke']!.TimeoutSeconds).toBe(600);
  });

  it('adds a stage type non-retryable errors to the built-in list', () => {
    // Arrange
    const text = readFileSync(path.join(fixtures, '..', '..', '..', '..', 'pipeline.yaml'), 'utf8');

    // Act
    const { definition } = compileText(text);

    // Assert
    const [noRetry] = definition.States.etl!.Retry as { ErrorEquals: string[]; MaxAttempts: number }[];
    expect(noRetry!.MaxAttempts).toBe(0);
    expect(noRetry!.ErrorEquals).toEqual(
      expect.arrayContaining(['States.Runtime', 'RejectRatioExceededError']),
    );
  });

  it('is deterministic: the same model compiles to the same JSON text', () => {
    // Arrange
    const model = loadPipeline(path.join(fixtures, '..', '..', '..', '..', 'pipeline.yaml'), registry);

    // Act
    const first = JSON.stringify(compilePipeline(model, registry, testTarget).definition);
    const second = JSON.stringify(compilePipeline(model, registry, testTarget).definition);

    // Assert
    expect(first).toBe(second);
  });
});

describe('every example and the repository pipeline.yaml', () => {
  const examples = path.join(import.meta.dirname, '..', 'examples');
  const files = [
    ...readdirSync(examples).map((f) => path.join(examples, f)),
    path.join(import.meta.dirname, '..', '..', '..', 'pipeline.yaml'),
  ];

  it.each(files.map((f) => [path.relative(process.cwd(), f), f]))(
    '%s compiles to ASL that asl-validator accepts',
    (_, file) => {
      // Arrange
      const model = loadPipeline(file!, registry);

      // Act
      const { definition } = compilePipeline(model, registry, testTarget);
      const result = validateAsl(definition as never);

      // Assert
      expect(result.errorsText('\n')).toBe('');
      expect(result.isValid).toBe(true);
    },
  );
});
