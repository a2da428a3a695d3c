export * from './types';
export * from './builtin';
