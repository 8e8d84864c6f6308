// The runtime API; stacks are at @lakepipe/spark-etl/infra, the stage type alone at @lakepipe/spark-etl/stage-type.
export * from './errors';
export * from './local/run-local-etl';
export * from './manifest';
export * from './spec/compile';
export * from './spec/dialect';
export * from './spec/expression';
export * from './spec/model';
export * from './spec/positions';
export * from './spec/types';
export * from './stage-type';
