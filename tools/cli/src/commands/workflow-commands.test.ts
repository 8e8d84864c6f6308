import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCommand } from './compile';
import { graphCommand } from './graph';
import { validateCommand } from './validate';

const root = path.resolve(import.meta.dirname, '..', '..', '..', '..');
const pipelineFile = path.join(root, 'pipeline.yaml');
const sink = () => {
  const chunks: string[] = [];
  return { chunks, write: (text: string) => chunks.push(text) };
};

describe('lakepipe validate / compile / graph', () => {
  it('validates the repository pipeline.yaml with every service stage type registered', async () => {
    // Arrange
    const out = sink();

    // Act
    const code = await validateCommand({ config: pipelineFile }, out, sink());

    // Assert
    expect(code).toBe(0);
    expect(out.chunks.join('')).toMatch(/pipeline bench-quality is valid \(6 stages\)/);
  });

  it('prints every problem of a broken pipeline with line and column and exits 1', async () => {
    // Arrange
    const err = sink();
    const broken = path.join(root, 'packages', 'workflow', 'src', 'test-fixtures', 'broken.yaml');

    // Act
    const code = await validateCommand({ config: broken }, sink(), err);

    // Assert
    expect(code).toBe(1);
    expect(err.chunks.join('')).toContain(
      'broken.yaml:14:5: flow.1 unknown stage "scroe"; did you mean "score"?',
    );
  });

  it('reports a view stage naming a view pipeline.yaml does not declare, at its line', async () => {
    // Arrange
    const err = sink();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'validate-'));
    const file = path.join(dir, 'pipeline.yaml');
    const text = readFileSync(pipelineFile, 'utf8').replace(
      'views: [daily_defect_rate]',
      'views: [no_such_view]',
    );
    writeFileSync(file, text);
    const line = text.split('\n').findIndex((l) => l.includes('no_such_view')) + 1;

    // Act
    const code = await validateCommand({ config: file }, sink(), err);

    // Assert
    expect(code).toBe(1);
    expect(err.chunks.join('')).toContain(
      `pipeline.yaml:${line}:33: stages.report.views.0 view "no_such_view" is not declared under views:; views: daily_defect_rate`,
    );
  });

  it('compiles pipeline.yaml for dev into ASL naming the dev ledger table and error topic', async () => {
    // Arrange
    const out = sink();

    // Act
    const code = await compileCommand({ config: pipelineFile, env: 'dev' }, out, sink());

    // Assert
    expect(code).toBe(0);
    const asl = JSON.parse(out.chunks.join(''));
    expect(asl.StartAt).toBe('Run defaults');
    expect(asl.States['Notify failure'].Parameters.TopicArn).toBe(
      'arn:aws:sns:eu-west-1:111111111111:lakepipe-dev-errors',
    );
    expect(asl.States['Start run'].Parameters.TableName).toBe('lakepipe-dev-ledger');
  });

  it('draws the flow as a mermaid flowchart with the choice condition', async () => {
    // Arrange
    const out = sink();

    // Act
    const code = await graphCommand({ config: pipelineFile, format: 'mermaid' }, out, sink());

    // Assert
    expect(code).toBe(0);
    const text = out.chunks.join('');
    expect(text.startsWith('flowchart TD\n')).toBe(true);
    expect(text).toContain('choice1 -->|"when $.etl.rejectedRatio > 0.05 and $.etl.curatedRows > 0"| warn');
    expect(text).toContain('views --> report');
    expect(readFileSync(pipelineFile, 'utf8')).toContain('flow:');
  });
});
