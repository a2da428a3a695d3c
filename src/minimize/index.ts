export * from './minimize';
export { lighter, rankOf } from './order';
export type { Rank } from './order';
