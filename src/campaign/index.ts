export * from './target';
export * from './stats';
export * from './campaign';
export * from './select';
export * from './replay';
export * from './crash-record';
export * from './signature';
export * from './harness';
