export * from './dataset-spec';
export * from './pipeline-model';
export * from './stage-type';
