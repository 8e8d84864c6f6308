import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scoreCommand } from './score';

const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const scoringRoot = path.join(workspace, 'services/sagemaker-scoring');
const models = {
  'binary:logistic': path.join(scoringRoot, 'model'),
  'reg:squarederror': path.join(scoringRoot, 'src/test-fixtures/reg-squarederror'),
  'reg:logistic': path.join(scoringRoot, 'src/test-fixtures/reg-logistic'),
  'multi:softprob': path.join(scoringRoot, 'src/test-fixtures/multi-softprob'),
};

/** reference.csv (header, id, features, predictions) -> a features file and XGBoost's predictions. */
function splitReference(dir: string, outputs: number, into: string) {
  const [, ...lines] = readFileSync(path.join(dir, 'reference.csv'), 'utf8').trimEnd().split('\n');
  const features = lines.map((l) => l.split(',').slice(0, -outputs).join(','));
  const expected = lines.map((l) => l.split(',').slice(-outputs).map(Number));
  const input = path.join(into, 'features.csv');
  writeFileSync(input, `${features.join('\n')}\n`);
  return { input, expected, ids: features.map((f) => f.split(',')[0]) };
}

const quiet = { write: () => true };

describe('lakepipe score', () => {
  it('scores with a UBJSON model exactly as with the same model in JSON (a pipeline model: file)', async () => {
    // Arrange
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'score-ubj-'));
    const fixture = path.join(scoringRoot, 'test-fixtures/three-features');
    const input = path.join(tmp, 'features.csv');
    writeFileSync(input, 'P-1,90,100,3500\nP-2,50,100,1000\nP-3,70,160,\n');

    // Act
    const statuses = [
      await scoreCommand(
        { model: path.join(fixture, 'model.ubj'), input, output: path.join(tmp, 'ubj.csv') },
        quiet,
      ),
      await scoreCommand(
        { model: path.join(fixture, 'model.json'), input, output: path.join(tmp, 'json.csv') },
        quiet,
      ),
    ];

    // Assert
    expect(statuses).toEqual([0, 0]);
    const ubj = readFileSync(path.join(tmp, 'ubj.csv'), 'utf8');
    expect(ubj).toBe(readFileSync(path.join(tmp, 'json.csv'), 'utf8'));
    expect(ubj.split('\n').map((l) => l.split(',')[0])).toEqual(['P-1', 'P-2', 'P-3', '']);
  });

  for (const [objective, dir] of Object.entries(models)) {
    it(`reproduces XGBoost's predictions within 1e-6 for ${objective}`, async () => {
      // Arrange
      const tmp = mkdtempSync(path.join(os.tmpdir(), 'score-'));
      const outputs = objective === 'multi:softprob' ? 3 : 1;
      const { input, expected, ids } = splitReference(dir, outputs, tmp);
      const output = path.join(tmp, 'scored.csv');

      // Act
      const status = await scoreCommand(
        { model: path.join(dir, 'xgboost-model.json'), input, output },
        quiet,
      );

      // Assert
      expect(status).toBe(0);
      const rows = readFileSync(output, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => l.split(','));
      expect(rows.map((r) => r[0])).toEqual(ids);
      let worst = 0;
      rows.forEach((r, i) => {
        expect(r).toHaveLength(1 + outputs);
        r.slice(1).forEach((v, k) => {
          worst = Math.max(worst, Math.abs(Number(v) - expected[i]![k]!));
        });
      });
      expect(worst).toBeLessThanOrEqual(1e-6);
    });
  }

  it('writes rejected rows with file:line and exits 1 instead of scoring them', async () => {
    // Arrange
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'score-'));
    const input = path.join(tmp, 'features.csv');
    writeFileSync(input, 'T-1,60,41,24,3.9,2.5,101,0\nT-2,60,41,24,3.9\nT-3,60,warm,24,3.9,2.5,101,0\n');
    const output = path.join(tmp, 'scored.csv');
    const messages: string[] = [];

    // Act
    const status = await scoreCommand(
      { model: path.join(models['binary:logistic'], 'xgboost-model.json'), input, output, threshold: '0.9' },
      { write: (t: string) => messages.push(t) },
    );

    // Assert
    expect(status).toBe(1);
    expect(readFileSync(output, 'utf8')).toMatch(/^T-1,[0-9.e-]+\n$/);
    const rejected = readFileSync(`${output}.rejected.csv`, 'utf8').trimEnd().split('\n');
    expect(rejected.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      `${input},2,,column_count`,
      `${input},3,3,number`,
    ]);
    expect(messages[1]).toBe(
      `2 row(s) rejected -> ${output}.rejected.csv; first: ${input}:2: has 5 columns; expected 8 (the id and 7 features)\n`,
    );
  });

  it('scores a file larger than it reads whole in chunks, with the same lines, counts and rejected lines', async () => {
    // Arrange: the reference rows 40 times over, with bad lines among them, in chunks of ~4 KB
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'score-'));
    const { input: reference } = splitReference(models['binary:logistic'], 1, tmp);
    const rows = readFileSync(reference, 'utf8').trimEnd().split('\n');
    const lines: string[] = [];
    for (let copy = 0; copy < 40; copy++)
      for (const [i, row] of rows.entries()) lines.push(i % 97 === 3 ? `${row},extra` : row);
    const input = path.join(tmp, 'big.csv');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const model = path.join(models['binary:logistic'], 'xgboost-model.json');
    const [whole, chunked] = [path.join(tmp, 'whole.csv'), path.join(tmp, 'chunked.csv')];
    const [wholeLog, chunkedLog]: string[][] = [[], []];

    // Act
    const wholeStatus = await scoreCommand(
      { model, input, output: whole },
      { write: (t: string) => wholeLog.push(t) },
    );
    const chunkedStatus = await scoreCommand(
      { model, input, output: chunked },
      { write: (t: string) => chunkedLog.push(t) },
      { singleReadBytes: 1024, chunkBytes: 4096 },
    );

    // Assert
    expect([wholeStatus, chunkedStatus]).toEqual([1, 1]);
    expect(readFileSync(chunked).equals(readFileSync(whole))).toBe(true);
    expect(existsSync(`${chunked}.lakepipe-partial`)).toBe(false);
    expect(readFileSync(`${chunked}.rejected.csv`, 'utf8')).toBe(
      readFileSync(`${whole}.rejected.csv`, 'utf8'),
    );
    expect(chunkedLog[0]!.replace(/ in [0-9.]+ s/, '').replace(chunked, whole)).toBe(
      wholeLog[0]!.replace(/ in [0-9.]+ s/, ''),
    );
    expect(readFileSync(input).length).toBeGreaterThan(10 * 4096); // ten chunks and more
  });

  it('names the model file and field when the model is not supported', async () => {
    // Arrange
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'score-'));
    const input = path.join(tmp, 'features.csv');
    writeFileSync(input, 'T-1,1\n');
    const model = path.join(scoringRoot, 'src/test-fixtures/gblinear/xgboost-model.json');

    // Act
    const failure = scoreCommand({ model, input, output: path.join(tmp, 'o.csv') }, quiet);

    // Assert
    await expect(failure).rejects.toThrow(
      `${model}: learner.gradient_booster.name is "gblinear"; only gbtree boosters are supported (not gblinear or dart)`,
    );
  });

  it('rejects a threshold that is not a number', async () => {
    // Act
    const failure = scoreCommand(
      { model: 'm.json', input: 'i.csv', output: 'o.csv', threshold: 'high' },
      quiet,
    );

    // Assert
    await expect(failure).rejects.toThrow('--threshold "high" is not valid: use a number, e.g. 0.5');
  });

  it('runs as `lakepipe score` from the command line', () => {
    // Arrange
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'score-'));
    const { input, expected } = splitReference(models['reg:squarederror'], 1, tmp);
    const output = path.join(tmp, 'scored.csv');

    // Act
    const run = spawnSync(
      process.execPath,
      [
        path.join(workspace, 'node_modules/tsx/dist/cli.mjs'),
        path.join(workspace, 'tools/cli/src/bin.ts'),
        'score',
        '--model',
        path.join(models['reg:squarederror'], 'xgboost-model.json'),
        '--input',
        input,
        '--output',
        output,
        '--threshold',
        '25',
      ],
      { encoding: 'utf8' },
    );

    // Assert
    const first = readFileSync(output, 'utf8').split('\n')[0]!.split(',');
    expect(Math.abs(Number(first[1]) - expected[0]![0]!)).toBeLessThanOrEqual(1e-6);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(
      /^scored 500 rows with .* \(reg:squarederror\) -> .*scored\.csv in [\d.]+ s; \d+ flagged at score >= 25\n$/,
    );
  });

  it('names a missing model or input file in plain words, from the command line too', async () => {
    // Act
    const direct = scoreCommand({ model: 'missing.json', input: 'i.csv', output: 'o.csv' }, quiet);
    const run = spawnSync(
      process.execPath,
      [
        path.join(workspace, 'tools/cli/bin/lakepipe.js'),
        'score',
        '--model',
        'missing.json',
        '--input',
        'i.csv',
        '--output',
        'o.csv',
      ],
      { encoding: 'utf8', cwd: os.tmpdir() },
    );

    // Assert
    await expect(direct).rejects.toThrow(/^--model missing\.json: there is no such file \(looked in /);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^lakepipe: --model missing\.json: there is no such file \(looked in .*\)\n$/);
    expect(run.stderr).not.toMatch(/ENOENT/);
  });
});
