import { builtinOperations, builtinReaders } from '../../kernel';
import { loadScn } from '../lower';
import type { Scenario } from '../types';
import { S1_SCN } from './s1-pae-double-refault';
import { S2_NOWMB_SCN, S2_SAMELOW_SCN, S2_SCN } from './s2-pae-zap-reestablish';

export { S1_C, S1_D, S1_INITIAL, S1_SCN } from './s1-pae-double-refault';
export { S2_INITIAL, S2_NEW, S2_NOWMB_SCN, S2_SAMELOW, S2_SAMELOW_SCN, S2_SCN } from './s2-pae-zap-reestablish';
export { paeMemory } from './pae-common';

/** The `.scn` texts of the built-in scenarios, named with their DOMAIN §C number first. */
export const BUILTIN_TEXTS: readonly string[] = [S1_SCN, S2_SCN, S2_NOWMB_SCN, S2_SAMELOW_SCN];

function lowerBuiltin(text: string, i: number): Scenario {
  const l = loadScn(text, `builtin#${i}`, { readers: builtinReaders(), operations: builtinOperations() });
  if (l.kind !== 'kernel') throw new Error(`[ptefuzz internal bug] built-in scenario #${i} is not a kernel scenario`);
  return l.scenario;
}

/** Built-in scenarios, lowered from their `.scn` texts. */
export const BUILTIN_SCENARIOS: readonly Scenario[] = BUILTIN_TEXTS.map(lowerBuiltin);

export function builtinScenario(name: string): Scenario | undefined {
  return BUILTIN_SCENARIOS.find((s) => s.name === name);
}
