import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Period of the full collections of a campaign thread (measured: `npm run soak -- --time 240`, README). */
export const HEAP_TRIM_MS = 10_000;

/**
 * A full garbage collection at most every `everyMs`. A campaign allocates
 * fast and keeps little (a corpus of traces, a coverage map per target), and
 * V8 sizes its heap by allocation rate, so without this a long campaign's RSS
 * drifts up by half over the first hour while live data stays ~20 MB; one
 * full collection every few seconds costs well under 1% of the run.
 */
export function heapTrimmer(everyMs: number, clock: () => number): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  let next = clock() + everyMs;
  return () => {
    const now = clock();
    if (now < next) return;
    gc();
    next = clock() + everyMs;
  };
}
