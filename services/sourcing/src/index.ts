export { SourcingStack, type SourcingStackProps } from '../infra/sourcing-stack';
export * from './errors';
export * from './event';
export * from './http';
export * from './ingest';
export * from './inspect';
export * from './stage-type';
