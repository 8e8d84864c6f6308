export * from './errors';
export * from './local-notifier';
export * from './notification';
export * from './publish-input';
export * from './sns-notifier';
