/**
 * Can a kernel developer quote `ptefuzz explore`'s "no divergence within bound K"? Only if the exhaustive
 * engine really visits every execution with at most K preemptions — every schedule, and every read-from and
 * drain choice under tso/weak — on the kernel scenarios. test/laws/enumeration.test.ts counts SC interleavings
 * of the litmus shapes; this file checks the kernel scenarios, and tso/weak, from outside the enumerator:
 *
 * 1. Sampling: executions drawn by the fuzz engines (random, pct, coverage) and by a low-preemption sampler
 *    written here, through the public execution API (campaign.runTarget). For each one, its preemption count as
 *    the enumerator defines it — a `sched` choice that switched away from the CPU that ran the last step while
 *    that CPU could have continued (ChoiceRecord.preemptible): picking the first CPU is not one, nor a switch
 *    away from a finished CPU or one that cannot run (spinning on a held lock, waiting for a flush IPI's
 *    acknowledgements, alloc_page with no free page); drains and read-from choices never count. That is CHESS's
 *    definition (a preemption is a switch away from an enabled thread); `preemptionsFromEvents` below checks it
 *    against the event log: never more than the switches away from a CPU that steps again later, and equal to
 *    them where no CPU can block. Every execution with p ≤ K preemptions must be one explore visits at bound p
 *    (its whole choice trace is among the traces enumerated; under tso, where explore visits one placement of
 *    the store-buffer drains per behaviour — TsoModel.phaseCanonical —, an execution of the same behaviour:
 *    test/support/behaviour-key.ts), and its states — each judged read's returned
 *    value with its verdict class, the execution-level divergences, `no completed read`, the bound hits, as
 *    explore prints them (scenarioStates) — must be among explore's states at bound p; so every divergence
 *    class seen within the bound is one explore reports.
 * 2. Counting: on tiny programs the number of executions the enumerator visits, per model and bound, is the
 *    count derived by hand in the comments below; on small kernel targets the set of traces it visits is the
 *    one of an independent brute force (test/support/brute-force.ts: one run per node of the choice tree, no
 *    pruning but the bound).
 */
import { describe, expect, test } from 'vitest';
import type { Run, Target } from '../../src/campaign';
import { runTarget, selectTargets } from '../../src/campaign';
import { NOT_DIVERGENT, scenarioStates } from '../../src/cli/commands/explore';
import { createEngine, createRng, enumerate, exhaust } from '../../src/engines';
import { builtinReaders } from '../../src/kernel';
import { litmus } from '../../src/litmus-shapes';
import type { ChoiceContext, ChoiceKind, ChoiceSource, Execution, ModelKind } from '../../src/machine';
import { READ_ONCE, WRITE_ONCE, execute } from '../../src/machine';
import { behaviourKey } from '../support/behaviour-key';
import { bruteForce, preemptions } from '../support/brute-force';

/** Switches between consecutive CPU steps away from a CPU that steps again later (drains are not steps). */
function preemptionsFromEvents(exec: Execution): number {
  const cpus = exec.events.filter((e) => e.kind !== 'drain').map((e) => e.cpu);
  let n = 0;
  for (let i = 1; i < cpus.length; i++) if (cpus[i] !== cpus[i - 1] && cpus.indexOf(cpus[i - 1]!, i) >= 0) n++;
  return n;
}

const traceKey = (exec: Execution): string => exec.trace.join(','); // as bruteForce's leaves
const pairKey = ([state, label]: readonly [string, string]): string => `${state}  ${label}`;

interface Bounded {
  /** every trace explore visited at this bound */
  readonly traces: ReadonlySet<string>;
  /** the behaviour of every execution explore visited (under tso: one per placement class of the drains) */
  readonly keys: ReadonlySet<string>;
  /** every (state, label) explore printed at this bound */
  readonly states: ReadonlySet<string>;
  readonly executions: number;
}

