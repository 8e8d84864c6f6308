// The runtime API; stacks are at @lakepipe/view/infra, the stage type alone at @lakepipe/view/stage-type.
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
