export * from './orchestration-stack';
