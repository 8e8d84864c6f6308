export * from './errors';
export * from './estimate';
export * from './formulas';
export * from './price-book';
export * from './render';
export * from './report';
