export * from './minimize';
export * from './schedule';
export { lighter, rankOf } from './order';
export type { Rank } from './order';
export * from './program';