/** explore's search of one target at one bound: the enumeration and the states it prints (explore.ts exploreTarget). */
function explore(t: Target, bound: number): Bounded {
  const traces = new Set<string>();
  const keys = new Set<string>();
  const x = exhaust(
    (source) => {
      const run = runTarget(t, source);
      traces.add(traceKey(run.exec));
      keys.add(behaviourKey(run.exec));
      return run;
    },
    (run: Run) => scenarioStates(t, run),
    { preemptionBound: bound, maxExecutions: 200_000 },
  );
  expect(x.truncated).toBe(false);
  // each trace visited once: the count explore prints is the number of distinct executions
  expect(traces.size).toBe(x.executions);
  const states = new Set<string>();
  for (const s of x.states.values()) for (const label of s.labels.keys()) states.add(pairKey([s.state, label]));
  return { traces, keys, states, executions: x.executions };
}

/**
 * A sampler of executions with few preemptions, independent of the engines: a CPU that can continue keeps
 * running with probability 7/8; every other choice (a forced switch, read-from, drain, operation) is uniform.
 */
class FewPreemptions implements ChoiceSource {
  private readonly rng;
  constructor(seed: string) {
    this.rng = createRng(seed);
  }
  choose(kind: ChoiceKind, n: number, ctx?: ChoiceContext): number {
    const canContinue = kind === 'sched' && ctx !== undefined && (ctx.step ?? 0) > 0 && ctx.cpus[0] === ctx.current;
    if (canContinue && this.rng.int(8) > 0) return 0;
    return this.rng.int(n);
  }
}

/** `runs` executions of one target from each sampler, named by it: every engine's own seeds, fixed. */
function samples(t: Target, runs: number): { from: string; run: Run }[] {
  const out: { from: string; run: Run }[] = [];
  const cpus = t.built.cpus.length;
  const engines = [
    ['random', createEngine('random', { cpus })],
    ['pct d=2', createEngine('pct', { cpus, depth: 2 })],
    ['pct d=3', createEngine('pct', { cpus, depth: 3 })],
    ['coverage', createEngine('coverage', { cpus })],
  ] as const;
  for (const [from, engine] of engines) {
    for (let i = 0; i < runs; i++) {
      const run = runTarget(t, engine.source(`completeness/${i}`));
      const v = run.judgement.verdict;
      engine.observe(run.exec, v.kind === 'divergence' ? v.class : v.kind);
      out.push({ from, run });
    }
  }
  for (let i = 0; i < runs; i++)
    out.push({ from: 'few-preemptions', run: runTarget(t, new FewPreemptions(`fp/${i}`)) });
  return out;
}

interface Case {
  readonly scenario: string;
  readonly reader: string;
  readonly model: ModelKind;
  readonly bound: number;
  /** what the case covers */
  readonly why: string;
  /** at least this many sampled executions fall within the bound (the comparison is not vacuous) */
  readonly within: number;
  /** executions drawn per sampler */
  readonly runs: number;
  /** divergence classes explore must report at the bound (the scenario's known bug), none if empty */
  readonly classes: readonly string[];
}

