export * from './compile';
export * from './features-csv';
export * from './model';
export * from './score-features';
export * from './scorer';
