// The light entry point (@lakepipe/constructs/env): environment config, names and the compile
// target, without cdktf, so the stage registry and the twin load fast. Stacks use the full barrel.
export * from './compile-target';
export * from './env-config';
export * from './errors';
export * from './naming';
export * from './parameters';
export * from './workspace';
