import { InvalidArgumentError } from 'commander';

export function positiveInt(v: string): number {
  if (!/^[0-9]+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
    throw new InvalidArgumentError('expected a positive integer.');
  }
  return Number(v);
}

export function nonNegativeInt(v: string): number {
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw new InvalidArgumentError('expected a non-negative integer.');
  }
  return Number(v);
}

export function positiveSeconds(v: string): number {
  const n = Number(v);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(v) || !(n > 0))
    throw new InvalidArgumentError('expected a positive number of seconds.');
  return n;
}

export function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
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
