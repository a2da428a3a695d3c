export * from './format';
export * from './fingerprint';
export * from './store';
