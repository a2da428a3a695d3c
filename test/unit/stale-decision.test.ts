import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ChoiceSource, ModelKind } from '../../src/machine';
import { TraceSource } from '../../src/machine';
import { arm64, builtinOperations, builtinReaders } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import type { Scenario } from '../../src/scenario';
import { builtinScenario, loadScn } from '../../src/scenario';
import { RandomSource } from '../../src/engines';
import type { Run, Target } from '../../src/campaign';
import { WritersNotSerialised, makeTarget, runTarget, specOf } from '../../src/campaign';
import { ROOT } from '../support/cli';
import { traceOf } from '../support/schedule';

/**
 * reference/decided.ts: a writer the reference commits at its one store (or at its finish, with none) applies its
 * specification to what the subject holds there, but a writer that read the pte first acted on what it read. When
 * another CPU's writer with no lock stores to a location between that read and the writer's commit, and the
 * specification applied there is not what the writer did, the execution is outside the reference's contract. The
 * schedules are written by hand; the steps in the expected messages are read off them.
 */
const ctx = { readers: builtinReaders(), operations: builtinOperations() };
function scenario(text: string, file: string): Scenario {
  const l = loadScn(text, file, ctx);
  if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
  return { ...l.scenario, file };
}
const fixture = (name: string): Scenario => {
  const file = join('test', 'fixtures', name);
  return scenario(readFileSync(join(ROOT, file), 'utf8'), file);
};
function target(s: Scenario, reader: string, model: ModelKind): Target {
  const r = builtinReaders().get(reader)!;
  return makeTarget(s, r, contractByName(r.contract)!, model, arm64);
}
const onSchedule = (t: Target, schedule: number[]): ChoiceSource =>
  new TraceSource(traceOf(specOf(t.built), t.model, schedule));
/** the error a run throws, or its verdict's kind (or class) when it is judged */
function outcome(t: Target, source: ChoiceSource): string | Run {
  try {
    return runTarget(t, source);
  } catch (e) {
    if (e instanceof WritersNotSerialised) return e.message;
    throw e;
  }
}

const FIX =
  "the reference needs the writers of one pte serialised, as the kernel does with the PTL — put each CPU's writers " +
  'between spin_lock(ptl) and spin_unlock(ptl)';

describe('a writer that decided on a read another CPU replaced before its store: no verdict', () => {
  const unlocked = fixture('access-flags-then-tlbi.scn');
  // B reads pte3 (step 0: 0x0078…, CONT, writable); C's __set_pte stores 0x0070… (not writable) at step 1; B gathers
  // (2..5), takes its per-entry path on the block it read — pte0..pte2 already equal the entry (6..8) — and
  // cmpxchg-es pte3 (9, 10), then its TLBI (11); A reads pte3 (12). Its specification, applied to the pte3 memory
  // holds at step 10, unfolds the block (the write bit changes): a history memory never held, and A's read of B's
  // store was called `stale`
  const schedule = [1, 2, ...Array<number>(10).fill(1)];

  test('sc: the witness that was a false `stale` is an error naming both writers, the location and the steps', () => {
    const t = target(unlocked, '__ptep_get', 'sc');
    expect(outcome(t, onSchedule(t, schedule))).toBe(
      'test/fixtures/access-flags-then-tlbi.scn: cpu B (ptep_set_access_flags, steps 0..11) read pte3 at step 0 ' +
        '(0x0078000000043bc3) and decided on it, but cpu C (__set_pte, steps 1..1) stored pte3 (0x0070000000043bc3) ' +
        "at step 1, before B's own store at step 10: B acted on a value memory no longer held, and its " +
        'specification applied to what memory held then is not what B did (__ptep_get under sc): ' +
        FIX,
    );
  });

  test('a writer that made no store: committed at its finish, checked up to it', () => {
    // pte3 already equals the entry (with CONT): B's gathered check is a no-op on what it read at step 0; C's
    // __set_pte (step 1) makes pte3 read-only, on which the specification unfolds the block
    const s = scenario(
      readFileSync(join(ROOT, 'test', 'fixtures', 'access-flags-then-tlbi.scn'), 'utf8')
        .replace('0x0078000000043bc3]', '0x00f8000000043f43]')
        .replace('0x00e8000000040f43, dirty', '0x00e8000000043f43, dirty'),
      'noop.scn',
    );
    const t = target(s, '__ptep_get', 'sc');
    expect(outcome(t, onSchedule(t, [1, 2, 1, 1, 1, 1]))).toMatch(
      /^noop\.scn: cpu B \(ptep_set_access_flags, steps 0\.\.5\) read pte3 at step 0 \(0x00f8000000043f43\) and decided on it, but cpu C \(__set_pte, steps 1\.\.1\) stored pte3 \(0x0070000000043bc3\) at step 1, before B finished at step 5 without a store: /,
    );
  });

  for (const model of ['sc', 'tso', 'weak'] as const) {
    test(`${model}: no random execution of the unlocked fixture is judged stale; some are refused`, () => {
      const t = target(unlocked, '__ptep_get', model);
      const got: Record<string, number> = {};
      for (let i = 0; i < 600; i++) {
        const r = outcome(t, new RandomSource(`decided/${model}/${i}`));
        const k = typeof r === 'string' ? 'refused' : r.judgement.verdict.kind;
        const c = typeof r !== 'string' && r.judgement.verdict.kind === 'divergence' ? r.judgement.verdict.class : k;
        got[c] = (got[c] ?? 0) + 1;
      }
      expect(got['stale'], JSON.stringify(got)).toBeUndefined();
      expect(got['refused'], JSON.stringify(got)).toBeGreaterThan(0);
    });
  }

  test('the same writers under the PTL: never refused (sc, tso, weak)', () => {
    const locked = fixture('access-flags-then-tlbi-ptl.scn');
    for (const model of ['sc', 'tso', 'weak'] as const) {
      const t = target(locked, '__ptep_get', model);
      for (let i = 0; i < 600; i++) {
        const r = outcome(t, new RandomSource(`decided-ptl/${model}/${i}`));
        expect(typeof r, `${model} run ${i}: ${String(r)}`).not.toBe('string');
      }
    }
  });
});

