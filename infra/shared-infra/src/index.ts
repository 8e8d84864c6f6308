export * from './hardened-bucket';
export * from './shared-infra-stack';
