export * from './ledger-api-stack';