describe('what stays judged: a stale read the writer did not act on, a hardware update', () => {
  test('a cmpxchg loop that retried on another CPU’s store: its successful cmpxchg reads what it replaces', () => {
    // one non-CONT pte, writable-clean and old; B's __ptep_set_access_flags reads it (0), C's __set_pte makes it
    // read-only (1), B's cmpxchg fails (2) and its retry installs the merge of C's value — writable, young and
    // hardware-dirty again, at least as permissive as the entry (3); A reads (4)
    const s = scenario(
      `scenario cmpxchg-retry
arch arm64
model sc
pte pte = 0x0068000000043bc3
reader __ptep_get expect correct
cpu A "$reader" {
  reader(pte)
}
cpu B "set access flags" {
  __ptep_set_access_flags(pte, 0x0068000000043f43)
}
cpu C "write-protect" {
  __set_pte(pte, 0x0060000000043bc3)
}
`,
      'retry.scn',
    );
    const t = target(s, '__ptep_get', 'sc');
    const r = outcome(t, onSchedule(t, [1, 2, 1, 1]));
    if (typeof r === 'string') throw new Error(r);
    const cmpxchgs = r.exec.events.filter((e) => e.cpu === 1 && e.kind === 'rmw');
    expect(cmpxchgs.map((e) => [e.step, e.wrote])).toEqual([
      [2, undefined],
      [3, 0x0068000000043f43n],
    ]);
    expect(r.judgement.history!.values).toEqual([0x0068000000043bc3n, 0x0060000000043bc3n, 0x0068000000043f43n]);
    expect(r.judgement.verdict).toEqual({ kind: 'agree' });
  });

  test('S8 under weak: a hardware DBM update newer than the pte0 the PTL-held writer read is judged, not refused', () => {
    // DBM's hw_dirty of pte0 lands at step 2; the SMMU fault path's ptep_set_access_flags, under the PTL, reads the
    // older pte0 at step 14 and decides its gathered no-op on it (no store, finishing at step 18)
    const s = builtinScenario('s8-contpte-set-access-flags')!;
    const t = target(s, 'contpte_ptep_get_lockless', 'weak');
    const r = outcome(t, new TraceSource([0, 0, 0, 1, 1, 1, 1, 1, 1, 0]));
    if (typeof r === 'string') throw new Error(r);
    const hw = r.exec.events.find((e) => e.name === 'hw_dbm_update')!;
    expect([hw.step, hw.wrote]).toEqual([2, 0x0078000000040f43n]);
    const set = r.exec.ops.find((o) => o.mark.name === 'ptep_set_access_flags')!;
    const read = r.exec.events.find((e) => e.op === set.id && e.locs[0] === hw.locs[0])!;
    expect([read.step, read.read, set.start, set.end]).toEqual([14, 0x0078000000040bc3n, 14, 18]);
    expect(r.judgement.verdict.kind).toBe('agree');
  });
});

