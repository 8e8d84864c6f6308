import { describe, expect, it } from 'vitest';
import { InvalidNameError, InvalidRunIdError } from './errors';
import { assertObjectKey, assertSafeName } from './names';
import { lakePrefixes } from './prefixes';
import { assertRunId, newRunId, runIdDate, runIdTime } from './run-id';

describe('names', () => {
  it('rejects a dataset name that walks up with ../', () => {
    // Arrange / Act
    const build = () => lakePrefixes.raw('../etc');

    // Assert
    expect(build).toThrow(InvalidNameError);
    expect(build).toThrow(
      'dataset name "../etc" is not allowed: use 1-63 characters, a lower-case letter first, then lower-case letters, digits or _ (pattern ^[a-z][a-z0-9_]{0,62}$)',
    );
  });

  it('rejects a dataset name with upper case', () => {
    expect(() => assertSafeName('dataset', 'BenchTests')).toThrow('dataset name "BenchTests" is not allowed');
  });

  it('rejects a stage name that could be spliced into SQL', () => {
    expect(() => lakePrefixes.manifest(newRunId(), "etl'; drop table x")).toThrow(
      `stage name "etl'; drop table x" is not allowed`,
    );
  });

  it('rejects malformed object keys with the reason', () => {
    expect(() => assertObjectKey('')).toThrow('object key "" is malformed: it is empty');
    expect(() => assertObjectKey('raw//x')).toThrow(
      'object key "raw//x" is malformed: it has an empty segment (//)',
    );
    expect(() => assertObjectKey('raw/./x')).toThrow('segment "." would leave its prefix');
    expect(assertObjectKey('raw/ds/')).toBe('raw/ds/');
  });
});

describe('run ids', () => {
  it('sort by the time they were minted', () => {
    // Arrange
    const times = ['2026-11-26T06:45:00Z', '2026-11-26T06:45:01Z', '2027-01-01T00:00:00Z'];

    // Act
    const ids = [...times].reverse().map((t) => newRunId(new Date(t)));

    // Assert
    expect([...ids].sort()).toEqual([...ids].reverse());
    expect(ids[2]).toMatch(/^20261126T064500Z-[0-9a-f]{6}$/);
  });

  it('give back their instant and date', () => {
    // Arrange
    const runId = '20261126T234510Z-a1b2c3';

    // Act / Assert
    expect(runIdTime(runId).toISOString()).toBe('2026-11-26T23:45:10.000Z');
    expect(runIdDate(runId)).toBe('2026-11-26');
  });

  it('reject a malformed run id with the expected form', () => {
    expect(() => assertRunId('2026-11-26')).toThrow(InvalidRunIdError);
    expect(() => assertRunId('2026-11-26')).toThrow(
      'run id "2026-11-26" is malformed: expected YYYYMMDDTHHMMSSZ-xxxxxx, e.g. 20261126T064500Z-a1b2c3',
    );
  });
});

describe('lake prefixes', () => {
  it('build every prefix of the lake contract', () => {
    // Arrange
    const runId = '20261126T064500Z-a1b2c3';

    // Act / Assert
    expect(lakePrefixes.landing('bench_tests')).toBe('landing/bench_tests/');
    expect(lakePrefixes.raw('bench_tests', runIdDate(runId), runId)).toBe(
      'raw/bench_tests/dt=2026-11-26/run=20261126T064500Z-a1b2c3/',
    );
    expect(lakePrefixes.rawObject('bench_tests', '2026-11-26', runId, 'a.csv.gz')).toBe(
      'raw/bench_tests/dt=2026-11-26/run=20261126T064500Z-a1b2c3/a.csv.gz',
    );
    expect(lakePrefixes.curated('bench_tests', '2026-11-26')).toBe('curated/bench_tests/dt=2026-11-26/');
    expect(lakePrefixes.rejected('bench_tests', runId)).toBe(
      'rejected/bench_tests/run=20261126T064500Z-a1b2c3/',
    );
    expect(lakePrefixes.features('bench_tests', runId)).toBe(
      'features/bench_tests/run=20261126T064500Z-a1b2c3/',
    );
    expect(lakePrefixes.scored('bench_tests', runId)).toBe('scored/bench_tests/run=20261126T064500Z-a1b2c3/');
    expect(lakePrefixes.quarantineObject('bench_tests', runId, 'binary.xlsx')).toBe(
      'quarantine/bench_tests/run=20261126T064500Z-a1b2c3/binary.xlsx',
    );
    expect(lakePrefixes.manifest(runId, 'etl')).toBe('_manifests/run=20261126T064500Z-a1b2c3/etl.json');
  });

  it('rejects a raw file name with a slash', () => {
    expect(() => lakePrefixes.rawObject('ds', '2026-11-26', '20261126T064500Z-a1b2c3', 'x/y.csv')).toThrow(
      'file name "x/y.csv" must not contain /',
    );
  });
});
