export * from './verdict';
export * from './contracts';
export * from './classify';
export * from './comparator';
export * from './invariants';
export * from './livelock';
