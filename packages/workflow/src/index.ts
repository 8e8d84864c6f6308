export * from './dataset-spec';
export * from './stage-type';
