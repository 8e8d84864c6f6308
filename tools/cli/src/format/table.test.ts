import { describe, expect, it } from 'vitest';
import { formatDuration, renderTable } from './table';

describe('renderTable', () => {
  it('aligns text left and numbers right under a rule', () => {
    const text = renderTable(
      ['stage', 'rows'],
      [
        ['source', 3],
        ['etl', 100_000],
      ],
    );

    expect(text.split('\n')).toEqual([
      'stage      rows',
      '──────  ───────',
      'source        3',
      'etl     100,000',
    ]);
  });

  it('shows null as NULL and cuts long values with an ellipsis', () => {
    const text = renderTable([{ header: 'v', maxWidth: 5 }], [[null], ['abcdefgh']]);

    expect(text.split('\n').slice(2)).toEqual(['NULL', 'abcd…']);
  });
});

describe('formatDuration', () => {
  it('picks a unit a person reads at a glance', () => {
    expect([formatDuration(850), formatDuration(12_340), formatDuration(245_000)]).toEqual([
      '850 ms',
      '12.3 s',
      '4 min 05 s',
    ]);
  });
});
