export * from './client';
export * from './errors';
export * from './http';
export * from './keys';
export * from './ledger';
export * from './run-items';
export * from './run-recovery';
export * from './types';
