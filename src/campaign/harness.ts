import type { ModelKind } from '../machine';
import { MODEL_KINDS, TraceSource } from '../machine';
import type { ArchName } from '../kernel';
import { ARCHES, builtinReaders } from '../kernel';
import { contractByName } from '../compare';
import { builtinScenarios } from '../scenario';
import type { Bounds } from '../machine';
import { DEFAULT_BOUNDS } from '../machine';
import type { SettledWitness } from './minimize-witness';
import { CAMPAIGN_MINIMIZE_SCHEDULES, settleWitness } from './minimize-witness';
import type { Selection } from './select';
import { UsageError, selectTargets } from './select';
import type { ReaderStats } from './stats';
import { countRun, emptyStats } from './stats';
import type { ExecutionWatch, Target } from './target';
import { makeTarget, runTarget } from './target';
import { minimizeKey } from './campaign';

/**
 * Byte-level fuzz targets for jsfuzz (harness/*.fuzz.js). Total decoding
 * (DESIGN §7): byte 0 picks the target (scenario × reader × model, in a fixed
 * order), every following byte is one choice value (wrapped into range by
 * the funnel), and a short input continues with the default policy — so
 * every byte string, the empty one included, is a valid execution.
 */
export type HarnessFamily = 'pae' | 'arm64';
export const HARNESS_FAMILIES: readonly HarnessFamily[] = ['pae', 'arm64'];

/** The architectures whose scenarios a family's harness target (harness/<family>.fuzz.js) runs. */
export const HARNESS_ARCHES: Readonly<Record<HarnessFamily, readonly ArchName[]>> = {
  pae: ['x86-pae'],
  arm64: ['arm64', 'arm64-ext-sw'],
};

/** The family whose harness runs scenarios of this architecture (undefined: no jsfuzz target for it). */
export function harnessFamilyOfArch(arch: ArchName): HarnessFamily | undefined {
  return HARNESS_FAMILIES.find((f) => HARNESS_ARCHES[f].includes(arch));
}

/** The targets of a family, in a fixed order (the meaning of byte 0). */
export function harnessTargets(family: HarnessFamily): Target[] {
  const registry = builtinReaders();
  const targets: Target[] = [];
  for (const s of builtinScenarios().filter((x) => HARNESS_ARCHES[family].includes(x.arch))) {
    for (const name of s.readers) {
      const reader = registry.get(name)!;
      for (const model of MODEL_KINDS as readonly ModelKind[]) {
        targets.push(makeTarget(s, reader, contractByName(reader.contract)!, model, ARCHES[s.arch]!));
      }
    }
  }
  return targets;
}

export interface DecodedInput {
  readonly target: Target;
  readonly trace: number[];
}

export function decodeHarnessInput(buf: Uint8Array, targets: readonly Target[]): DecodedInput {
  const target = targets[buf.length > 0 ? buf[0]! % targets.length : 0]!;
  return { target, trace: Array.from(buf.subarray(1)) };
}

/** Thrown by a harness target on a divergence: carries the decoded witness. */
export class DivergenceError extends Error {
  override readonly name = 'DivergenceError';
  constructor(
    readonly target: string,
    readonly trace: readonly number[],
    readonly divergenceClass: string,
    readonly observed: string,
  ) {
    super(`ptefuzz divergence: ${divergenceClass} ${observed} — ${target} — trace [${trace.join(',')}]`);
  }
}

/** The `fuzz(buf)` function of a family: runs the decoded execution, throws DivergenceError on a divergence. */
export function harnessFuzz(family: HarnessFamily): (buf: Uint8Array) => void {
  return harnessSession(harnessTargets(family)).fuzz;
}

/** The family whose harness target runs these targets (all must belong to one). */
export function harnessFamilyOf(targets: readonly Target[]): HarnessFamily {
  for (const t of targets) {
    if (harnessFamilyOfArch(t.arch.name) === undefined) {
      throw new UsageError(`engine jsfuzz has no harness target for ${t.arch.name} (${t.scenario.name})`);
    }
  }
  const familyOfArch = (arch: ArchName): HarnessFamily => harnessFamilyOfArch(arch)!;
  const families = [...new Set(targets.map((t) => familyOfArch(t.arch.name)))];
  if (families.length > 1) {
    const text = HARNESS_FAMILIES.map((f) => `${f} (harness/${f}.fuzz.js: ${HARNESS_ARCHES[f].join(', ')})`).join(
      ' or ',
    );
    const first = (f: HarnessFamily): string => targets.find((t) => familyOfArch(t.arch.name) === f)!.scenario.name;
    throw new UsageError(
      `engine jsfuzz runs one harness family at a time, ${text}; the selection has ${families.map((f) => `${first(f)} (${f})`).join(' and ')}: choose with --scenario`,
    );
  }
  return families[0] ?? 'pae';
}

