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
