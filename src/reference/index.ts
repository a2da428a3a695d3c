export * from './history';
export * from './window';
export * from './pages';
export * from './serial';
export * from './bbm';
export * from './contiguous';
export * from './decided';
export * from './contract';
