import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Event, Execution, Location, ModelKind, OpRecord } from '../../src/machine';
import { TraceSource, execute } from '../../src/machine';
import type { PteSubject } from '../../src/kernel';
import {
  ARM64,
  arm64,
  arm64Mk,
  arm64UnbrokenChange,
  builtinOperations,
  builtinReaders,
  contpteModel,
} from '../../src/kernel';
import { contractByName, judge } from '../../src/compare';
import { OutsideContract, unbrokenChange } from '../../src/reference';
import type { Scenario } from '../../src/scenario';
import { loadScn } from '../../src/scenario';
import { RandomSource } from '../../src/engines';
import type { Target } from '../../src/campaign';
import {
  BreakBeforeMakeMissing,
  OutsideReferenceContract,
  makeTarget,
  minimizeWitness,
  runTarget,
  specOf,
} from '../../src/campaign';
import { loadReaderModule } from '../../src/cli/reader-modules';
import { ROOT } from '../support/cli';
import { traceOf } from '../support/schedule';

/**
 * arm64 break-before-make (kernel/arm64.ts arm64UnbrokenChange, reference/bbm.ts): a valid descriptor may not become
 * another translation (output address, contiguous bit) in one store. Values written by hand from the descriptor
 * layout (DOMAIN §A3.1), not by the code under test: FolioA pfn 0x40.., FolioB pfn 0x80.., user, writable-clean.
 */
const A0_CONT = 0x0078000000040bc3n; // valid pfn=0x40 CONT DBM RDONLY AF-clear
const A0 = 0x0068000000040bc3n; // the same, not CONT
const B0 = 0x0068000000080bc3n; // FolioB, not CONT

describe('arm64UnbrokenChange: what a single store may change in a valid descriptor', () => {
  test('valid → valid with another output address: a violation', () => {
    expect(arm64UnbrokenChange(A0, B0)).toEqual(['output address']);
  });
  test('valid → valid toggling the contiguous bit (either way): a violation', () => {
    expect(arm64UnbrokenChange(A0_CONT, A0)).toEqual(['contiguous bit']);
    expect(arm64UnbrokenChange(A0, A0_CONT)).toEqual(['contiguous bit']);
  });
  test('both at once', () => {
    expect(arm64UnbrokenChange(A0_CONT, B0)).toEqual(['output address', 'contiguous bit']);
  });
  test('access flag, hardware dirty (RDONLY cleared), software dirty, write permission, a software bit: allowed', () => {
    const af = A0_CONT | (1n << 10n);
    const hwDirty = af & ~(1n << 7n);
    const swDirty = A0_CONT | (1n << 55n);
    const wrprotect = A0_CONT & ~(1n << 51n);
    const special = A0_CONT | (1n << 56n);
    for (const next of [af, hwDirty, swDirty, wrprotect, special]) {
      expect(arm64UnbrokenChange(A0_CONT, next)).toBeUndefined();
      expect(arm64UnbrokenChange(next, A0_CONT)).toBeUndefined();
    }
  });
  test('invalid → valid (a make) and valid → invalid (a break): allowed, whatever the values', () => {
    expect(arm64UnbrokenChange(0n, B0)).toBeUndefined();
    expect(arm64UnbrokenChange(A0_CONT, 0n)).toBeUndefined();
    // a PROT_NONE entry (VALID clear, PRESENT_INVALID set) is invalid to the walker
    const protNone = (A0 & ~1n) | (1n << 11n);
    expect(arm64.present(protNone)).toBe(true);
    expect(arm64UnbrokenChange(protNone, B0)).toBeUndefined();
    expect(arm64UnbrokenChange(B0, protNone)).toBeUndefined();
  });
  test('the decoders agree with the hand-written values', () => {
    expect(arm64Mk(0x40n, { write: true, cont: true }) | ARM64.NG).toBe(A0_CONT);
    expect(arm64.pfn(B0)).toBe(0x80n);
  });
});

