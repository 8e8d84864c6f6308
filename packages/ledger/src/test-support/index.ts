export * from './ledger-seeder';
