export * from './model-artifact';
export * from './sagemaker-scoring-stack';
export * from './xgboost-images';
