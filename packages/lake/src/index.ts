export * from './errors';
export * from './folder-object-store';
export * from './hashing';
export * from './names';
export * from './object-store';
export * from './prefixes';
export * from './run-id';
export * from './s3-object-store';
