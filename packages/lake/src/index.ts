export * from './errors';
export * from './folder-object-store';
export * from './hashing';
export * from './manifest';
export * from './names';
export * from './object-store';
export * from './prefixes';
export * from './run-id';
// S3ObjectStore is at '@lakepipe/lake/s3': importing the lake's names, prefixes or manifests
// (synth, validate, the twin) does not load the S3 client and lib-storage.
