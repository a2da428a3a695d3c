import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinReaders } from '../../src/kernel';
import type { ChoiceSource } from '../../src/machine';
import type { ExecutionWatch } from '../../src/campaign';
import { crashTarget, minimizeWitness } from '../../src/campaign';
import { loadCrash } from '../../src/crash';
import { cpuBlocks } from '../../src/minimize';

/**
 * The program passes' schedule search (`minimize --schedules N`, src/minimize/program.ts). A committed crash file
 * (read, never written): S2-nowmb's torn ptep_get_lockless witness under weak, whose CPU B clears the pte and
 * re-establishes it. Without the pte_clear the program still tears under weak — the re-establish's two halves
 * observed out of order —, but not under the witness's schedule carried over: only under schedules of its own.
 */
const NAME = 's2-pae-zap-reestablish-nowmb.ptep_get_lockless.non-torn.weak.torn.263c2d3e9e6a.msgpack';
const FILE = join(__dirname, '..', '..', 'crashes', NAME);
const CLEAR = 'cpu B "zap + re-establish": pte_clear(pte, barriers=false)';

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
  test('with 0 schedules B keeps its pte_clear; with 16 the search drops it, and the new witness replays', () => {
    const kept = minimize(0);
    expect(kept.dropped).toEqual([]);
    expect(kept.search).toEqual({ executions: 0, found: [] });
    expect(callsOf(kept, 'B')).toEqual(['pte_clear', 'set_pte']);

    const m = minimize(16);
    expect(m.dropped).toEqual([CLEAR]);
    expect(callsOf(m, 'B')).toEqual(['set_pte']);
    expect(m.search.found).toHaveLength(1);
    expect(m.search.found[0]!.dropped).toEqual([CLEAR]);
    const n = m.search.found[0]!.schedules;
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(16);
    // every searched schedule is a predicate evaluation; the smaller program's own candidates are searched too
    expect(m.search.executions).toBeGreaterThan(n);
    expect(m.tries).toBeGreaterThan(m.search.executions);
    expect(m.target.scenario.reduced?.dropped).toEqual([CLEAR]);
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
