export * from './sourcing-stack';
