export * from './ops';
export * from './pae-ops';
export * from './gup-fast';
export * from './fault';
export * from './zap';
export * from './arm64-ops';
export * from './mmu';
export * from './file';
