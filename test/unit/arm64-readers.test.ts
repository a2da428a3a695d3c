import { describe, expect, test } from 'vitest';
import type { Program } from '../../src/machine';
import { MODEL_KINDS, TraceSource, WRITE_ONCE, begin, end, execute, xchg_relaxed } from '../../src/machine';
import type { EntriesSpec, ReaderDef } from '../../src/kernel';
import { ARM64, arm64, arm64Mk, builtinReaders } from '../../src/kernel';
import { contractByName, judge } from '../../src/compare';
import { arm64BlockMemory } from '../../src/scenario/builtin/arm64-common';
import { traceOf } from '../support/schedule';

const registry = builtinReaders();
const reader = (name: string): ReaderDef => registry.get(name)!;
const exact = contractByName('exact')!;
const adRelaxed = contractByName('ad-relaxed')!;

// A folded block of 4 mapping pfn 0x40..0x43, writable; entry 0 hardware-dirty, entry 2 young.
const E = [0, 1, 2, 3].map((i) => arm64Mk(0x40n + BigInt(i), { write: true, cont: true }));
E[0] = E[0]! & ~ARM64.RDONLY;
E[2] = E[2]! | ARM64.AF;
// what ptep_get() of entry 3 returns with the PTL held: entry 3 made dirty (SW DIRTY, RDONLY cleared) and young
const GATHERED3 = (E[3]! | ARM64.DIRTY | ARM64.AF) & ~ARM64.RDONLY;

const BLOCK_READERS = [
  '__ptep_get',
  'ptep_get_lockless_norecency',
  'contpte_ptep_get',
  'contpte_ptep_get@2025',
  'contpte_ptep_get_lockless',
  'contpte_ptep_get_lockless@2025',
];

describe('arm64 readers alone on a folded block (no writer)', () => {
  for (const name of BLOCK_READERS) {
    const raw = name === '__ptep_get' || name === 'ptep_get_lockless_norecency';
    for (const model of MODEL_KINDS) {
      test(`${name} under ${model}: ${raw ? 'the raw descriptor (no gather)' : 'entry 3 with the block A/D'}`, () => {
        const m = arm64BlockMemory(E, 3);
        const exec = execute(
          { locations: m.locations, cpus: [{ name: 'reader', program: () => reader(name).read(m.ptep(3)) }] },
          model,
          new TraceSource([]),
        );
        expect(exec.ops[0]!.result).toBe(raw ? E[3] : GATHERED3);
        // the reference's value of entry 3 is the gathered one
        expect(m.subject.initial).toBe(GATHERED3);
        expect(judge(exec, name, m.subject, exact, arm64).verdict.kind).toBe(raw ? 'divergence' : 'agree');
        expect(judge(exec, name, m.subject, adRelaxed, arm64).verdict).toEqual({ kind: 'agree' });
      });
    }
  }

  test('a non-CONT entry is returned raw by every reader, after one load', () => {
    const lone = arm64Mk(0x99n, { write: true, young: true });
    for (const name of BLOCK_READERS) {
      const m = arm64BlockMemory([lone], 0);
      const exec = execute(
        { locations: m.locations, cpus: [{ name: 'reader', program: () => reader(name).read(m.ptep(0)) }] },
        'sc',
        new TraceSource([]),
      );
      expect(exec.ops[0]!.result).toBe(lone);
      expect(exec.events.filter((e) => e.kind === 'load')).toHaveLength(1);
    }
  });

  test('load counts: full scan reads target + 4; lockless reads target twice + 4; 2025 forms stop early', () => {
    const loads = (name: string): number => {
      const m = arm64BlockMemory(E, 3);
      const exec = execute(
        { locations: m.locations, cpus: [{ name: 'r', program: () => reader(name).read(m.ptep(3)) }] },
        'sc',
        new TraceSource([]),
      );
      return exec.events.filter((e) => e.kind === 'load').length;
    };
    expect(loads('contpte_ptep_get')).toBe(5);
    expect(loads('contpte_ptep_get_lockless')).toBe(6);
    // entry 0 dirty → re-read entry 0, entry 1 (not young), entry 2 (young) → stop: target + 0 + 0,1,2
    expect(loads('contpte_ptep_get@2025')).toBe(5);
    expect(loads('contpte_ptep_get_lockless@2025')).toBe(6);
  });
});

/** A test writer on the block: clear every entry (xchg), then write them back non-CONT with the gathered A/D. */
function* unfoldByHand(m: ReturnType<typeof arm64BlockMemory>): Program {
  const after = E.map((e) => (arm64.mkyoung(arm64.mkdirty(e)) & ~ARM64.CONT) as bigint);
  const spec: EntriesSpec = {
    describe: 'unfold',
    transient: { describe: 'break', entries: () => new Map(m.block.map((l) => [l.id, 0n])) },
    entries: () => new Map(m.block.map((l, i) => [l.id, after[i]!])),
  };
  yield begin({ name: 'unfold', role: 'writer', subject: 'ptes', spec });
  for (const l of m.block) yield xchg_relaxed(l, 0n);
  for (let i = 0; i < 4; i++) yield WRITE_ONCE(m.block[i]!, after[i]!);
  yield end();
}

describe('arm64 readers racing an unfold (hand-written schedules)', () => {
  const run = (name: string, schedule: number[]) => {
    const m = arm64BlockMemory(E, 3);
    const spec = {
      locations: m.locations,
      cpus: [
        { name: 'A', program: () => reader(name).read(m.ptep(3)) },
        { name: 'B', program: () => unfoldByHand(m) },
      ],
    };
    const trace = traceOf(spec, 'sc', schedule);
    const exec = execute(spec, 'sc', new TraceSource(trace));
    return { exec, m, j: (c = exact) => judge(exec, name, m.subject, c, arm64) };
  };
  // A reads the target (still CONT), B clears all four entries, A gathers zeros
  const midClear = [0, 1, 1, 1, 1, 0, 0, 0, 0];

  test('contpte_ptep_get (no validation) returns entry 3 clean: false-clean under exact, fine under ad-relaxed', () => {
    const { exec, j } = run('contpte_ptep_get', midClear);
    expect(exec.ops[0]!.result).toBe(E[3]);
    const v = j().verdict;
    expect(v.kind === 'divergence' && v.class).toBe('false-clean');
    expect(j(adRelaxed).verdict.kind).toBe('agree');
  });

  test('contpte_ptep_get_lockless mid-break: a zero sibling → retry → the target is none (the break-before-make state)', () => {
    // A: __ptep_get, re-read target; B clears all four; A reads entry 0 = 0, retries, reads the target = 0
    const { exec, j } = run('contpte_ptep_get_lockless', [0, 0, 1, 1, 1, 1, 0]);
    const op = exec.ops.find((o) => o.mark.role === 'reader')!;
    expect(op.retries).toBe(1);
    expect(op.result).toBe(0n);
    expect(j().verdict.kind).toBe('agree');
  });

  test('contpte_ptep_get_lockless after the whole unfold: entry 0 is not CONT → retry → the unfolded target', () => {
    const { exec, j } = run('contpte_ptep_get_lockless', [0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    const op = exec.ops.find((o) => o.mark.role === 'reader')!;
    expect(op.retries).toBe(1);
    expect(op.result).toBe(arm64.mkyoung(arm64.mkdirty(E[3]!)) & ~ARM64.CONT);
    expect(j().verdict.kind).toBe('agree');
  });
});
