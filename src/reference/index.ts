export * from './history';
export * from './window';
export * from './pages';
export * from './serial';
