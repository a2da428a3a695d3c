export * from './format';
export * from './fingerprint';
export * from './store';
export * from './corpus-file';
export * from './merge';