/** Hand-built executions of one lone arm64 pte (location 0): where a store takes its place in memory. */
describe('unbrokenChange: each store against its coherence predecessor', () => {
  const loc: Location = { id: 0, name: 'pte0', width: 64 };
  const subject: PteSubject = { name: 'pte', initial: A0, locIds: [0], entries: contpteModel([loc], [A0], 0) };
  const op = (id: number, cpu: number, name: string, start: number, end: number): OpRecord => ({
    id,
    cpu,
    mark: { name, role: 'writer', subject: 'pte' },
    parent: -1,
    start,
    end,
    done: true,
    retries: 0,
  });
  // C (cpu 2): __set_pte(FolioB), issued at step 0; B (cpu 1): __ptep_get_and_clear (xchg), step 1
  const ops = [op(0, 2, '__set_pte', 0, 0), op(1, 1, '__ptep_get_and_clear', 1, 1)];
  const ev = (step: number, cpu: number, tag: number, kind: Event['kind'], wrote: bigint): Omit<Event, 'index'> => ({
    step,
    cpu,
    kind,
    name: kind === 'rmw' ? 'xchg_relaxed' : kind === 'drain' ? 'drain' : 'WRITE_ONCE',
    op: kind === 'drain' ? -1 : tag,
    locs: [0],
    wrote,
    tag,
  });
  function exec(model: ModelKind, evs: Omit<Event, 'index'>[]): Execution {
    return {
      outcome: { kind: 'complete' },
      events: evs.map((e, index) => ({ ...e, index })),
      ops,
      choices: [],
      trace: [],
      results: [],
      final: [0n],
      steps: 3,
      model,
      flush: 'ipi',
      pages: new Map(),
    };
  }
  const issued = [ev(0, 2, 0, 'store', B0), ev(1, 1, 1, 'rmw', 0n)];

  test('sc: the store lands on the valid FolioA entry — a violation by C at step 0', () => {
    const found = unbrokenChange(exec('sc', issued), subject);
    expect(found && { op: found.op?.id, step: found.event.step, prev: found.prev, next: found.next }).toEqual({
      op: 0,
      step: 0,
      prev: A0,
      next: B0,
    });
    expect(found?.parts).toEqual(['output address']);
  });
  test('tso: the same issue order, C’s store drained after B’s clear — a make over none, allowed', () => {
    expect(unbrokenChange(exec('tso', [...issued, ev(2, 2, 0, 'drain', B0)]), subject)).toBeUndefined();
  });
  test('tso: C’s store drained before B’s clear — the violation is at the drain', () => {
    const found = unbrokenChange(exec('tso', [issued[0]!, ev(1, 2, 0, 'drain', B0), ev(1, 1, 1, 'rmw', 0n)]), subject);
    expect(found && { op: found.op?.mark.name, kind: found.event.kind }).toEqual({ op: '__set_pte', kind: 'drain' });
  });
  test('weak: the event log is the coherence order', () => {
    expect(unbrokenChange(exec('weak', issued), subject)?.op?.id).toBe(0);
    expect(unbrokenChange(exec('weak', [issued[1]!, issued[0]!]), subject)).toBeUndefined();
  });
  test('a hardware AF update (an RMW) on the valid entry: allowed', () => {
    const hw = { ...ev(0, 3, 0, 'rmw', A0 | ARM64.AF), name: 'hw_af_update' };
    expect(unbrokenChange(exec('sc', [hw]), subject)).toBeUndefined();
  });
  test('an x86 PAE subject (no descriptors): never checked', () => {
    const pae: PteSubject = { name: 'pte', initial: A0, locIds: [0] };
    expect(unbrokenChange(exec('sc', issued), pae)).toBeUndefined();
  });
});

/**
 * A user's scenario (test/fixtures/remap-no-clear.scn): a contpte block of FolioA, unfolded under the PTL and pte0
 * remapped to FolioB with a plain `__set_pte` — no clear — while hardware accesses the block. Every judged
 * execution reaches the remap, so each one is outside the reference's contract; remap-clear.scn, with
 * `__ptep_get_and_clear(pte[0])` first (the kernel's sequence), runs.
 */
const UNBROKEN = readFileSync(join(ROOT, 'test', 'fixtures', 'remap-no-clear.scn'), 'utf8');
const BROKEN = readFileSync(join(ROOT, 'test', 'fixtures', 'remap-clear.scn'), 'utf8');

const ctx = { readers: builtinReaders(), operations: builtinOperations() };
function scenario(text: string, file: string | undefined): Scenario {
  const l = loadScn(text, file ?? 'x.scn', ctx);
  if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
  return file === undefined ? l.scenario : { ...l.scenario, file };
}
function target(s: Scenario, model: ModelKind): Target {
  const r = builtinReaders().get('contpte_ptep_get_lockless')!;
  return makeTarget(s, r, contractByName('no-false-dirty')!, model, arm64);
}

