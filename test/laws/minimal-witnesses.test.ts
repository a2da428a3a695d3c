import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinReaders } from '../../src/kernel';
import { loadCrash } from '../../src/crash';
import { crashTarget, runTarget } from '../../src/campaign';
import { TraceSource } from '../../src/machine';
import { trimTrace } from '../../src/minimize';

const dir = join(__dirname, '..', '..', 'crashes');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.msgpack'))
  .sort();

/**
 * DESIGN §8 / issue 5: every committed witness is 1-minimal. Resetting any
 * single non-zero choice to 0 (which removes a preemption, turns a read-from
 * back to "newest", a drain back to eager), or dropping any single choice,
 * either loses the divergence of the same class or needs a longer trace.
 * (`ptefuzz minimize crashes/` restores this after a minimizer change.)
 */
describe('every committed crash file is a 1-minimal witness', () => {
  for (const f of files) {
    test(f, () => {
      const crash = loadCrash(join(dir, f));
      const t = crashTarget(crash, f, builtinReaders());
      const length = (trace: readonly number[]): number | null => {
        const r = runTarget(t, new TraceSource(trace));
        const v = r.judgement.verdict;
        return v.kind === 'divergence' && v.class === crash.verdict.class ? trimTrace(r.exec.trace).length : null;
      };
      const n = crash.trace.length;
      expect(length(crash.trace)).toBe(n);
      for (let i = 0; i < n; i++) {
        if (crash.trace[i] !== 0) {
          const reset = [...crash.trace];
          reset[i] = 0;
          const l = length(reset);
          if (l !== null) expect(l, `reset choice ${i} of [${crash.trace.join(',')}]`).toBeGreaterThan(n);
        }
        const l = length([...crash.trace.slice(0, i), ...crash.trace.slice(i + 1)]);
        if (l !== null) expect(l, `drop choice ${i} of [${crash.trace.join(',')}]`).toBeGreaterThan(n);
      }
    });
  }
});
