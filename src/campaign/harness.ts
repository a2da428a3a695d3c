import type { ModelKind } from '../machine';
import { MODEL_KINDS, TraceSource } from '../machine';
import { ARCHES, builtinReaders } from '../kernel';
import { contractByName } from '../compare';
import { BUILTIN_SCENARIOS } from '../scenario';
import type { Target } from './target';
import { makeTarget, runTarget } from './target';

/**
 * Byte-level fuzz targets for jsfuzz (harness/*.fuzz.js). Total decoding
 * (DESIGN §7): byte 0 picks the target (scenario × reader × model, in a fixed
 * order), every following byte is one choice value (wrapped into range by
 * the funnel), and a short input continues with the default policy — so
 * every byte string, the empty one included, is a valid execution.
 */
export type HarnessFamily = 'pae';
export const HARNESS_FAMILIES: readonly HarnessFamily[] = ['pae'];

/** The targets of a family, in a fixed order (the meaning of byte 0). */
export function harnessTargets(family: HarnessFamily): Target[] {
  const registry = builtinReaders();
  const targets: Target[] = [];
  const arch = family === 'pae' ? 'x86-pae' : family;
  for (const s of BUILTIN_SCENARIOS.filter((x) => x.arch === arch)) {
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
  const targets = harnessTargets(family);
  return (buf) => {
    const { target, trace } = decodeHarnessInput(buf, targets);
    const { exec, judgement } = runTarget(target, new TraceSource(trace));
    const v = judgement.verdict;
    if (v.kind === 'divergence') {
      throw new DivergenceError(target.key, exec.trace, v.class, target.arch.format(v.observed));
    }
  };
}