/** A selection's targets as a harness runs them, and the one family whose harness target that is. */
export interface HarnessSelection {
  readonly targets: Target[];
  readonly family: HarnessFamily;
}

/**
 * The targets of a selection, as the harness numbers them (byte 0): the
 * order of `selectTargets`. `ptefuzz fuzz --engine jsfuzz` passes the
 * selection to the harness (environment) and decodes artifacts with the same list.
 */
export function harnessSelection(sel: Selection, registry: Parameters<typeof selectTargets>[1]): HarnessSelection {
  const targets = selectTargets(sel, registry);
  return { targets, family: harnessFamilyOf(targets) };
}

/** A harness target with per-target counts (for the jsfuzz engine's summary). */
export interface HarnessSession {
  readonly targets: readonly Target[];
  /** per target, in `targets` order */
  readonly stats: readonly ReaderStats[];
  executions: number;
  readonly fuzz: (buf: Uint8Array) => void;
}

/**
 * `watch`: the watch of the executions of a reader module's targets (the harness of `fuzz --engine jsfuzz
 * --timeout S`: each a watched call of S; one that does not return throws out of `fuzz`, uncounted). A built-in
 * reader's execution is not watched: its code always yields back to the machine, whose bounds end every execution,
 * and a watched call costs ~0.1 ms — a third of jsfuzz's speed on S2.
 */
export function harnessSession(targets: readonly Target[], watch?: ExecutionWatch): HarnessSession {
  const stats = targets.map(() => emptyStats());
  const session: HarnessSession = {
    targets,
    stats,
    executions: 0,
    fuzz: (buf) => {
      const i = buf.length > 0 ? buf[0]! % targets.length : 0;
      const target = targets[i]!;
      const { exec, judgement } = runTarget(
        target,
        new TraceSource(Array.from(buf.subarray(1))),
        DEFAULT_BOUNDS,
        target.reader.module !== undefined ? watch : undefined,
      );
      session.executions++;
      countRun(stats[i]!, judgement);
      const v = judgement.verdict;
      if (v.kind === 'divergence') {
        throw new DivergenceError(target.key, exec.trace, v.class, target.arch.format(v.observed));
      }
    },
  };
  return session;
}

/** A jsfuzz crash artifact (the input bytes), decoded, replayed and minimized. */
export type ConvertedArtifact =
  /** the witness (settleWitness): minimized — or the replay, unminimized, when its reader did not replay it */
  | (SettledWitness & {
      readonly kind: 'divergence';
      readonly class: string;
      /** the decoded trace, as replayed */
      readonly raw: readonly number[];
    })
  | { readonly kind: 'no-divergence'; readonly target: Target; readonly verdict: string };

/**
 * Convert an artifact with the campaign's predicate (same reader, contract,
 * model and class), so that the witness — hence the crash file's
 * fingerprint — is the one the native engines write for the same bug.
 * `watch` watches the replay and every candidate of the minimizer, and is told
 * `minimizing` before the minimization and after it returns — not when it
 * throws (a hung candidate: the watch still holds the divergence, as a worker's
 * buffer does). A target and class of `unminimized` (`minimizeKey`) keep the
 * witness as replayed. `schedules`: the minimization's schedule search (settleWitness).
 */
export function convertArtifact(
  buf: Uint8Array,
  targets: readonly Target[],
  bounds: Bounds = DEFAULT_BOUNDS,
  watch?: ExecutionWatch,
  unminimized?: ReadonlySet<string>,
  schedules: number = CAMPAIGN_MINIMIZE_SCHEDULES,
): ConvertedArtifact {
  const { target, trace } = decodeHarnessInput(buf, targets);
  const first = runTarget(target, new TraceSource(trace), bounds, watch);
  const v = first.judgement.verdict;
  if (v.kind !== 'divergence') return { kind: 'no-divergence', target, verdict: v.kind };
  if (unminimized?.has(minimizeKey(target, v.class))) {
    return { kind: 'divergence', target, class: v.class, raw: first.exec.trace, trace: first.exec.trace, run: first };
  }
  watch?.minimizing?.({ target, class: v.class, ...first });
  const min = settleWitness(target, v.class, first, bounds, watch, schedules);
  watch?.minimizing?.(undefined);
  return { kind: 'divergence', class: v.class, raw: first.exec.trace, ...min };
}
