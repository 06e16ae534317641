export * from './model';
export * from './diff';
export * from './guard-rails';
export * from './objects';
export * from './picture';
export * from './report';
export * from './source-locator';
export * from './command';
