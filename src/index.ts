/**
 * ptefuzz public API: what the CLI, the jsfuzz harness targets and user
 * reader modules import.
 */
export * as machine from './machine';
export * as kernel from './kernel';
export * as reference from './reference';
export * as compare from './compare';
export * as engines from './engines';
export * as minimize from './minimize';
export * as crash from './crash';
export * as scenario from './scenario';
export * as campaign from './campaign';
export * as report from './report';
export { TOOL_VERSION } from './version';
