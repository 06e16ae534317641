export * from './finding';
export * from './format';
export * from './run-checks';
export * from './schema-bundle';
export * from './schema-validator';
export * from './staleness';
export * from './output-objects';
