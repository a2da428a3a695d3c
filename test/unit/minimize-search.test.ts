import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { arm64, builtinOperations, builtinReaders } from '../../src/kernel';
import type { ReaderRegistry } from '../../src/kernel';
import type { ChoiceSource } from '../../src/machine';
import type { ExecutionWatch } from '../../src/campaign';
import {
  MisprogrammedContiguousRange,
  crashTarget,
  makeTarget,
  minimizeWitness,
  runTarget,
  specOf,
} from '../../src/campaign';
import { contractByName } from '../../src/compare';
import { loadCrash } from '../../src/crash';
import { RandomSource, deriveSeed } from '../../src/engines';
import { cpuBlocks } from '../../src/minimize';
import { loadScn } from '../../src/scenario';
import { loadReaderModule } from '../../src/cli/reader-modules';
import { ROOT } from '../support/cli';
import { traceOf } from '../support/schedule';

/**
 * The program passes' schedule search (`minimize --schedules N`, src/minimize/program.ts). A committed crash file
 * (read, never written): S2-nowmb's torn ptep_get_lockless witness under weak, whose CPU B clears the pte and
 * re-establishes it. Without the set_pte the program still tears under weak — the barrier-less pte_clear's two
 * halves observed out of order —, but not under the witness's schedule carried over: only under schedules of its
 * own. Without the pte_clear its set_pte writes over a present pte, outside the PAE writers' contract: refused.
 */
const NAME = 's2-pae-zap-reestablish-nowmb.ptep_get_lockless.non-torn.weak.torn.263c2d3e9e6a.msgpack';
const FILE = join(__dirname, '..', '..', 'crashes', NAME);
const CLEAR = 'cpu B "zap + re-establish": pte_clear(pte, barriers=false)';
const SET = 'cpu B "zap + re-establish": set_pte(pte, {0x00010002:0x00020067}, barriers=false)';

function minimize(schedules: number, watch?: ExecutionWatch) {
  const crash = loadCrash(FILE);
  const t = crashTarget(crash, FILE, builtinReaders());
  const cls = crash.verdict.kind === 'divergence' ? crash.verdict.class : '';
  expect(cls).toBe('torn');
  return minimizeWitness(t, cls, crash.trace, undefined, watch, schedules)!;
}

const callsOf = (m: ReturnType<typeof minimize>, cpu: string): string[] =>
  cpuBlocks(m.target.scenario.ast!.file)
    .find((b) => b.name === cpu)!
    .body.flatMap((s) => (s.kind === 'call' ? [s.name] : []));

describe('schedule search of candidate programs', () => {
  test('with 0 schedules B keeps both calls; with 16 the search refuses dropping pte_clear and drops set_pte', () => {
    const kept = minimize(0);
    expect(kept.dropped).toEqual([]);
    expect(kept.search).toEqual({ executions: 0, found: [] });
    expect(kept.controls.refuted).toEqual([]);
    expect(callsOf(kept, 'B')).toEqual(['pte_clear', 'set_pte']);

    const m = minimize(16);
    // without its pte_clear, B's set_pte writes over a present pte — PAE's set_pte assumes a non-present one: the
    // reference refuses every execution of that program (reference/pae-set.ts) before any control runs (was: refused
    // by the control, ptep_get_atomic64 reading the half-written pte too)
    expect(m.controls.refuted).toEqual([]);
    expect(m.controls.outside).toEqual([{ dropped: [CLEAR], rule: 'a PAE set_pte over a present pte' }]);
    expect(m.dropped).not.toContain(CLEAR);
    // without its set_pte, B's barrier-less pte_clear alone tears under weak: the search finds it
    expect(m.dropped).toEqual([SET]);
    expect(callsOf(m, 'B')).toEqual(['pte_clear']);
    expect(m.search.found).toHaveLength(1);
    expect(m.search.found[0]!.dropped).toEqual([SET]);
    const n = m.search.found[0]!.schedules;
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(16);
    // every searched schedule is a predicate evaluation; the smaller program's own candidates are searched too
    expect(m.search.executions).toBeGreaterThan(n);
    expect(m.tries).toBeGreaterThan(m.search.executions);
    expect(m.target.scenario.reduced?.dropped).toEqual([SET]);
    const v = m.run.judgement.verdict;
    expect(v.kind === 'divergence' && v.class).toBe('torn');
  });

  test('same file, same N: same program, same trace, same search', () => {
    const a = minimize(16);
    const b = minimize(16);
    expect(a.search.found).toHaveLength(1);
    expect(b.trace).toEqual(a.trace);
    expect(b.dropped).toEqual(a.dropped);
    expect(b.search).toEqual(a.search);
    expect(b.target.scenario.text).toBe(a.target.scenario.text);
  });

  test('every searched schedule runs as a watched execution', () => {
    let calls = 0;
    const watch: ExecutionWatch = {
      begin: (_t, source: ChoiceSource) => source,
      end: () => undefined,
      call: <T>(execution: () => T): T => {
        calls++;
        return execution();
      },
    };
    const m = minimize(16, watch);
    expect(m.search.executions).toBeGreaterThan(0);
    // each predicate evaluation is one watched execution, plus the statement probes and the final run
    expect(calls).toBeGreaterThan(m.tries);
  });
});

