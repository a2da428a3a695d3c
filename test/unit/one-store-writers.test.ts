import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ChoiceSource, ModelKind } from '../../src/machine';
import { TraceSource } from '../../src/machine';
import { arm64, builtinOperations, builtinReaders } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import { loadScn } from '../../src/scenario';
import type { Target } from '../../src/campaign';
import { makeTarget, runTarget, specOf } from '../../src/campaign';
import { ROOT } from '../support/cli';
import { ScriptSource } from '../support/script';
import { traceOf } from '../support/schedule';

/**
 * reference/history.ts commitPoints: a writer that makes one store commits where that store takes its place in
 * memory, not where the writer finishes. Two user scenarios with no lock (test/fixtures), each run on a
 * hand-written schedule; the values are written by hand from the descriptor layout (DOMAIN §A3.1), and the
 * expected histories are memory's order of the stores, read off the schedule.
 */
function target(fixture: string, reader: string, model: ModelKind): Target {
  const file = join(ROOT, 'test', 'fixtures', fixture);
  const l = loadScn(readFileSync(file, 'utf8'), file, { readers: builtinReaders(), operations: builtinOperations() });
  if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
  const r = builtinReaders().get(reader)!;
  return makeTarget(l.scenario, r, contractByName(r.contract)!, model, arm64);
}

function run(t: Target, source: ChoiceSource) {
  const r = runTarget(t, source);
  const h = r.judgement.history!;
  return { r, h, names: h.ops.map((o) => `${o.mark.name} on ${o.cpu}`) };
}

describe('two __set_pte of one pte with no lock, under tso: committed in the order they drained', () => {
  const X = 0x0078000000040fc3n; // valid pfn=0x40 CONT, PXN set (cpu B)
  const Y = 0x0058000000040fc3n; // the same with PXN clear (cpu C)
  // B issues X (step 0); C issues Y (1); C's buffer drains (drain choices: 1 = none yet, 3 = the second CPU with
  // a non-empty buffer, C), then none; A's contpte_ptep_get_lockless reads Y (2); B's X drains (0 = all), A re-reads
  // X (3, 4) and returns it: memory held X from step 3 on, while A read
  const script = (): ScriptSource =>
    new ScriptSource(
      [
        [1, 1],
        [2, 1],
        [0, 3],
      ],
      { drain: [1, 3, 1, 0] },
    );

  test('the history lists Y (drained first) before X, each drain named, and the read of X agrees', () => {
    const { r, h, names } = run(target('unlocked-set-pte.scn', 'contpte_ptep_get_lockless', 'tso'), script());
    expect(r.exec.final[0]).toBe(X);
    expect(h.values).toEqual([0n, Y, X]);
    expect(names).toEqual(['__set_pte on 2', '__set_pte on 1']);
    expect(h.ops.map((o) => h.placed!.get(o.id)).map((e) => [e!.cpu, e!.kind, e!.step])).toEqual([
      [2, 'drain', 2],
      [1, 'drain', 3],
    ]);
    // before: X (finished first) then Y, a window of Y alone — a false `stale`
    expect(r.judgement.verdict).toEqual({ kind: 'agree' });
    expect(r.judgement.judged[0]!.window.allowed).toEqual([Y, X]);
  });

  test('under sc the same writers finish where they store: finish order, nothing placed', () => {
    const t = target('unlocked-set-pte.scn', 'contpte_ptep_get_lockless', 'sc');
    const { h, names } = run(t, new TraceSource(traceOf(specOf(t.built), 'sc', [1, 2])));
    expect(h.values).toEqual([0n, X, Y]);
    expect(names).toEqual(['__set_pte on 1', '__set_pte on 2']);
    expect(h.placed).toBeUndefined();
  });
});

describe('a one-store writer that goes on after its store: committed at its store', () => {
  // pte3 before: CONT pfn=0x43, writable-clean, old; B's cmpxchg makes it at least as permissive as the entry
  // (AF, software and hardware dirty): M; C's __set_pte writes Z (CONT, not writable); the block's view ORs the
  // access/dirty bits of pte0..pte2 (young, dirty) into a valid CONT pte3
  const M = 0x00f8000000043f43n;
  const Z = 0x0070000000043bc3n;
  const Z_VIEW = 0x00f0000000043fc3n; // Z, young and software-dirty from the siblings
  // B: read pte3, gather pte0..pte3, read pte0..pte2 (equal to the entry: no store), read pte3 and cmpxchg it
  // (steps 0..9); C's __set_pte (10); B's TLBI (11); A reads pte3 (12)
  const schedule = [...Array<number>(10).fill(1), 2, 1];

  test('the history lists B (its store at step 9) before C (step 10), although B finished last', () => {
    const t = target('access-flags-then-tlbi.scn', '__ptep_get', 'sc');
    const { r, h, names } = run(t, new TraceSource(traceOf(specOf(t.built), 'sc', schedule)));
    expect(r.exec.final[3]).toBe(Z);
    // v0, pte3 before with its block's young and dirty OR-ed in, reads as M too
    expect(h.values).toEqual([M, M, Z_VIEW]);
    expect(names).toEqual(['ptep_set_access_flags on 1', '__set_pte on 2']);
    expect([...h.placed!].map(([id, e]) => [h.ops.find((o) => o.id === id)!.end, e.kind, e.step])).toEqual([
      [11, 'rmw', 9],
    ]);
    expect(r.judgement.verdict).toEqual({ kind: 'agree' });
  });
});
