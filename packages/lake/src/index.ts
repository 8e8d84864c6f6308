export * from './errors';
export * from './names';
export * from './object-store';
export * from './prefixes';
export * from './run-id';
