import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinReaders } from '../../src/kernel';
import { loadCrash } from '../../src/crash';
import { crashTarget, runTarget } from '../../src/campaign';
import type { ChoiceSource, Execution } from '../../src/machine';
import { TraceSource, countPreemptions } from '../../src/machine';
import { ContinueSource, KeyingSource, lighterThan, weight } from '../support/one-minimal';

const dir = join(__dirname, '..', '..', 'crashes');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.msgpack'))
  .sort();

/**
 * DESIGN §8 / issue 5: every committed witness is 1-minimal.
 * - Removing any single preemption — the CPU switched away from keeps running
 *   until it finishes or blocks — loses the divergence of the same class, or
 *   does not reduce the number of preemptions.
 * - Resetting any single non-zero choice to 0 (which removes a preemption,
 *   turns a read-from back to "newest", a drain back to eager), or dropping
 *   any single choice, loses the divergence or gives a witness that is not
 *   lighter (fewer preemptions, then fewer weak choices, then shorter).
 * (`ptefuzz minimize crashes/` restores this after a minimizer change.)
 */
describe('every committed crash file is a 1-minimal witness', () => {
  for (const f of files) {
    test(f, () => {
      const crash = loadCrash(join(dir, f));
      const t = crashTarget(crash, f, builtinReaders());
      const diverges = (src: ChoiceSource): Execution | null => {
        const r = runTarget(t, src);
        const v = r.judgement.verdict;
        return v.kind === 'divergence' && v.class === crash.verdict.class ? r.exec : null;
      };
      const keyed = new KeyingSource(crash.trace);
      const w = diverges(keyed)!;
      expect(w).not.toBeNull();
      const n = crash.trace.length;
      expect(w.trace.slice(0, n)).toEqual(crash.trace);
      const heavy = weight(w);
      const tries = (cand: readonly number[]): Execution | null => diverges(new TraceSource(cand));
      for (let i = 0; i < n; i++) {
        if (crash.trace[i] !== 0) {
          const reset = [...crash.trace];
          reset[i] = 0;
          const e = tries(reset);
          if (e) expect(lighterThan(weight(e), heavy), `reset choice ${i} of [${crash.trace}]`).toBe(false);
        }
        const e = tries([...crash.trace.slice(0, i), ...crash.trace.slice(i + 1)]);
        if (e) expect(lighterThan(weight(e), heavy), `drop choice ${i} of [${crash.trace}]`).toBe(false);
      }
      const cpus = w.events.filter((ev) => ev.kind !== 'drain').map((ev) => ev.cpu);
      const preemptions = countPreemptions(w.choices);
      let switches = 0;
      for (let s = 1; s < cpus.length; s++) {
        // a switch away from a CPU that runs again later: let it continue instead
        if (cpus[s] === cpus[s - 1] || !cpus.slice(s).includes(cpus[s - 1]!)) continue;
        switches++;
        const e = diverges(new ContinueSource(cpus, s, keyed.others));
        if (e)
          expect(countPreemptions(e.choices), `continue CPU ${cpus[s - 1]} at step ${s}`).toBeGreaterThanOrEqual(
            preemptions,
          );
      }
      expect(switches).toBeGreaterThanOrEqual(preemptions);
    });
  }
});
