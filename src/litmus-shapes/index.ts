export * from './shape';
export * from './shapes';
export * from './outcomes';
