import { describe, expect, it } from 'vitest';
import { UnknownEtlEngineError } from '../errors';
import { selectedEtlEngine } from './run-etl-engine';

describe('the ETL engine of the twin', () => {
  it('is DuckDB unless lakepipe run --etl-engine chose Spark, and names an unknown engine', () => {
    // Act and Assert
    expect(selectedEtlEngine({})).toBe('duckdb');
    expect(selectedEtlEngine({ LAKEPIPE_ETL_ENGINE: 'spark' })).toBe('spark');
    expect(() => selectedEtlEngine({ LAKEPIPE_ETL_ENGINE: 'flink' })).toThrow(UnknownEtlEngineError);
    expect(() => selectedEtlEngine({ LAKEPIPE_ETL_ENGINE: 'flink' })).toThrow(
      '--etl-engine "flink" is not an ETL engine: use duckdb or spark',
    );
  });
});
