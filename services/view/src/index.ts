export * from './athena/ddl';
export * from './catalog';
export * from './errors';
export * from './sql/dialect';
export * from './sql/validate';
export * from './tables';
