/**
 * The `gup-no-false-dirty` contract (src/compare/contracts.ts): no-false-dirty on the reads GUP-fast keeps. DOMAIN §C
 * S6 claims that the plain contpte gather's false dirty (Ryan Roberts' example 2, 2024-04-15) is caught by GUP-fast's
 * recheck; `no-false-dirty` judges every read, the recheck notwithstanding, so it cannot test that claim.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Target } from '../../src/campaign';
import { runTarget } from '../../src/campaign';
import { enumerate } from '../../src/engines';
import type { Arm64Ptep, ReaderDef } from '../../src/kernel';
import { arm64, builtinReaders } from '../../src/kernel';
import type { Program } from '../../src/machine';
import { READ_ONCE, begin, end } from '../../src/machine';
import { ScriptSource } from '../support/script';
import { scnTarget } from '../support/targets';

const ROOT = join(__dirname, '..', '..');

/** A reader that always reports dirty: one READ_ONCE, then pte_mkdirty(). */
const dirtyAlways: ReaderDef<Arm64Ptep> = {
  name: 'dirty_always',
  arch: 'arm64',
  contract: 'gup-no-false-dirty',
  source: 'test reader',
  summary: 'READ_ONCE, then pte_mkdirty()',
  read: function* (p): Program<bigint> {
    yield begin({ name: 'dirty_always', role: 'reader', subject: p.name, locs: [p.loc], args: p.loc.name });
    const v = arm64.mkdirty(yield READ_ONCE(p.loc));
    yield end(v);
    return v;
  },
};
const registry = builtinReaders();
registry.register(dirtyAlways as unknown as ReaderDef);

/** `.scn` text under sc, judged by `contract`, with the built-in readers and dirty_always */
const target = (text: string, file: string, reader: string, contract: string): Target =>
  scnTarget(text, file, reader, 'sc', { contract, readers: registry });

function corpusTarget(name: string, reader: string, contract: string): Target {
  const file = join('corpus', 'mailing-list', `${name}.scn`);
  return target(readFileSync(join(ROOT, file), 'utf8'), file, reader, contract);
}

interface Tally {
  executions: number;
  /** divergences by class */
  classes: Map<string, number>;
  /** divergent executions whose GUP-fast returned a page */
  divergentKept: number;
  judged: number;
  discarded: number;
}

/** Every schedule of at most `bound` preemptions under sc. */
function explore(t: Target, bound: number): Tally {
  const tally: Tally = { executions: 0, classes: new Map(), divergentKept: 0, judged: 0, discarded: 0 };
  let last: ReturnType<typeof runTarget> | undefined;
  enumerate(
    (source) => (last = runTarget(t, source)).exec,
    () => {
      const { exec, judgement } = last!;
      tally.executions++;
      tally.judged += judgement.invocations;
      tally.discarded += judgement.discarded;
      const v = judgement.verdict;
      if (v.kind !== 'divergence') return;
      tally.classes.set(v.class, (tally.classes.get(v.class) ?? 0) + 1);
      if (exec.ops.some((o) => o.mark.name === 'gup_fast' && o.result !== undefined)) tally.divergentKept++;
    },
    { preemptionBound: bound },
  );
  return tally;
}

describe('S6 inside GUP-fast (corpus/mailing-list/s6-contpte-remap-false-dirty-gup.scn), sc, preemption bound 2', () => {
  test('no-false-dirty: the plain gather reads a false dirty, and every time GUP-fast then gives up', () => {
    const x = explore(corpusTarget('s6-contpte-remap-false-dirty-gup', 'contpte_ptep_get', 'no-false-dirty'), 2);
    expect(x.executions).toBe(1844);
    expect(x.classes.get('false-dirty') ?? 0).toBeGreaterThan(0);
    expect(x.divergentKept).toBe(0);
    expect(x.discarded).toBe(0);
  });

  test('gup-no-false-dirty: no divergence; the reads of a GUP-fast that gave up are not judged, the others are', () => {
    const x = explore(corpusTarget('s6-contpte-remap-false-dirty-gup', 'contpte_ptep_get', 'gup-no-false-dirty'), 2);
    expect(x.executions).toBe(1844);
    expect([...x.classes]).toEqual([]);
    expect(x.discarded).toBeGreaterThan(0);
    expect(x.judged).toBeGreaterThan(0);
  });

  test('gup-no-false-dirty still judges a read outside GUP-fast: the bare reader of S6 diverges', () => {
    const x = explore(corpusTarget('s6-contpte-remap-false-dirty', 'contpte_ptep_get', 'gup-no-false-dirty'), 2);
    expect(x.classes.get('false-dirty') ?? 0).toBeGreaterThan(0);
    expect(x.discarded).toBe(0);
  });
});

