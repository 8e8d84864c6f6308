export * from './bootstrap-stack';
