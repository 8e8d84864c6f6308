// The runtime API; stacks are at @lakepipe/sourcing/infra, the stage type alone at @lakepipe/sourcing/stage-type.
export * from './errors';
export * from './event';
export * from './http';
export * from './ingest';
export * from './inspect';
export * from './stage-type';
