export * from './bench-tests';
export * from './errors';
export * from './generate';
export { Prng } from './prng';