describe('a writer of several stores that decided on a read another CPU replaced before it finished: no verdict', () => {
  // test/fixtures/access-flags-then-tlbi-block.scn: a well-programmed folded block, so B's per-entry path makes one
  // cmpxchg per entry — four stores, committed where B finishes
  const unlocked = fixture('access-flags-then-tlbi-block.scn');
  // B reads pte3 (step 0: CONT, writable); C's __set_pte stores it read-only (1); B gathers (2..5) and, on the pte3
  // it read, takes its per-entry path: read and cmpxchg pte0, pte1, pte2 (6..11, unchanged), pte3 (12, 13), then
  // its barrier (14); A reads pte3 (15). On C's read-only pte3 the specification unfolds the block (was: `stale`)
  const schedule = [1, 2, ...Array<number>(13).fill(1)];

  test('sc: the hand-made witness is an error naming both writers and B’s four stores', () => {
    const t = target(unlocked, '__ptep_get', 'sc');
    expect(outcome(t, onSchedule(t, schedule))).toBe(
      'test/fixtures/access-flags-then-tlbi-block.scn: cpu B (ptep_set_access_flags, steps 0..14) read pte3 at step ' +
        '0 (0x0078000000043bc3) and decided on it, but cpu C (__set_pte, steps 1..1) stored pte3 (0x0070000000043bc3) ' +
        'at step 1, before B finished at step 14, where the reference commits its 4 stores: B acted on a value ' +
        'memory no longer held, and its specification applied to what memory held then is not what B did ' +
        '(__ptep_get under sc): ' +
        FIX,
    );
  });

  for (const model of ['sc', 'tso', 'weak'] as const) {
    test(`${model}: no random execution is judged stale; some are refused, the others agree`, () => {
      const t = target(unlocked, '__ptep_get', model);
      const got: Record<string, number> = {};
      for (let i = 0; i < 600; i++) {
        const r = outcome(t, new RandomSource(`decided-block/${model}/${i}`));
        const k = typeof r === 'string' ? 'refused' : r.judgement.verdict.kind;
        got[k] = (got[k] ?? 0) + 1;
      }
      expect(got['divergence'], JSON.stringify(got)).toBeUndefined();
      expect(got['refused'], JSON.stringify(got)).toBeGreaterThan(0);
      expect(got['agree'], JSON.stringify(got)).toBeGreaterThan(0);
    });
  }

  test('the same writers under the PTL: never refused, every execution agrees (sc, tso, weak)', () => {
    const text = readFileSync(join(ROOT, 'test', 'fixtures', 'access-flags-then-tlbi-block.scn'), 'utf8')
      .replace(
        '  ptep_set_access_flags(pte[3], 0x00e8000000040f43, dirty=true, form=gathered)\n',
        '  spin_lock(ptl)\n  ptep_set_access_flags(pte[3], 0x00e8000000040f43, dirty=true, form=gathered)\n  spin_unlock(ptl)\n',
      )
      .replace(
        '  __set_pte(pte[3], 0x0070000000043bc3)\n',
        '  spin_lock(ptl)\n  __set_pte(pte[3], 0x0070000000043bc3)\n  spin_unlock(ptl)\n',
      );
    expect(text.match(/spin_lock\(ptl\)/g)).toHaveLength(2);
    const locked = scenario(text, 'locked.scn');
    for (const model of ['sc', 'tso', 'weak'] as const) {
      const t = target(locked, '__ptep_get', model);
      for (let i = 0; i < 300; i++) {
        const r = outcome(t, new RandomSource(`decided-block-ptl/${model}/${i}`));
        expect(typeof r, `${model} run ${i}: ${String(r)}`).not.toBe('string');
        expect((r as Run).judgement.verdict.kind, `${model} run ${i}`).not.toBe('divergence');
      }
    }
  });
});
