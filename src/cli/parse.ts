import { InvalidArgumentError } from 'commander';
import type { Diagrams } from './divergence-lines';
import { DIAGRAM_CHOICES } from './divergence-lines';

export function positiveInt(v: string): number {
  if (!/^[0-9]+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
    throw new InvalidArgumentError(`expected a positive integer (at most ${Number.MAX_SAFE_INTEGER}).`);
  }
  return Number(v);
}

export function nonNegativeInt(v: string): number {
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw new InvalidArgumentError(`expected a non-negative integer (at most ${Number.MAX_SAFE_INTEGER}).`);
  }
  return Number(v);
}

export function positiveSeconds(v: string): number {
  const n = Number(v);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(v) || !(n > 0))
    throw new InvalidArgumentError('expected a positive number of seconds, in decimal digits (e.g. 30 or 2.5).');
  return n;
}

/**
 * The watchdog's `--timeout`: below this, an execution of a correct reader — slowed by a garbage collection or a
 * loaded machine — would be stopped as hung, and saved as a timeout finding against it.
 */
export const MIN_TIMEOUT_SECONDS = 0.1;

export function watchdogSeconds(v: string): number {
  const n = positiveSeconds(v);
  if (n < MIN_TIMEOUT_SECONDS)
    throw new InvalidArgumentError(
      `expected a positive number of seconds of at least ${MIN_TIMEOUT_SECONDS}: a shorter watchdog stops executions of correct readers (a garbage collection, a loaded machine) as hung.`,
    );
  return n;
}

/** A repeatable flag: the values in order, each once (`--reader X --reader X` is one target, not two). */
export function collect(v: string, prev: string[] | undefined): string[] {
  return prev?.includes(v) ? prev : [...(prev ?? []), v];
}

/** A file or folder flag: an empty string would mean the working folder (and print as `/`). */
export function pathArg(v: string): string {
  if (v === '') throw new InvalidArgumentError('expected a path, found an empty string.');
  return v;
}

/** `--reader-module`: a repeatable path. */
export function collectPath(v: string, prev: string[] | undefined): string[] {
  return collect(pathArg(v), prev);
}

/** Most worker threads `--jobs` accepts (a typo guard; more threads than cores only slows a campaign). */
export const MAX_JOBS = 256;

export function jobCount(v: string): number {
  if (!/^[0-9]+$/.test(v) || Number(v) < 1 || Number(v) > MAX_JOBS) {
    throw new InvalidArgumentError(`expected a number of worker threads from 1 to ${MAX_JOBS}.`);
  }
  return Number(v);
}

/** `--shard i/N`: 1-based on the command line (1/4 … 4/4), 0-based inside. */
export function shardSpec(v: string): { index: number; count: number } {
  const m = /^([0-9]+)\/([0-9]+)$/.exec(v);
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(n) || n < 1 || i < 1 || i > n) {
    throw new InvalidArgumentError('expected i/N with 1 ≤ i ≤ N (shards are numbered from 1, e.g. 1/4 … 4/4).');
  }
  return { index: i - 1, count: n };
}

/** `fuzz --diagrams`: which new divergences get their diagram printed. */
export function diagramChoice(v: string): Diagrams {
  const choice = DIAGRAM_CHOICES.find((c) => c === v);
  if (choice === undefined) throw new InvalidArgumentError(`expected ${DIAGRAM_CHOICES.join(', ')}.`);
  return choice;
}
