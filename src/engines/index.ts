export * from './rng';
export * from './random';
export * from './enumerate';
