import { builtinOperations, builtinReaders } from '../../kernel';
import { loadScn } from '../lower';
import type { Scenario } from '../types';
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
import {
  s4PaeGupFastRecheckLockless,
  s4PaeGupFastRecheckPlain,
  s4PaeGupFastRecheckPtepGet,
} from './s4-pae-gup-fast-recheck';
import { s7Arm64FaultNorecency, s7Arm64FaultPteSame } from './s7-arm64-fault-norecency';
import { s10PaeDontneedRefault, s10PaeDontneedRefaultFreeBeforeFlush } from './s10-pae-dontneed-refault';
import { s11PaeFileZapDelayedRmap, s11PaeFileZapEarlyRmap } from './s11-pae-file-zap-rmap';
import { s12Arm64KhugepagedGupFast, s12Arm64KhugepagedGupFastIpi } from './s12-arm64-khugepaged-gup-fast';
import {
  s5ContpteUnfoldGather,
  s5ContpteUnfoldGather16,
  s6ContpteRemapFalseDirty,
  s6KvmDirtyCheck,
} from './s5-s6-contpte-gather';
import { s8ContpteSetAccessFlags, s8ContpteSetAccessFlagsFixed } from './s8-contpte-set-access-flags';
import { s9ContpteFoldUnfold, s9ContpteFoldUnfoldBbml2 } from './s9-contpte-fold-unfold';
import { extSwBitsZapRefault } from './ext-sw-bits';

export { S1_C, S1_D, S1_INITIAL, S1_SCN } from './s1-pae-double-refault';
export { S2_INITIAL, S2_NEW, S2_NOWMB_SCN, S2_SAMELOW, S2_SAMELOW_SCN, S2_SCN } from './s2-pae-zap-reestablish';
export {
  S1G_BROADCAST_FORCEFLUSH_SCN,
  S1G_BROADCAST_SCN,
  S1G_IPI_FORCEFLUSH_SCN,
  S1G_IPI_SCN,
} from './s1-pae-gup-fast';
export { paeMemory } from './pae-common';

/**
 * The `.scn` texts of the built-in scenarios written in the scenario language
 * (DOMAIN §C S1, S2 and its variants, S1 inside GUP-fast). The other consumer
 * and arm64 scenarios are still TypeScript (each with a `.scn` twin in the corpus).
 */
export const BUILTIN_TEXTS: readonly string[] = [
  S1_SCN,
  S2_SCN,
  S2_NOWMB_SCN,
  S2_SAMELOW_SCN,
  S1G_BROADCAST_SCN,
  S1G_BROADCAST_FORCEFLUSH_SCN,
  S1G_IPI_SCN,
  S1G_IPI_FORCEFLUSH_SCN,
];

function lowerBuiltin(text: string, i: number): Scenario {
  const l = loadScn(text, `builtin#${i}`, { readers: builtinReaders(), operations: builtinOperations() });
  if (l.kind !== 'kernel') throw new Error(`[ptefuzz internal bug] built-in scenario #${i} is not a kernel scenario`);
  // the list metadata the language has no statement for (S1 inside GUP-fast: flush, zap, recheck)
  const settings = S1G_SETTINGS[l.scenario.name];
  return settings === undefined ? l.scenario : { ...l.scenario, settings };
}

/** Built-in scenarios, named with their DOMAIN §C number first: the `.scn` texts lowered, then the TypeScript ones. */
export const BUILTIN_SCENARIOS: readonly Scenario[] = [
  ...BUILTIN_TEXTS.map(lowerBuiltin),
  s3PaeFaultGarbage,
  s4PaeGupFastRecheckPlain,
  s4PaeGupFastRecheckPtepGet,
  s4PaeGupFastRecheckLockless,
  s7Arm64FaultNorecency,
  s7Arm64FaultPteSame,
  s5ContpteUnfoldGather,
  s5ContpteUnfoldGather16,
  s6ContpteRemapFalseDirty,
  s6KvmDirtyCheck,
  s8ContpteSetAccessFlags,
  s8ContpteSetAccessFlagsFixed,
  s9ContpteFoldUnfold,
  s9ContpteFoldUnfoldBbml2,
  extSwBitsZapRefault,
  s10PaeDontneedRefault,
  s10PaeDontneedRefaultFreeBeforeFlush,
  s11PaeFileZapEarlyRmap,
  s11PaeFileZapDelayedRmap,
  s12Arm64KhugepagedGupFast,
  s12Arm64KhugepagedGupFastIpi,
];

export function builtinScenario(name: string): Scenario | undefined {
  return BUILTIN_SCENARIOS.find((s) => s.name === name);
}
