export * from './page';
export type { ReadFrom } from '../reader-loads';
export { focusReaders, readFrom, retryPoints } from '../reader-loads';