describe('a user scenario that remaps a valid entry without the clear: no verdict, one line', () => {
  // B runs alone: spin_lock (step 0); contpte_unfold's read of pte0 (1), 4 clears (2..5), TLBI (6), 4 repaints
  // (7..10); __set_pte (11) — under tso its store drains, after the repaints (FIFO), at the next step
  const schedule = Array<number>(13).fill(1);
  for (const model of ['sc', 'tso', 'weak'] as const) {
    test(`${model}: the execution is an error naming file, CPU, operation, step, both entries and the fix`, () => {
      const t = target(scenario(UNBROKEN, 'remap.scn'), model);
      let err: unknown;
      try {
        runTarget(t, new TraceSource(traceOf(specOf(t.built), model, schedule)));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BreakBeforeMakeMissing);
      expect(err).toBeInstanceOf(OutsideReferenceContract);
      const at = model === 'tso' ? 'its store drained to memory at step 12' : 'at step 11';
      expect((err as Error).message).toBe(
        `remap.scn: cpu B (__set_pte, steps 11..11) changed the output address of the valid entry pte0 ${at}, ` +
          'from 0x0068000000040bc3 (pfn=0x40) to 0x0068000000080bc3 (pfn=0x80) with no invalid entry between ' +
          `(contpte_ptep_get_lockless under ${model}): arm64 forbids that (break-before-make) — clear the entry ` +
          'first (ptep_clear / ptep_get_and_clear) as the kernel does: break-before-make',
      );
    });
  }

  test('the comparator itself gives no verdict: judge throws OutsideContract', () => {
    const t = target(scenario(UNBROKEN, 'remap.scn'), 'sc');
    const spec = specOf(t.built);
    const exec = execute(spec, 'sc', new TraceSource(traceOf(spec, 'sc', schedule)));
    expect(() =>
      judge(exec, 'contpte_ptep_get_lockless', t.built.subject, contractByName('no-false-dirty')!, arm64),
    ).toThrow(OutsideContract);
  });

  test('a built-in-like scenario with no file is named by its name; CONT and pfn change named together', () => {
    const direct = UNBROKEN.replace('  contpte_unfold(pte[0])\n', '');
    const t = target(scenario(direct, undefined), 'sc');
    expect(() => runTarget(t, new TraceSource(traceOf(specOf(t.built), 'sc', [1, 1])))).toThrow(
      /^scenario remap-no-clear: cpu B \(__set_pte, steps 1\.\.1\) changed the output address and contiguous bit of the valid entry pte0 at step 1, from 0x0078000000040bc3 \(pfn=0x40 cont\) to 0x0068000000080bc3 \(pfn=0x80\)/,
    );
  });

  test('with the clear before the __set_pte: never an error, and the kernel reader agrees (sc, tso, weak)', () => {
    for (const model of ['sc', 'tso', 'weak'] as const) {
      const t = target(scenario(BROKEN, 'remap-clear.scn'), model);
      let raced = 0;
      for (let i = 0; i < 800; i++) {
        const r = runTarget(t, new RandomSource(`bbm-clear/${model}/${i}`));
        expect(['agree', 'bound-hit'], `run ${i}`).toContain(r.judgement.verdict.kind);
        raced += r.judgement.raced;
      }
      expect(raced).toBeGreaterThan(0);
    }
  });
});

/**
 * The audit: minimizing the README's contpte witness (corpus/mailing-list/contpte-refold-other-folio.scn, the
 * proposal harness/readers/contpte-nopfn.ts) dropped every `__ptep_get_and_clear` of the remap, leaving
 * `__set_pte(pte[k], FolioB)` straight over FolioA's valid CONT entry — a write arm64 forbids. A reduced candidate
 * whose execution does that is now rejected: every `__set_pte` the minimized program keeps still follows its clear.
 */
describe('the minimizer never drops the break before a make', () => {
  const readers = builtinReaders();
  for (const r of loadReaderModule(join(ROOT, 'harness', 'readers', 'contpte-nopfn.ts'), ROOT)) readers.register(r);
  const file = join(ROOT, 'corpus', 'mailing-list', 'contpte-refold-other-folio.scn');
  const l = loadScn(readFileSync(file, 'utf8'), file, { readers, operations: builtinOperations() });
  if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
  const t = makeTarget(
    l.scenario,
    readers.get('contpte_ptep_get_lockless_nopfn')!,
    contractByName('no-false-dirty')!,
    'sc',
    arm64,
  );

  test('the witness of the full scenario, minimized: each kept __set_pte keeps its clear, and no run breaks BBM', () => {
    // A reads pte1 twice (FolioA); B runs its whole critical section (lock, unfold, 4 × clear + __set_pte of
    // FolioB, refold, unlock: 33 steps); C's DBM write dirties pte0 (the hw entry choice: option 0); A scans
    const spec = specOf(t.built);
    const trace = traceOf(spec, 'sc', [0, 0, ...Array<number>(33).fill(1), 2]);
    const r = runTarget(t, new TraceSource(trace));
    expect(r.judgement.verdict.kind === 'divergence' && r.judgement.verdict.class).toBe('false-dirty');
    const m = minimizeWitness(t, 'false-dirty', trace)!;
    expect(m).not.toBeNull();
    expect(m.run.judgement.verdict.kind === 'divergence' && m.run.judgement.verdict.class).toBe('false-dirty');
    const kept = (k: number, op: string): boolean => !m.dropped.some((d) => d.endsWith(`: ${op}(pte[${k}])`));
    for (let k = 0; k < 4; k++) {
      if (!m.dropped.some((d) => d.includes(`__set_pte(pte[${k}],`)))
        expect(kept(k, '__ptep_get_and_clear'), `pte${k}`).toBe(true);
    }
    expect(unbrokenChange(m.run.exec, m.target.built.subject)).toBeUndefined();
  });
});
