export * from './compile-target';
export * from './env-config';
export * from './errors';
export * from './lakepipe-stack';
export * from './naming';
export * from './node-function';
export * from './ssm';
export * from './workspace';
