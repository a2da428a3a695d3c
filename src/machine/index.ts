export * from './location';
export * from './choice';
export * from './instructions';
export * from './model';
export * from './execution';
export * from './interpreter';
export * from './pages';
export * from './order';
