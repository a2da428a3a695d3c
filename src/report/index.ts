export * from './columns';
export * from './layout';
export * from './event-text';
export * from './op-text';
export * from './diagram';
export * from './value-text';
export * from './verdict-report';
export * from './html';
