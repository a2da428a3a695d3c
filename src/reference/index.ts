export * from './history';
export * from './window';
