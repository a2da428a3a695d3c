import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { arm64, builtinOperations, builtinReaders, x86Pae } from '../../src/kernel';
import { TraceSource } from '../../src/machine';
import { contractByName } from '../../src/compare';
import type { Call, Scenario } from '../../src/scenario';
import { S2_SCN, builtinScenario, loadScn, parseScn, printScn } from '../../src/scenario';
import { RandomSource, deriveSeed } from '../../src/engines';
import {
  BreakBeforeMakeMissing,
  CAMPAIGN_MINIMIZE_SCHEDULES,
  WritersNotSerialised,
  makeTarget,
  minimizeWitness,
  runTarget,
  specOf,
} from '../../src/campaign';
import {
  MAX_PAIR_CANDIDATES,
  PROGRAM_PASSES,
  cpuBlocks,
  dropCpu,
  dropStatement,
  mergeDropped,
} from '../../src/minimize';
import { traceOf } from '../support/schedule';

const ctx = { readers: builtinReaders(), operations: builtinOperations() };

function firstDivergence(s: Scenario, reader: string, model: 'sc' | 'tso' | 'weak') {
  const t = makeTarget(s, builtinReaders().get(reader)!, contractByName('non-torn')!, model, x86Pae);
  for (let i = 0; i < 10_000; i++) {
    const r = runTarget(t, new RandomSource(`prog/${i}`));
    if (r.judgement.verdict.kind === 'divergence') return { t, r, cls: r.judgement.verdict.class };
  }
  throw new Error('no divergence found');
}

// S2 with a CPU that has nothing to do with the pte: raw accesses of its own location
const NOISY = S2_SCN.replace('pte pte =', 'loc x: u32 = 0\npte pte =').concat(
  '\ncpu C "noise" {\n  r0 = READ_ONCE(x)\n  WRITE_ONCE(x, r0)\n  smp_mb()\n}\n',
);