const CASES: readonly Case[] = [
  {
    scenario: 's2-pae-zap-reestablish',
    reader: 'ptep_get',
    model: 'tso',
    bound: 2,
    why: 'PAE under tso (store buffers, drain choices): the torn two-load read',
    within: 1800,
    runs: 400,
    classes: ['torn'],
  },
  {
    scenario: 's2-pae-zap-reestablish',
    reader: 'ptep_get_lockless',
    model: 'sc',
    bound: 2,
    why: 'sc: the retrying PAE reader',
    within: 1400,
    runs: 400,
    classes: [],
  },
  {
    scenario: 's3-pae-fault-garbage',
    reader: 'ptep_get',
    model: 'tso',
    bound: 1,
    why: 'consumer handle_pte_fault (PTL, recheck) under tso',
    within: 1500,
    runs: 400,
    classes: ['torn'],
  },
  {
    scenario: 'ext-sw-bits-zap-refault',
    reader: 'ptep_get_ext_sw',
    model: 'weak',
    bound: 1,
    why: 'arm64 under weak (read-from choices): two locations, smp_rmb',
    within: 1300,
    runs: 400,
    classes: ['torn'],
  },
  {
    scenario: 's5-contpte-unfold-gather',
    reader: 'contpte_ptep_get',
    model: 'weak',
    bound: 1,
    why: 'an arm64 contpte block (4 entries) under weak: the unvalidated gather',
    within: 1200,
    runs: 400,
    classes: ['false-clean'],
  },
  {
    scenario: 's8-contpte-set-access-flags',
    reader: 'contpte_ptep_get_lockless',
    model: 'weak',
    bound: 1,
    why: 'a contpte block with the validating lockless gather: an execution-level livelock',
    within: 300,
    runs: 60,
    classes: ['livelock'],
  },
  {
    scenario: 's1-pae-double-refault',
    reader: 'ptep_get',
    model: 'sc',
    bound: 1,
    why: 'sc with 4 CPUs (three-way and four-way scheduling choices): the torn read',
    within: 1400,
    runs: 400,
    classes: ['torn'],
  },
  {
    scenario: 's6-contpte-remap-false-dirty',
    reader: 'contpte_ptep_get',
    model: 'weak',
    bound: 1,
    why: 'a contpte block with 3 CPUs under weak: false-dirty from a remapped entry',
    within: 1200,
    runs: 400,
    classes: ['false-dirty'],
  },
  {
    scenario: 's10-pae-dontneed-refault-free-before-flush',
    reader: 'ptep_get_atomic64',
    model: 'tso',
    bound: 0,
    why: 'consumers (fault path, zap, user access through the TLB) with 3 CPUs under tso: use-after-free',
    within: 450,
    runs: 400,
    classes: ['use-after-free'],
  },
  {
    scenario: 's7-arm64-fault-norecency',
    reader: '__ptep_get',
    model: 'weak',
    bound: 2,
    why: 'consumer handle_pte_fault under weak: the execution-level lost-dirty',
    within: 2000,
    runs: 400,
    classes: ['lost-dirty'],
  },
  {
    scenario: 's12-arm64-khugepaged-gup-fast',
    reader: '__ptep_get',
    model: 'weak',
    bound: 1,
    why: 'consumer gup_fast with a pmd and a freed pte table: use-after-free (a late read of the old pmd too), no completed read',
    within: 1100,
    runs: 400,
    classes: ['use-after-free'],
  },
];

describe('explore is complete within its preemption bound on the kernel scenarios', () => {
  test.each(CASES.map((c) => [`${c.scenario} ${c.reader} ${c.model} bound ${c.bound}`, c] as const))(
    '%s: every sampled execution within the bound is one explore visits, with its states',
    (_, c) => {
      const [t] = selectTargets({ scenarios: [c.scenario], readers: [c.reader], models: [c.model] }, builtinReaders());
      const bounded = Array.from({ length: c.bound + 1 }, (_b, k) => explore(t!, k));
      const all = samples(t!, c.runs);
      let within = 0;
      const perSampler = new Map<string, number>();
      const classesSeen = new Set<string>();
      for (const { from, run } of all) {
        const p = preemptions(run.exec.choices);
        // the flag agrees with the event log: a preemption is a switch away from a CPU that runs again (in an
        // execution a bound stopped, a CPU switched away from may never have run again)
        if (run.exec.outcome.kind === 'complete') expect(p).toBeLessThanOrEqual(preemptionsFromEvents(run.exec));
        if (p > c.bound) continue;
        within++;
        perSampler.set(from, (perSampler.get(from) ?? 0) + 1);
        const at = bounded[p]!;
        const key = traceKey(run.exec);
        // under tso explore visits one placement of the drains per behaviour (TsoModel.phaseCanonical): the
        // sampled trace itself may be pruned, an execution with the same behaviour must be visited
        if (c.model === 'tso')
          expect(
            at.keys.has(behaviourKey(run.exec)),
            `${from}: the behaviour of [${key}] not visited at bound ${p}`,
          ).toBe(true);
        else
          expect(at.traces.has(key), `${from}: trace [${key}] (${p} preemptions) not visited at bound ${p}`).toBe(true);
        for (const pair of scenarioStates(t!, run)) {
          expect(at.states.has(pairKey(pair)), `${from}: state ${pairKey(pair)} missing at bound ${p}`).toBe(true);
          if (!NOT_DIVERGENT.has(pair[1])) classesSeen.add(pair[1]);
        }
      }
      expect(within).toBeGreaterThanOrEqual(c.within);
      // the few-preemptions sampler and PCT always contribute; random only on the short scenarios
      expect(perSampler.get('few-preemptions') ?? 0).toBeGreaterThan(c.runs / 6);
      expect(perSampler.get('pct d=2') ?? 0).toBeGreaterThan(c.runs / 6);
      // the bound nests: bound k's traces are among bound k+1's
      for (let k = 0; k < c.bound; k++)
        for (const tr of bounded[k]!.traces) expect(bounded[k + 1]!.traces.has(tr)).toBe(true);
      const reported = new Set(
        [...bounded[c.bound]!.states].map((s) => s.split('  ').pop()!).filter((l) => !NOT_DIVERGENT.has(l)),
      );
      for (const cls of classesSeen) expect(reported).toContain(cls);
      expect([...reported].filter((l) => l !== 'divergence').sort()).toEqual([...c.classes].sort());
    },
  );
});

