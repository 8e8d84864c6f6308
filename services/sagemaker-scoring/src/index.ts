// The runtime API; stacks are at @lakepipe/sagemaker-scoring/infra, the stage type alone at @lakepipe/sagemaker-scoring/stage-type.
export * from './count-scored';
export * from './errors';
export * from './local-transform';
export * from './model-file';
export * from './scorer/index';
export * from './stage-model';
export * from './stage-type';
