import { describe, expect, it } from 'vitest';
import { formatRows, queryCommand } from './query';

const result = {
  columns: [{ name: 'test_id' }, { name: 'tests' }, { name: 'score' }, { name: 'flagged' }, { name: 'note' }],
  rows: [
    ['T-000000002', 12345, 0.9, true, 'says "hi", twice'],
    ['T-000000004', 1, null, null, 'a very long note that goes on and on'],
  ],
};

describe('lakepipe query output', () => {
  it('prints an aligned table with numbers right-aligned, NULL for nulls and long values cut', () => {
    // Act
    const text = formatRows(result, 'table', 12);
    // Assert
    expect(text.split('\n')).toEqual([
      'test_id       tests  score  flagged  note',
      '───────────  ──────  ─────  ───────  ────────────',
      'T-000000002  12,345    0.9  true     says "hi", …',
      'T-000000004       1   NULL  NULL     a very long…',
      '(2 rows)',
      '',
    ]);
  });

  it('prints RFC 4180 CSV with a header and empty fields for nulls', () => {
    expect(formatRows(result, 'csv')).toBe(
      'test_id,tests,score,flagged,note\nT-000000002,12345,0.9,true,"says ""hi"", twice"\nT-000000004,1,,,a very long note that goes on and on\n',
    );
  });

  it('prints JSON objects keyed by column', () => {
    expect(JSON.parse(formatRows(result, 'json'))).toEqual([
      { test_id: 'T-000000002', tests: 12345, score: 0.9, flagged: true, note: 'says "hi", twice' },
      {
        test_id: 'T-000000004',
        tests: 1,
        score: null,
        flagged: null,
        note: 'a very long note that goes on and on',
      },
    ]);
  });

  it('rejects an unknown --format before touching the lake', async () => {
    await expect(
      queryCommand('SELECT 1', { format: 'xml', lake: '.lake', config: 'pipeline.yaml', env: 'dev' }),
    ).rejects.toThrow('--format "xml" is not valid: use one of table, csv, json');
  });
});
