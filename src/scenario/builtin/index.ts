import type { Scenario } from '../types';
import {
  s1PaeGupFastBroadcast,
  s1PaeGupFastBroadcastForceflush,
  s1PaeGupFastIpi,
  s1PaeGupFastIpiForceflush,
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
import { s1PaeDoubleRefault } from './s1-pae-double-refault';
import {
  s5ContpteUnfoldGather,
  s5ContpteUnfoldGather16,
  s6ContpteRemapFalseDirty,
  s6KvmDirtyCheck,
} from './s5-s6-contpte-gather';
import { s8ContpteSetAccessFlags, s8ContpteSetAccessFlagsFixed } from './s8-contpte-set-access-flags';
import { s9ContpteFoldUnfold, s9ContpteFoldUnfoldBbml2 } from './s9-contpte-fold-unfold';
import { extSwBitsZapRefault } from './ext-sw-bits';
import { s2PaeZapReestablish, s2PaeZapReestablishNowmb, s2PaeZapReestablishSamelow } from './s2-pae-zap-reestablish';

/** Built-in scenarios, named with their DOMAIN §C number first. */
export const BUILTIN_SCENARIOS: readonly Scenario[] = [
  s1PaeDoubleRefault,
  s2PaeZapReestablish,
  s2PaeZapReestablishNowmb,
  s2PaeZapReestablishSamelow,
  s1PaeGupFastBroadcast,
  s1PaeGupFastBroadcastForceflush,
  s1PaeGupFastIpi,
  s1PaeGupFastIpiForceflush,
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