// ---- counting ----------------------------------------------------------------

/** CPU0: x = 1; CPU1: r = x. */
const ONE_STORE_ONE_LOAD = litmus({
  name: 'W+R',
  doc: 'one store, one load of it',
  locations: ['x'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.x);
      return [r0];
    },
  ],
  interesting: '1:r0=0',
});

/** MP without barriers — CPU0: x = 1; y = 1; CPU1: r0 = y; r1 = x. */
const MP_PLAIN = litmus({
  name: 'MP',
  doc: 'message passing, no barriers',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      yield WRITE_ONCE(l.y, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      const r1 = yield READ_ONCE(l.x);
      return [r0, r1];
    },
  ],
  interesting: '1:r0=1; 1:r1=0',
});

/** CPU0: x = 1; CPU1: x = 2; CPU2: r = x — three-way scheduling choices, two store buffers. */
const TWO_STORES_ONE_LOAD = litmus({
  name: 'W+W+R',
  doc: 'two CPUs store to x, a third loads it',
  locations: ['x'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      return [];
    },
    function* (l) {
      yield WRITE_ONCE(l.x, 2n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.x);
      return [r0];
    },
  ],
  interesting: '2:r0=0',
});

/**
 * Executions per model and preemption bound, derived by hand. Under tso twice: every drain choice (`allDrains`,
 * the trace encoding's whole tree) and the canonical placement explore enumerates (TsoModel.phaseCanonical: a
 * drain is chosen only right before a step that reads or writes its location in memory — or that is the last
 * step while another CPU still buffers an older store to it —, never as `drain everything`).
 *
 * W+R: each CPU has one step, so no switch is a preemption (the first pick is free, the second forced).
 * sc: 2 schedules. tso: CPU1 first (reads 0), then the store: 1; CPU0 first: its store sits in the buffer and
 * the drain choice before CPU1's load has 3 options — drain all, none, the oldest entry of CPU0's buffer
 * (which empties it: no further choice) —: 3; total 4. weak: CPU0 first, the load reads either message: 2;
 * CPU1 first: only the initial message: 1; total 3.
 *
 * MP: the 6 schedules of (Wx Wy | Ry Rx) and their preemptions — 0011: 0, 1100: 0, 0110: 1, 1001: 1,
 * 0101: 2, 1010: 2 — so sc: 2, 4, 6 at bounds 0, 1, 2.
 * weak: a plain load may read any message of its location (no read of the other location raises its floor):
 * Ry has 1 + [Wy before it] options, Rx 1 + [Wx before it]; per schedule 4, 1 | 2, 2 | 2, 2 → 5, 9, 13.
 * tso: the drain loop from a buffer of b entries ends with k left in W(b, k) ways — W(1) = {0: 2, 1: 1}
 * (all; none; one), W(2) = {0: 3, 1: 1, 2: 1} (all; none; one then W(1)) — and T(b) = Σ_k W(b, k) = 1, 3, 5
 * for b = 0, 1, 2. Drain choices come before every step (none before the first, the buffers being empty, none
 * after the last). Per schedule: 0011: Σ_k1 W(1,k1) Σ_k2 W(k1+1,k2) T(k2) = 2·(2·1 + 3) + (3 + 3 + 5) = 21;
 * 1100: T(1) = 3; 0110: 2·1 + (2·1 + 3) = 7; 1001: 2·T(1) + T(2) = 11; 0101: 2·T(1) + (2·T(1) + T(2)) = 17;
 * 1010: 2·T(0) + T(1) = 5. So 24, 42, 64 at bounds 0, 1, 2 (64 = the whole tree).
 *
 * Canonical tso: W+R: CPU1 first: 1; CPU0 first: drain x or not before the load (which reads x): 2; total 3.
 * MP: 0011: no drain before Wy (it reads nothing); before Ry (reads y) none, or x and y (x alone is not read,
 * y needs x first): 2; after none, before Rx (reads x, last step) none or x (y would not be read): 2; after
 * both, nothing buffered: 1 — 3. 1100: the drain before the last step Wy is read by nothing: 1. 0110: before
 * Ry no (reads y), before Rx x or not, before Wy nothing: 2. 1001: before Wy nothing, before Rx none or x: 2.
 * 0101: before Ry and Wy nothing, before Rx none or x: 2. 1010: before Rx x or not, before Wy nothing: 2.
 * So 4, 8, 12 at bounds 0, 1, 2. W+W+R: 0,1,2 and 1,0,2: no drain before the second store (it reads nothing),
 * before the load (reads x, last step) none, either, or both in either order (same location: no reordering is
 * redundant): 5 each; 0,2,1 and 1,2,0: before the load the store or not (2), before the last store nothing (the
 * store left is the older one: the final flush keeps its place): 2 each; 2,0,1 and 2,1,0: 1 each. Total 16.
 *
 * W+W+R: one step per CPU, so no preemption: the 6 schedules at bound 0. sc: 6. weak: the load has 1 + (stores
 * before it) options, and the second store 2 (coherence-last, or before the first store, which its CPU has not
 * seen: WeakModel.place): load last, 2 · 3 = 6 for each of 0,1,2 and 1,0,2; load second, 2 · 2 = 4 for each of
 * 0,2,1 and 1,2,0; load first, 1 · 2 for each of 2,0,1 and 2,1,0 — 24 (12 before stores could be placed). tso: drain loops over two one-entry buffers — from one full buffer
 * T = 3 (as above); from both, (0,0) in 5 ways (all; one of either, then all or one of the other), each of
 * (1,1), (0,1), (1,0) in 1: T = 8. Schedules 0,1,2 and 1,0,2: the first store, drains (empty 2 ways, full 1),
 * the second store, drains then the load: 2·3 + 1·8 = 14 each; 0,2,1 and 1,2,0: the store, drains (2 ways
 * empty, 1 full), the load, drains only if the buffer is still full (T = 3), the last store (no drain after
 * the last step): 2·1 + 1·3 = 5 each; 2,0,1 and 2,1,0: the load, the store, drains T = 3, the store: 3 each.
 * Total 14 + 14 + 5 + 5 + 3 + 3 = 44.
 */
