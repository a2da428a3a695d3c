import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinReaders } from '../../src/kernel';
import { loadCrash } from '../../src/crash';
import { builtinOperations } from '../../src/kernel';
import { OutsideReferenceContract, crashTarget, makeTarget, runTarget, specOf } from '../../src/campaign';
import { judge } from '../../src/compare';
import type { ChoiceSource, Execution } from '../../src/machine';
import { TraceSource, countPreemptions, execute } from '../../src/machine';
import type { ScnFile } from '../../src/scenario';
import { ScenarioError, loadScn, parseScn, printScn } from '../../src/scenario';
import {
  ContinueSource,
  KeyingSource,
  PlacingSource,
  lighterThan,
  weight,
  withoutSource,
} from '../support/one-minimal';

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

/**
 * Issue 5, program level: a witness whose scenario has a `.scn` form is
 * 1-minimal in its program too — removing any single operation of a CPU body
 * (of a CPU with more than one), any two operations of one CPU body (of a CPU
 * with more than two: the minimizer's drop-pairs pass) or any single CPU, with the witness's schedule
 * carried over (test/support/one-minimal.ts withoutSource), either does not
 * lower (no reader call left, a register no longer assigned) or loses the
 * divergence of the same class. TypeScript built-ins (no `.scn` form) are
 * skipped: the minimizer cannot edit them.
 */
describe('every committed crash file with a .scn scenario is 1-minimal in its program', () => {
  const withText = files.filter((f) => loadCrash(join(dir, f)).scenario.text !== undefined);
  test('the S1 and S2 witnesses are among them', () => {
    expect(withText.filter((f) => f.startsWith('s1-pae-double-refault.')).length).toBeGreaterThanOrEqual(4);
    expect(withText.filter((f) => f.startsWith('s2-pae-zap-reestablish.')).length).toBeGreaterThanOrEqual(3);
  });
  for (const f of withText) {
    test(f, () => {
      const crash = loadCrash(join(dir, f));
      const t = crashTarget(crash, f, builtinReaders());
      const file = parseScn(crash.scenario.text!, f);
      const w = new PlacingSource(crash.trace);
      const b = t.scenario.build(t.reader, t.arch, { onStatement: w.probe });
      // the whole machine — pages and TLB flush kind too (the GUP-fast scenarios) —, as a campaign runs it
      const first = execute(specOf(b), t.model, w);
      expect(judge(first, t.reader.name, b.subject, t.contract, t.arch).verdict.kind).toBe('divergence');
      const blocks = file.items.filter((it) => it.kind === 'cpu');
      let candidates = 0;
      const loses = (edited: ScnFile, src: ChoiceSource, what: string): void => {
        candidates++;
        let s;
        try {
          const l = loadScn(printScn(edited), f, { readers: builtinReaders(), operations: builtinOperations() });
          if (l.kind !== 'kernel') return;
          s = l.scenario;
        } catch (e) {
          if (e instanceof ScenarioError) return; // does not lower: nothing to run
          throw e;
        }
        let r;
        try {
          r = runTarget(makeTarget(s, t.reader, t.contract, t.model, t.arch), src);
        } catch (e) {
          // outside the reference's contract (writers mixed, break-before-make broken): no verdict, as the minimizer
          // rejects such a candidate
          if (e instanceof OutsideReferenceContract) return;
          throw e;
        }
        const v = r.judgement.verdict;
        expect(v.kind === 'divergence' && v.class === crash.verdict.class, `${what} keeps the divergence`).toBe(false);
      };
      blocks.forEach((blk, cpu) => {
        loses(
          { items: file.items.filter((it) => it !== blk) },
          withoutSource(
            w,
            (p) => p.cpu === cpu,
            (c) => (c > cpu ? c - 1 : c),
          ),
          `removing cpu ${blk.name}`,
        );
        const calls = blk.body.filter((s) => s.kind === 'call');
        const without = (gone: readonly number[]): ScnFile => ({
          items: file.items.map((it) =>
            it === blk ? { ...blk, body: blk.body.filter((s) => !gone.some((g) => calls[g] === s)) } : it,
          ),
        });
        if (calls.length < 2) return;
        calls.forEach((call, stmt) =>
          loses(
            without([stmt]),
            withoutSource(w, (p) => p.cpu === cpu && p.stmt === stmt),
            `removing ${call.name} (statement ${stmt} of cpu ${blk.name})`,
          ),
        );
        // two calls of one body together (the drop-pairs pass: a clear and its make, a lock and its unlock)
        if (calls.length < 3) return;
        calls.forEach((a, i) =>
          calls.slice(i + 1).forEach((b, k) =>
            loses(
              without([i, i + 1 + k]),
              withoutSource(w, (p) => p.cpu === cpu && (p.stmt === i || p.stmt === i + 1 + k)),
              `removing ${a.name} and ${b.name} (statements ${i} and ${i + 1 + k} of cpu ${blk.name})`,
            ),
          ),
        );
      });
      expect(candidates).toBeGreaterThanOrEqual(2);
    });
  }
});
