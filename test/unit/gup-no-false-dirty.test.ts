/**
 * The `gup-no-false-dirty` contract (src/compare/contracts.ts): no-false-dirty on the reads GUP-fast keeps. DOMAIN §C
 * S6 claims that the plain contpte gather's false dirty (Ryan Roberts' example 2, 2024-04-15) is caught by GUP-fast's
 * recheck; `no-false-dirty` judges every read, the recheck notwithstanding, so it cannot test that claim.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Target } from '../../src/campaign';
import { makeTarget, runTarget } from '../../src/campaign';
import { contractByName } from '../../src/compare';
import { enumerate } from '../../src/engines';
import type { Arm64Ptep, ReaderDef } from '../../src/kernel';
import { ARCHES, arm64, builtinOperations, builtinReaders } from '../../src/kernel';
import type { Program } from '../../src/machine';
import { READ_ONCE, begin, end } from '../../src/machine';
import { loadScn } from '../../src/scenario';
import { ScriptSource } from '../support/script';

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

function target(text: string, file: string, reader: string, contract: string, model: 'sc' | 'weak' = 'sc'): Target {
  const l = loadScn(text, file, { readers: registry, operations: builtinOperations() });
  if (l.kind !== 'kernel') throw new Error(`${file}: not a kernel scenario`);
  return makeTarget({ ...l.scenario, file }, registry.get(reader)!, contractByName(contract)!, model, ARCHES.arm64!);
}

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