/** [name, program, model, bound, executions with every drain choice, canonical executions (tso; else the same)] */
const HAND_COUNTS: readonly [string, ReturnType<typeof litmus>, ModelKind, number, number, number][] = [
  ['W+R', ONE_STORE_ONE_LOAD, 'sc', 0, 2, 2],
  ['W+R', ONE_STORE_ONE_LOAD, 'tso', 0, 4, 3],
  ['W+R', ONE_STORE_ONE_LOAD, 'weak', 0, 3, 3],
  ['W+W+R', TWO_STORES_ONE_LOAD, 'sc', 0, 6, 6],
  ['W+W+R', TWO_STORES_ONE_LOAD, 'tso', 0, 44, 16],
  ['W+W+R', TWO_STORES_ONE_LOAD, 'weak', 0, 24, 24],
  ['MP', MP_PLAIN, 'sc', 0, 2, 2],
  ['MP', MP_PLAIN, 'sc', 1, 4, 4],
  ['MP', MP_PLAIN, 'sc', 2, 6, 6],
  ['MP', MP_PLAIN, 'tso', 0, 24, 4],
  ['MP', MP_PLAIN, 'tso', 1, 42, 8],
  ['MP', MP_PLAIN, 'tso', 2, 64, 12],
  ['MP', MP_PLAIN, 'weak', 0, 5, 5],
  ['MP', MP_PLAIN, 'weak', 1, 9, 9],
  ['MP', MP_PLAIN, 'weak', 2, 13, 13],
];

