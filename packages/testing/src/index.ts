export * from './clients';
export * from './dynamodb-local';
export * from './errors';
export * from './ledger-table';
export * from './ports';
export * from './s3-server';
