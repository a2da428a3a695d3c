import { builtinOperations, builtinReaders } from '../../kernel';
import { loadScn } from '../lower';
import type { Scenario, SettingsByName } from '../types';
import { S1_SCN } from './s1-pae-double-refault';
import { S2_NOWMB_SCN, S2_SAMELOW_SCN, S2_SCN } from './s2-pae-zap-reestablish';
import {
  S1G_BROADCAST_FORCEFLUSH_SCN,
  S1G_BROADCAST_SCN,
  S1G_IPI_FORCEFLUSH_SCN,
  S1G_IPI_SCN,
  S1G_SETTINGS,
} from './s1-pae-gup-fast';
import { s3PaeFaultGarbage } from './s3-pae-fault-garbage';
import { S4_LOCKLESS_SCN, S4_PLAIN_SCN, S4_PTEP_GET_SCN, S4_SETTINGS } from './s4-pae-gup-fast-recheck';
import { s7Arm64FaultNorecency, s7Arm64FaultPteSame } from './s7-arm64-fault-norecency';
import { S10_FREE_BEFORE_FLUSH_SCN, S10_SCN, S10_SETTINGS } from './s10-pae-dontneed-refault';
import { s11PaeFileZapDelayedRmap, s11PaeFileZapEarlyRmap } from './s11-pae-file-zap-rmap';
import { s12Arm64KhugepagedGupFast, s12Arm64KhugepagedGupFastIpi } from './s12-arm64-khugepaged-gup-fast';
import { S5_16_SCN, S5_SCN, S6_KVM_SCN, S6_SCN } from './s5-s6-contpte-gather';
import { s8ContpteSetAccessFlags, s8ContpteSetAccessFlagsFixed } from './s8-contpte-set-access-flags';
import { S9_BBML2_SCN, S9_SCN } from './s9-contpte-fold-unfold';
import { extSwBitsZapRefault } from './ext-sw-bits';

export { S1_C, S1_D, S1_INITIAL, S1_SCN } from './s1-pae-double-refault';
export { S2_INITIAL, S2_NEW, S2_NOWMB_SCN, S2_SAMELOW, S2_SAMELOW_SCN, S2_SCN } from './s2-pae-zap-reestablish';
export {
  S1G_BROADCAST_FORCEFLUSH_SCN,
  S1G_BROADCAST_SCN,
  S1G_IPI_FORCEFLUSH_SCN,
  S1G_IPI_SCN,
} from './s1-pae-gup-fast';
export { S4_LOCKLESS_SCN, S4_PLAIN_SCN, S4_PTEP_GET_SCN } from './s4-pae-gup-fast-recheck';
export { S5_16_SCN, S5_SCN, S6_KVM_SCN, S6_SCN } from './s5-s6-contpte-gather';
export { S9_BBML2_SCN, S9_SCN } from './s9-contpte-fold-unfold';
export { S10_FREE_BEFORE_FLUSH_SCN, S10_SCN } from './s10-pae-dontneed-refault';
export { paeMemory } from './pae-common';

/**
 * The built-in scenarios in list order (the order `ptefuzz list` shows and a
 * campaign's round-robin runs them in), named with their DOMAIN §C number
 * first: a string is a `.scn` text (DOMAIN §C S1, S2 and its variants, S1 inside
 * GUP-fast, S4, S5, S6, S9, S10), lowered below; the other consumer and arm64 scenarios are still
 * TypeScript (each with a `.scn` twin in the corpus).
 */
const BUILTINS: readonly (string | Scenario)[] = [
  S1_SCN,
  S2_SCN,
  S2_NOWMB_SCN,
  S2_SAMELOW_SCN,
  S1G_BROADCAST_SCN,
  S1G_BROADCAST_FORCEFLUSH_SCN,
  S1G_IPI_SCN,
  S1G_IPI_FORCEFLUSH_SCN,
  s3PaeFaultGarbage,
  S4_PLAIN_SCN,
  S4_PTEP_GET_SCN,
  S4_LOCKLESS_SCN,
  s7Arm64FaultNorecency,
  s7Arm64FaultPteSame,
  S5_SCN,
  S5_16_SCN,
  S6_SCN,
  S6_KVM_SCN,
  s8ContpteSetAccessFlags,
  s8ContpteSetAccessFlagsFixed,
  S9_SCN,
  S9_BBML2_SCN,
  extSwBitsZapRefault,
  S10_SCN,
  S10_FREE_BEFORE_FLUSH_SCN,
  s11PaeFileZapEarlyRmap,
  s11PaeFileZapDelayedRmap,
  s12Arm64KhugepagedGupFast,
  s12Arm64KhugepagedGupFastIpi,
];

/** The `.scn` texts of the built-in scenarios written in the scenario language, in list order. */
export const BUILTIN_TEXTS: readonly string[] = BUILTINS.filter((b): b is string => typeof b === 'string');

/** The list metadata the language has no statement for (S1 inside GUP-fast, S4, S10: flush, zap, recheck). */
const SETTINGS: SettingsByName = {
  ...S1G_SETTINGS,
  ...S4_SETTINGS,
  ...S10_SETTINGS,
};

function lowerBuiltin(text: string, i: number): Scenario {
  const l = loadScn(text, `builtin#${i}`, { readers: builtinReaders(), operations: builtinOperations() });
  if (l.kind !== 'kernel') throw new Error(`[ptefuzz internal bug] built-in scenario #${i} is not a kernel scenario`);
  const settings = SETTINGS[l.scenario.name];
  return settings === undefined ? l.scenario : { ...l.scenario, settings };
}

/** Built-in scenarios, in list order: the `.scn` texts lowered, the TypeScript ones as they are. */
export const BUILTIN_SCENARIOS: readonly Scenario[] = BUILTINS.map((b) =>
  typeof b === 'string' ? lowerBuiltin(b, BUILTIN_TEXTS.indexOf(b)) : b,
);

export function builtinScenario(name: string): Scenario | undefined {
  return BUILTIN_SCENARIOS.find((s) => s.name === name);
}