describe('program passes (drop operations, drop CPUs)', () => {
  test('edits on the syntax tree print as the file without that call or CPU block', () => {
    const f = parseScn(S2_SCN, 's2.scn');
    expect(cpuBlocks(f).map((b) => b.name)).toEqual(['A', 'B']);
    expect(printScn(dropStatement(f, 1, 0))).toBe(S2_SCN.replace(/\n {2}pte_clear\(pte\)[^\n]*/, ''));
    expect(printScn(dropCpu(f, 1))).toBe(S2_SCN.replace(/\n\ncpu B[\s\S]*?\n\}/, ''));
  });

  test('a dropped CPU absorbs the operations dropped from it before; the list is sorted', () => {
    expect(mergeDropped(['cpu C "f": op(pte)'], ['cpu C "f"', 'cpu B'])).toEqual(['cpu B', 'cpu C "f"']);
    expect(mergeDropped(['cpu C: a(pte)'], ['cpu B: b(pte)'])).toEqual(['cpu B: b(pte)', 'cpu C: a(pte)']);
  });

  test('S2 + an unrelated CPU, ptep_get under sc: the noise CPU and one of the two writers go; the result replays', () => {
    const l = loadScn(NOISY, 'noisy.scn', ctx);
    if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
    const { t, r, cls } = firstDivergence(l.scenario, 'ptep_get', 'sc');
    const m = minimizeWitness(t, cls, r.exec.trace)!;
    expect(m.dropped).toContain('cpu C "noise"');
    expect(m.dropped).toHaveLength(2);
    expect(m.target.scenario.reduced).toEqual({ source: 'file', dropped: m.dropped });
    expect(m.target.scenario.name).toBe('s2-pae-zap-reestablish');
    // the reduced program: the reader CPU and one single-operation writer
    const reduced = parseScn(m.target.scenario.text!, 'reduced.scn');
    const blocks = cpuBlocks(reduced);
    expect(blocks.map((b) => b.name)).toEqual(['A', 'B']);
    expect(blocks[1]!.body.filter((s) => s.kind === 'call')).toHaveLength(1);
    const v = m.run.judgement.verdict;
    expect(v.kind === 'divergence' && v.class).toBe(cls);
    expect(m.tries).toBeGreaterThan(0);
  });

  test('S1 inside GUP-fast (a built-in .scn text), ptep_get under sc: only the reader and one zap are left', () => {
    // before it was a .scn text every witness kept all four CPUs: C's and D's faults run after the read
    const s = builtinScenario('s1-pae-gup-fast-broadcast-forceflush')!;
    expect(s.ast).toBeDefined();
    const { t, r, cls } = firstDivergence(s, 'ptep_get', 'sc');
    const m = minimizeWitness(t, cls, r.exec.trace)!;
    expect(m.target.scenario.reduced?.source).toBe('builtin');
    expect(m.dropped).toContain('cpu D "fault"');
    const blocks = cpuBlocks(m.target.scenario.ast!.file);
    expect(blocks.map((b) => b.name)).toHaveLength(2);
    expect(blocks[0]!.name).toBe('A');
    const calls = blocks[1]!.body.flatMap((x) => (x.kind === 'call' ? [x.name] : []));
    expect(calls).toEqual(['zap_pte_range']);
    const v = m.run.judgement.verdict;
    expect(v.kind === 'divergence' && v.class).toBe('torn');
  });

  test("S3, ptep_get under tso: the PTL around pte_clear stays — A's fault path takes it too (was: dropped)", () => {
    // the crash file the quick start wrote: B's spin_lock/spin_unlock(ptl) dropped, valid for its witness (A's
    // fault path only read), but a program on which the fault path's set_pte and the unlocked pte_clear interleave
    const s = builtinScenario('s3-pae-fault-garbage')!;
    const { ast, ...bare } = s;
    expect(ast).toBeDefined();
    expect(ast!.takes(cpuBlocks(ast!.file)[0]!.body.find((x) => x.kind === 'call') as Call)).toEqual(['ptl']);
    const { t, r, cls } = firstDivergence(s, 'ptep_get', 'tso');
    const m = minimizeWitness(t, cls, r.exec.trace, undefined, undefined, CAMPAIGN_MINIMIZE_SCHEDULES)!;
    expect(m.dropped).toEqual([]);
    const v = m.run.judgement.verdict;
    expect(v.kind === 'divergence' && v.class).toBe('torn');
    const locks = (x: typeof m): string[] =>
      x.run.exec.events.filter((e) => e.cpu === 1 && /spin_(un)?lock/.test(e.name)).map((e) => e.name);
    expect(locks(m)).toEqual(['spin_lock', 'spin_unlock']);
    // the program the minimizer used to write: the reference refuses some of its schedules, even for the reader
    // S3 expects correct — on the crash-file regression test's schedules (test/regression/crashes.test.ts): 5 of 2000
    const f = dropStatement(ast!.file, 1, 0, 2);
    expect(printScn(f)).not.toContain('spin_lock');
    const unlocked = ast!.lower(f);
    const u = makeTarget(
      unlocked,
      builtinReaders().get('ptep_get_atomic64')!,
      contractByName('non-torn')!,
      'tso',
      x86Pae,
    );
    const refused = Array.from({ length: 200 }, (_, i) => i).filter((i) => {
      try {
        runTarget(u, new RandomSource(deriveSeed('reduced-control', i)));
        return false;
      } catch (e) {
        if (e instanceof WritersNotSerialised) return true;
        throw e;
      }
    });
    expect(refused.length).toBeGreaterThan(0);
    // without the syntax tree, as the TypeScript scenario was, the trace passes alone: nothing dropped either
    const { t: tb } = firstDivergence(bare, 'ptep_get', 'tso');
    expect(minimizeWitness(tb, cls, r.exec.trace)!.dropped).toEqual([]);
  });

  describe('a spin_lock goes only with its spin_unlock, and only when no other CPU takes that lock', () => {
    // two zap + re-establish CPUs under the PTL (test/fixtures/serialised-writers.scn); the torn reads of
    // ptep_get_lockless under tso. Was: the drop-operation pass dropped C's spin_lock alone (a bare
    // spin_unlock of a free lock was accepted), and the witness showed C's unlock with no lock: with these two
    // seeds (searched for on the code before), B's in one, C's in the other. Then: the pair went while the other
    // CPU's section stayed, and the two writers could interleave.
    const FIXTURE = readFileSync(join(__dirname, '..', 'fixtures', 'serialised-writers.scn'), 'utf8');
    const minimized = (text: string, k: number) => {
      const l = loadScn(text, 's2ptl.scn', ctx);
      if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
      const t = makeTarget(
        l.scenario,
        builtinReaders().get('ptep_get_lockless')!,
        contractByName('non-torn')!,
        'tso',
        x86Pae,
      );
      let found;
      for (let i = 0; i < 10_000 && found === undefined; i++) {
        const r = runTarget(t, new RandomSource(`lock-pairs/${k}/${i}`));
        if (r.judgement.verdict.kind === 'divergence') found = { r, cls: r.judgement.verdict.class };
      }
      return minimizeWitness(t, found!.cls, found!.r.exec.trace)!;
    };
    const bodies = (m: ReturnType<typeof minimized>) =>
      new Map(
        cpuBlocks(m.target.scenario.ast!.file).map((b) => [
          b.name,
          b.body.flatMap((x) => (x.kind === 'call' ? [x.name] : [])),
        ]),
      );

    test('B and C both under the PTL: a CPU loses its lock pair only with the other CPU gone', () => {
      for (const k of [32, 34]) {
        const m = minimized(FIXTURE, k);
        const left = bodies(m);
        for (const cpu of ['B', 'C']) {
          const prefix = `cpu ${cpu} "zap + re-establish": spin_`;
          const dropped = m.dropped.filter((d) => d.startsWith(prefix)).map((d) => d.slice(prefix.length));
          // both or neither
          expect([[], ['lock(ptl)', 'unlock(ptl)']]).toContainEqual(dropped);
          const calls = left.get(cpu) ?? [];
          expect(calls.filter((c) => c === 'spin_lock')).toHaveLength(calls.filter((c) => c === 'spin_unlock').length);
          const other = left.get(cpu === 'B' ? 'C' : 'B');
          if (dropped.length > 0) expect(other).toBeUndefined();
          if (other !== undefined && calls.length > 0) expect(calls).toContain('spin_lock');
        }
      }
    });

    test('B alone under the PTL (C dropped from the fixture): the pair goes', () => {
      const alone = FIXTURE.replace(/\ncpu C[\s\S]*?\n\}/, '');
      expect(alone).not.toContain('cpu C');
      let pairs = 0;
      for (const k of [32, 34]) {
        const m = minimized(alone, k);
        if (m.dropped.includes('cpu B "zap + re-establish": spin_lock(ptl)')) pairs++;
        const calls = bodies(m).get('B') ?? [];
        expect(calls.filter((c) => c === 'spin_lock')).toHaveLength(calls.filter((c) => c === 'spin_unlock').length);
      }
      expect(pairs).toBeGreaterThan(0);
    });
  });

  test('the pair pass: two calls of one CPU, nearest first, at most 64 (a CPU of 12 calls has 66 pairs)', () => {
    expect(MAX_PAIR_CANDIDATES).toBe(64);
    const body = Array.from({ length: 12 }, (_, k) => `  WRITE_ONCE(x, ${k})`).join('\n');
    const f = parseScn(NOISY.replace(/cpu C "noise" \{[^}]*\}/, `cpu C "noise" {\n${body}\n}`), 'noisy.scn');
    const pairs = PROGRAM_PASSES.find((p) => p.name === 'drop-pairs')!
      .edits(f)
      .map((e) => e.dropped);
    // A has one call and B's two are its whole body (drop-cpus' candidate): C's alone
    expect(pairs).toHaveLength(64);
    const w = (k: number): string => `cpu C "noise": WRITE_ONCE(x, ${k})`;
    expect(pairs.slice(0, 3)).toEqual([
      [w(0), w(1)],
      [w(1), w(2)],
      [w(2), w(3)],
    ]);
    expect(pairs[11]).toEqual([w(0), w(2)]);
    // the 2 farthest (1 and 11, 0 and 11) are left out
    expect(pairs.slice(-1)).toEqual([[w(0), w(10)]]);
  });

  describe('a clear and its make go together where neither goes alone (test/fixtures/remap-then-dirty.scn)', () => {
    const FIXTURE = readFileSync(join(__dirname, '..', 'fixtures', 'remap-then-dirty.scn'), 'utf8');
    const CLEAR = '  __ptep_get_and_clear(pte[0])\n';
    const MAKE = / {2}__set_pte\(pte\[0\], [^\n]*\n/;
    const target = (text: string) => {
      const l = loadScn(text, 'remap-then-dirty.scn', ctx);
      if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
      return makeTarget(l.scenario, builtinReaders().get('contpte_ptep_get')!, contractByName('exact')!, 'sc', arm64);
    };
    // A reads pte3 (CONT, FolioA); B runs `steps` steps (the unfold: 10; the clear: 1; the make: 1); C's DBM write
    // dirties pte0 (after the make); A gathers pte0..pte3
    const schedule = (t: ReturnType<typeof target>, steps: number) =>
      traceOf(specOf(t.built), 'sc', [0, ...Array<number>(steps).fill(1), 2]);
    const verdict = (text: string, steps: number) => {
      const t = target(text);
      return runTarget(t, new TraceSource(schedule(t, steps))).judgement.verdict;
    };

    test('the premise, on that schedule: the whole program diverges, without the make it does not, without the clear it breaks BBM', () => {
      const v = verdict(FIXTURE, 12);
      expect(v.kind === 'divergence' && v.class).toBe('false-dirty');
      expect(verdict(FIXTURE.replace(MAKE, ''), 11).kind).not.toBe('divergence');
      expect(() => verdict(FIXTURE.replace(CLEAR, ''), 11)).toThrow(BreakBeforeMakeMissing);
      // and without both, the false-dirty of the unfold alone
      const w = verdict(FIXTURE.replace(CLEAR, '').replace(MAKE, ''), 10);
      expect(w.kind === 'divergence' && w.class).toBe('false-dirty');
    });

    test('the minimized witness keeps neither (was: both, the single-call pass could drop neither)', () => {
      const t = target(FIXTURE);
      const m = minimizeWitness(t, 'false-dirty', schedule(t, 12))!;
      expect(m.dropped).toEqual([
        'cpu B "unfold, remap pte0 to FolioB": __ptep_get_and_clear(pte[0])',
        'cpu B "unfold, remap pte0 to FolioB": __set_pte(pte[0], 0x0068000000080fc3)',
      ]);
      const blocks = cpuBlocks(parseScn(m.target.scenario.text!, 'reduced.scn'));
      expect(blocks.map((b) => b.body.flatMap((x) => (x.kind === 'call' ? [x.name] : [])))).toEqual([
        ['reader'],
        ['contpte_unfold'],
        ['hw_access'],
      ]);
      const v = m.run.judgement.verdict;
      expect(v.kind === 'divergence' && v.class).toBe('false-dirty');
    });
  });
});