describe('the executions the enumerator visits, counted independently', () => {
  test.each(
    HAND_COUNTS.map(
      ([name, shape, model, bound, n, canonical]) =>
        [`${name} ${model} bound ${bound}: ${n}, canonical ${canonical}`, shape, model, bound, n, canonical] as const,
    ),
  )(
    '%s (derived by hand), and the brute force agrees trace by trace (canonical: behaviour by behaviour)',
    (_, shape, model, bound, n, canonical) => {
      const spec = shape.build();
      const run = (source: ChoiceSource): Execution => execute(spec, model, source);
      const search = (allDrains: boolean): { visited: string[]; keys: Set<string>; max: number; n: number } => {
        const visited: string[] = [];
        const keys = new Set<string>();
        const summary = enumerate(
          run,
          (exec) => {
            visited.push(traceKey(exec));
            keys.add(behaviourKey(exec));
            // no CPU of these programs can block: every switch away from a CPU that runs again is a preemption
            expect(preemptions(exec.choices)).toBe(preemptionsFromEvents(exec));
          },
          { preemptionBound: bound, allDrains },
        );
        return { visited, keys, max: summary.maxPreemptions, n: summary.executions };
      };
      const all = search(true);
      expect(all.n).toBe(n);
      expect(new Set(all.visited).size).toBe(n);
      const brute = bruteForce(run, bound);
      expect(brute).toHaveLength(n);
      expect(new Set(all.visited)).toEqual(new Set(brute.map((l) => l.trace)));
      // what explore prints after "complete": the most preemptions of any execution visited
      expect(all.max).toBe(Math.max(...brute.map((l) => l.preemptions)));
      // explore's enumeration: a subset of the traces, every behaviour of the brute force
      const canon = search(false);
      expect(canon.n).toBe(canonical);
      expect(new Set(canon.visited).size).toBe(canonical);
      for (const tr of canon.visited) expect(all.visited).toContain(tr);
      expect(canon.keys).toEqual(new Set(brute.map((l) => behaviourKey(l.exec))));
      expect(canon.max).toBe(all.max);
    },
  );

  const KERNEL: readonly [string, string, ModelKind, number][] = [
    ['s2-pae-zap-reestablish', 'ptep_get', 'tso', 1],
    ['s2-pae-zap-reestablish', 'ptep_get_lockless', 'sc', 2],
    ['ext-sw-bits-zap-refault', 'ptep_get_ext_sw', 'weak', 2],
    ['s7-arm64-fault-norecency', '__ptep_get', 'weak', 2],
    ['s8-contpte-set-access-flags', 'contpte_ptep_get_lockless', 'weak', 1],
    ['s12-arm64-khugepaged-gup-fast', '__ptep_get', 'weak', 1],
    ['s5-contpte-unfold-gather', 'contpte_ptep_get', 'weak', 1],
    ['s1-pae-double-refault', 'ptep_get', 'sc', 1],
    ['s6-contpte-remap-false-dirty', 'contpte_ptep_get', 'weak', 0],
    ['s10-pae-dontneed-refault-free-before-flush', 'ptep_get_atomic64', 'tso', 0],
  ];
  test.each(KERNEL)(
    "%s %s %s bound %i: the traces explore visits are the brute force's (tso: its behaviours)",
    (scenario, reader, model, bound) => {
      const [t] = selectTargets({ scenarios: [scenario], readers: [reader], models: [model] }, builtinReaders());
      const x = explore(t!, bound);
      const brute = bruteForce((source) => runTarget(t!, source).exec, bound);
      if (model === 'tso') {
        // one placement of the drains per behaviour (TsoModel.phaseCanonical): fewer traces, every behaviour
        expect(x.executions).toBeLessThan(brute.length);
        const traces = new Set(brute.map((l) => l.trace));
        for (const tr of x.traces) expect(traces.has(tr)).toBe(true);
        expect(x.keys).toEqual(new Set(brute.map((l) => behaviourKey(l.exec))));
      } else {
        expect(brute.length).toBe(x.executions);
        expect(new Set(brute.map((l) => l.trace))).toEqual(x.traces);
      }
    },
  );
});
