export * from './rng';
export * from './random';
export * from './pct';
export * from './pct-bound';
export * from './engine';
export * from './enumerate';
export * from './exhaustive';
