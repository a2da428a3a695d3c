export * from './arch';
export * from './spec';
export * from './x86-pae';
export * from './readers/reader';
export * from './readers/x86-pae';
export * from './writers/x86-pae';
export * from './writers/mm-pae';
export * from './registry';