describe('gup-no-false-dirty on a reader that always reports dirty', () => {
  const scn = (recheck: string): string => `scenario always-dirty
arch arm64
model sc
pte pte = 0x0068000000040fc3 # writable, young, clean
reader dirty_always
cpu A "GUP-fast" {
  gup_fast(pte, recheck=${recheck})
}
`;

  test('a read GUP-fast keeps (its lockless recheck reads dirty again) is judged: false-dirty', () => {
    const run = runTarget(
      target(scn('lockless'), 'always-dirty.scn', 'dirty_always', 'gup-no-false-dirty'),
      new ScriptSource([[0, 100]]),
    );
    expect(run.exec.ops.find((o) => o.mark.name === 'gup_fast')!.result).toBe(0x40n);
    expect(run.judgement.verdict).toMatchObject({ kind: 'divergence', class: 'false-dirty' });
    expect(run.judgement.discarded).toBe(0);
  });

  test('a read GUP-fast throws away (its ptep_get() recheck reads clean) is not judged', () => {
    const t = target(scn('ptep_get'), 'always-dirty.scn', 'dirty_always', 'gup-no-false-dirty');
    const run = runTarget(t, new ScriptSource([[0, 100]]));
    expect(run.exec.ops.find((o) => o.mark.name === 'gup_fast')!.result).toBeUndefined();
    expect(run.judgement.verdict.kind).toBe('agree');
    expect(run.judgement.discarded).toBe(1);
    expect(run.judgement.invocations).toBe(0);
    // no-false-dirty judges the same read
    const plain = target(scn('ptep_get'), 'always-dirty.scn', 'dirty_always', 'no-false-dirty');
    expect(runTarget(plain, new ScriptSource([[0, 100]])).judgement.verdict).toMatchObject({ class: 'false-dirty' });
  });
});

describe('gup-no-false-dirty judges a kept read up to the end of its GUP-fast', () => {
  // B unfolds FolioA's block; a DBM write dirties pte0 (FolioA's own page); B refolds it, dirty; GUP-fast's read1 of
  // pte3 began in the clean block and gathered pte0's dirt after the unfold, and its recheck finds the refolded block
  // dirty: the value it keeps is the block's as of the recheck (the campaign's witness, found by the coverage engine)
  const SCN = `scenario refold-dirty
arch arm64
model sc
pte pte = [0x0078000000040fc3, 0x0078000000041fc3, 0x0078000000042fc3, 0x0078000000043fc3]
reader contpte_ptep_get
cpu A "GUP-fast of pte3" {
  gup_fast(pte[3])
}
cpu B "unfold, refold" {
  contpte_unfold(pte[0])
  contpte_try_fold(pte[3])
}
cpu C "write via pte0 (DBM)" {
  hw_access(pte[0], where=target)
}
`;
  // A: IRQs off, pte3; B: unfold up to its repaint of pte0; C: dirty pte0; A: pte0..pte3 (read1 ends);
  // B: the rest of the unfold, and the refold; A: grab, recheck, IRQs on
  const script = (): ScriptSource =>
    new ScriptSource([
      [0, 2],
      [1, 7],
      [2, 1],
      [0, 4],
      [1, 16],
      [0, 100],
    ]);

  test('kept, dirty as of the recheck: agree; judged against its own read window alone it would be false-dirty', () => {
    const run = runTarget(target(SCN, 'refold-dirty.scn', 'contpte_ptep_get', 'gup-no-false-dirty'), script());
    const gup = run.exec.ops.find((o) => o.mark.name === 'gup_fast')!;
    expect(gup.result).toBe(0x43n);
    const read1 = run.judgement.judged[0]!;
    expect(arm64.dirty(read1.op.result!)).toBe(true);
    expect(read1.window.allowed.some((v) => arm64.dirty(v) && arm64.pfn(v) === 0x43n)).toBe(true);
    expect(run.judgement.verdict.kind).toBe('agree');
    const plain = runTarget(target(SCN, 'refold-dirty.scn', 'contpte_ptep_get', 'no-false-dirty'), script());
    expect(plain.judgement.verdict).toMatchObject({ kind: 'divergence', class: 'false-dirty', op: read1.op.id });
  });
});

