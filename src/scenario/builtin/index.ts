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
import { S3_SCN, S3_SETTINGS } from './s3-pae-fault-garbage';
import { S4_LOCKLESS_SCN, S4_PLAIN_SCN, S4_PTEP_GET_SCN, S4_SETTINGS } from './s4-pae-gup-fast-recheck';
import { S7_NORECENCY_SCN, S7_PTE_SAME_SCN, S7_SETTINGS } from './s7-arm64-fault-norecency';
import { S10_FREE_BEFORE_FLUSH_SCN, S10_SCN, S10_SETTINGS } from './s10-pae-dontneed-refault';
import { S11_DELAYED_RMAP_SCN, S11_EARLY_RMAP_SCN, S11_SETTINGS } from './s11-pae-file-zap-rmap';
import { S12_IPI_SCN, S12_SCN, S12_SETTINGS } from './s12-arm64-khugepaged-gup-fast';
import { S5_16_SCN, S5_SCN, S6_KVM_SCN, S6_SCN } from './s5-s6-contpte-gather';
import { S8_FIXED_SCN, S8_SCN } from './s8-contpte-set-access-flags';
import { S9_BBML2_SCN, S9_SCN } from './s9-contpte-fold-unfold';
import { EXT_SW_SCN } from './ext-sw-bits';

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
 * The `.scn` texts of the built-in scenarios in list order (the order `ptefuzz
 * list` shows and a campaign's round-robin runs them in), named with their
 * DOMAIN §C number first: each is the text of its corpus/mailing-list/ file,
 * lowered below.
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
  S3_SCN,
  S4_PLAIN_SCN,
  S4_PTEP_GET_SCN,
  S4_LOCKLESS_SCN,
  S7_NORECENCY_SCN,
  S7_PTE_SAME_SCN,
  S5_SCN,
  S5_16_SCN,
  S6_SCN,
  S6_KVM_SCN,
  S8_SCN,
  S8_FIXED_SCN,
  S9_SCN,
  S9_BBML2_SCN,
  EXT_SW_SCN,
  S10_SCN,
  S10_FREE_BEFORE_FLUSH_SCN,
  S11_EARLY_RMAP_SCN,
  S11_DELAYED_RMAP_SCN,
  S12_SCN,
  S12_IPI_SCN,
];

/** The list metadata the language has no statement for (flush, zap, recheck, fault, same, rmap, sync). */
const SETTINGS: SettingsByName = {
  ...S1G_SETTINGS,
  ...S3_SETTINGS,
  ...S4_SETTINGS,
  ...S7_SETTINGS,
  ...S10_SETTINGS,
  ...S11_SETTINGS,
  ...S12_SETTINGS,
};

function lowerBuiltin(text: string, i: number): Scenario {
  const l = loadScn(text, `builtin#${i}`, { readers: builtinReaders(), operations: builtinOperations() });
  if (l.kind !== 'kernel') throw new Error(`[ptefuzz internal bug] built-in scenario #${i} is not a kernel scenario`);
  const settings = SETTINGS[l.scenario.name];
  return settings === undefined ? l.scenario : { ...l.scenario, settings };
}

/**
 * The name each built-in text declares in its `scenario NAME` statement, read without lowering the text (a
 * test checks it against the lowered scenario's name): a command that runs one built-in lowers that one only.
 */
export const BUILTIN_NAMES: readonly string[] = BUILTIN_TEXTS.map((text, i) => {
  const m = /^scenario[ \t]+(\S+)/m.exec(text);
  if (!m) throw new Error(`[ptefuzz internal bug] built-in scenario #${i} has no scenario statement`);
  return m[1]!;
});

/** Each built-in lowered at its first use (lowering all 29 costs a process start-up tens of milliseconds). */
const lowered: (Scenario | undefined)[] = [];

function builtinAt(i: number): Scenario {
  return (lowered[i] ??= lowerBuiltin(BUILTIN_TEXTS[i]!, i));
}

/** Built-in scenarios, in list order: the `.scn` texts lowered. */
export function builtinScenarios(): readonly Scenario[] {
  return BUILTIN_TEXTS.map((_, i) => builtinAt(i));
}

export function builtinScenario(name: string): Scenario | undefined {
  const i = BUILTIN_NAMES.indexOf(name);
  return i < 0 ? undefined : builtinAt(i);
}