/**
 * The README's arm64 worked example (corpus/mailing-list/contpte-refold-other-folio.scn, the proposal
 * harness/readers/contpte-nopfn.ts). Its passes used to reduce B to the clears and `__set_pte`s of FolioB and the
 * refold, the unfold dropped; searched, B without two of its `__set_pte`s still returned FolioA's pte1 dirty — and so
 * did the kernel's `contpte_ptep_get_lockless`, pfn check and all, so the controls refused that candidate. Both
 * programs leave the block misprogrammed: FolioB's non-CONT entries beside FolioA's CONT ones, a block the kernel
 * never makes (it unfolds before it changes one entry). The reference's misprogrammed-block check
 * (reference/contiguous.ts) now rejects every such candidate outright: the unfold stays, and no control is needed.
 */
describe('a candidate that misprograms the contpte block is rejected before any control runs', () => {
  const SCN = join(ROOT, 'corpus', 'mailing-list', 'contpte-refold-other-folio.scn');
  const text = readFileSync(SCN, 'utf8');
  const readers: ReaderRegistry = builtinReaders();
  for (const r of loadReaderModule(join(ROOT, 'harness', 'readers', 'contpte-nopfn.ts'), ROOT)) readers.register(r);
  const load = (src: string) => {
    const l = loadScn(src, SCN, { readers, operations: builtinOperations() });
    if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
    return l.scenario;
  };
  const target = (src: string, reader: string) =>
    makeTarget(load(src), readers.get(reader)!, contractByName('no-false-dirty')!, 'sc', arm64);
  const t = target(text, 'contpte_ptep_get_lockless_nopfn');
  // A reads pte1 twice (FolioA); B runs its whole critical section; C's DBM write dirties pte0; A scans
  const trace = traceOf(specOf(t.built), 'sc', [0, 0, ...Array<number>(33).fill(1), 2]);
  const LOCKS = [
    'cpu B "remap the block to FolioB, refold": spin_lock(ptl)',
    'cpu B "remap the block to FolioB, refold": spin_unlock(ptl)',
  ];

  test('with 256 schedules and with none: only the PTL goes, the unfold stays, no control refuses anything', () => {
    for (const schedules of [0, 256]) {
      const m = minimizeWitness(t, 'false-dirty', trace, undefined, undefined, schedules)!;
      expect(m.dropped, `${schedules} schedules`).toEqual(LOCKS);
      expect(m.controls.refuted).toEqual([]);
      expect(m.target.scenario.text).toContain('  contpte_unfold(pte[1])\n  __ptep_get_and_clear(pte[0])');
      expect(m.run.judgement.verdict.kind === 'divergence' && m.run.judgement.verdict.class).toBe('false-dirty');
    }
  });

  test('the program the controls refused, written out: no execution is judged, each is a misprogrammed block', () => {
    // the program the passes had reached (spin_lock, contpte_unfold, spin_unlock dropped) minus the refused calls
    const drop = [
      '  spin_lock(ptl)',
      '  contpte_unfold(pte[1])',
      '  spin_unlock(ptl)',
      '  __set_pte(pte[0], 0x0068000000080bc3)',
      '  __set_pte(pte[3], 0x0068000000083bc3)',
    ];
    const lines = text.split('\n');
    for (const d of drop) expect(lines).toContain(d);
    const reduced = lines.filter((l) => !drop.includes(l)).join('\n');
    const full = target(text, 'contpte_ptep_get_lockless');
    for (const reader of ['contpte_ptep_get_lockless', 'contpte_ptep_get_lockless_nopfn']) {
      const broken = target(reduced, reader);
      const faults = new Set<string>();
      for (let i = 0; i < 200; i++) {
        const source = (): RandomSource => new RandomSource(deriveSeed('misprogrammed', i));
        let message = '';
        try {
          const r = runTarget(broken, source());
          if (r.judgement.verdict.kind !== 'bound-hit') message = `judged: ${r.judgement.verdict.kind}`;
        } catch (e) {
          expect(e).toBeInstanceOf(MisprogrammedContiguousRange);
          message = (e as Error).message;
        }
        if (message === '') continue;
        // B's __set_pte of FolioB's pte1 lands beside FolioA's CONT pte2 and pte3 (pte0 was cleared: invalid)
        expect(message).toMatch(
          /^scenario contpte-refold-other-folio: cpu B \(__set_pte, steps \d+\.\.\d+\) left the contpte block pte misprogrammed at step \d+: its valid entries disagree on the CONT bit — pte0 0x0000000000000000 \(pfn=0x0\), pte1 0x0068000000081bc3 \(valid pfn=0x81\), pte2 0x0078000000042[bf][4c]3 \(valid pfn=0x42 cont\), pte3 0x0078000000043[bf][4c]3 \(valid pfn=0x43 cont\) \(/,
        );
        faults.add(message.slice(message.indexOf(' left ')).replace(/step \d+/g, 'step N'));
        // the full scenario, same seed: judged (the block is unfolded before any entry changes)
        expect(() => runTarget(full, source())).not.toThrow();
      }
      expect(faults.size, reader).toBeGreaterThan(0);
    }
  });
});