describe('S6 ABA inside GUP-fast (corpus/mailing-list/s6-contpte-aba-gup.scn): GUP-fast keeps a false dirty', () => {
  const file = join('corpus', 'mailing-list', 's6-contpte-aba-gup.scn');
  const text = readFileSync(join(ROOT, file), 'utf8');
  // A: IRQs off, read1's pte3 (folded, clean); B: FolioB at pte0 (dirty); A: the rest of the gather (FolioB's dirt),
  // grab; B: FolioA back, refold; A: the recheck's pte3 (folded again, clean); B: FolioB again; A: the rest, IRQs on.
  // `gather`: read1's loads after pte3: pte0..pte3, or two of pte0 for the 2025 scan, which stops once dirty and
  // young are both found (its dirty test and its young test each load the entry)
  const script = (gather: number): ScriptSource =>
    new ScriptSource([
      [0, 2],
      [1, 15],
      [0, gather + 1],
      [1, 23],
      [0, 1],
      [1, 15],
      [0, 100],
    ]);

  for (const [reader, gather] of [
    ['contpte_ptep_get', 4],
    ['contpte_ptep_get@2025', 2],
  ] as const) {
    test(`${reader}: read1 and the recheck agree on a dirty FolioA never had`, () => {
      const run = runTarget(target(text, file, reader, 'gup-no-false-dirty'), script(gather));
      expect(run.exec.ops.find((o) => o.mark.name === 'gup_fast')!.result).toBe(0x43n);
      const v = run.judgement.verdict;
      expect(v).toMatchObject({ kind: 'divergence', class: 'false-dirty', observed: 0x00f0000000043fc3n });
      // no value of pte3 over the whole GUP-fast was dirty
      expect(run.judgement.judged[0]!.window.allowed.some((a) => arm64.dirty(a))).toBe(false);
    });
  }

  test('contpte_ptep_get_lockless: the same schedule finds the FolioB entry, retries, and keeps nothing dirty', () => {
    const run = runTarget(target(text, file, 'contpte_ptep_get_lockless', 'gup-no-false-dirty'), script(4));
    expect(run.judgement.verdict.kind).toBe('agree');
    expect(run.judgement.judged.every((j) => !arm64.dirty(j.op.result!))).toBe(true);
  });
});

describe("gup-no-false-dirty does not judge GUP-fast's recheck on its own", () => {
  // pte1 dirty: read1 returns FolioA's CONT pte3 with its block's real dirt. B cleans the block and refolds it, then
  // remaps FolioB (dirty) at pte0: the recheck's plain gather rebuilds read1's value from FolioB's dirt, and GUP-fast
  // keeps read1's value. Judged on its own window, the recheck (an invocation of contpte_ptep_get too) was `stale`
  // in 28 of these 8902 executions; the value GUP-fast kept is read1's, which its own window allows
  const SCN = `scenario recheck-only
arch arm64
model sc
pte pte = [0x0070000000040fc3, 0x00f0000000041fc3, 0x0070000000042fc3, 0x0070000000043fc3]
reader contpte_ptep_get
cpu A "GUP-fast of pte3" {
  gup_fast(pte[3], write=false)
}
cpu B "clean, refold, FolioB" {
  spin_lock(ptl)
  contpte_unfold(pte[0])
  __ptep_get_and_clear(pte[0])
  __set_pte(pte[0], 0x0060000000040fc3)
  __ptep_get_and_clear(pte[1])
  __set_pte(pte[1], 0x0060000000041fc3)
  __ptep_get_and_clear(pte[2])
  __set_pte(pte[2], 0x0060000000042fc3)
  __ptep_get_and_clear(pte[3])
  __set_pte(pte[3], 0x0060000000043fc3)
  contpte_try_fold(pte[3])
  spin_unlock(ptl)
  spin_lock(ptl)
  contpte_unfold(pte[0])
  __ptep_get_and_clear(pte[0])
  __set_pte(pte[0], 0x00e8000000080f43)
  spin_unlock(ptl)
}
`;

  test('sc, preemption bound 3: no divergence; every kept GUP-fast has one judged read, its read1', () => {
    const t = target(SCN, 'recheck-only.scn', 'contpte_ptep_get', 'gup-no-false-dirty');
    const x = explore(t, 3);
    expect(x.executions).toBe(8902);
    expect([...x.classes]).toEqual([]);
    let last: ReturnType<typeof runTarget> | undefined;
    let kept = 0;
    enumerate(
      (source) => (last = runTarget(t, source)).exec,
      () => {
        const g = last!.exec.ops.find((o) => o.mark.name === 'gup_fast')!;
        if (g.result === undefined) return;
        kept++;
        const reads = last!.exec.ops.filter((o) => o.mark.name === 'contpte_ptep_get' && o.done);
        expect(reads.length).toBe(2);
        expect(last!.judgement.judged.map((j) => j.op.id)).toEqual([reads[0]!.id]);
      },
      { preemptionBound: 1 },
    );
    expect(kept).toBeGreaterThan(0);
  });
});
