export * from './router';
export * from './serve';
