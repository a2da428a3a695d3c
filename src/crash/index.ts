export * from './format';
export * from './fingerprint';
export * from './store';
export * from './corpus-store';
export * from './merge';
export * from './shell-quote';
export * from './regular-file';
