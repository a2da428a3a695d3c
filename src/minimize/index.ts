export * from './minimize';
