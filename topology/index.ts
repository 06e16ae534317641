export * from './types';
export * from './problems';
export * from './load';
export * from './facts';
