// Stacks are at @lakepipe/view/infra, so importing the stage type does not load cdktf and esbuild.
export * from './athena/athena-query';
export * from './athena/ddl';
export * from './athena/publish-views';
export * from './catalog';
export * from './errors';
export * from './lambda-event';
export * from './local/local-lake';
export * from './sql/dialect';
export * from './sql/validate';
export * from './stage-type';
export * from './tables';
