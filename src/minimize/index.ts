export * from './minimize';
export * from './schedule';
export { lighter, preferredWitness, rankOf } from './order';
export type { Rank } from './order';
export * from './program';
