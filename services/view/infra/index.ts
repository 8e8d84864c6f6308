export * from './view-catalog-stack';
export * from './view-stack';
