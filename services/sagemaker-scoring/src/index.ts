export * from '../infra/index';
export * from './errors';
export * from './local-transform';
export * from './scorer/index';
export * from './stage-type';
