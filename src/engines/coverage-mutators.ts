import type { ChoiceKind } from '../machine';
import type { Plan, PlanStep } from './coverage-plan';
import { isPreemptible } from './coverage-plan';
import type { Rng } from './rng';

/**
 * Structured mutators of the coverage engine (DESIGN §7). Each takes the
 * recorded plan of a corpus entry and returns a new plan, or null when it does
 * not apply (e.g. no read-from choice under `sc`). Every plan is a valid
 * execution (total decoding), so a mutator only has to be *meaningful*:
 * scheduling steps name the CPU to run, so changing one step does not change
 * the meaning of the steps after it.
 */
export type MutatorName =
  | 'change-step'
  | 'insert-preemption'
  | 'delete-preemption'
  | 'swap-steps'
  | 'change-rf'
  | 'change-drain'
  | 'change-op'
  | 'splice'
  | 'random-tail'
  | 'pct-tail';

export const MUTATORS: readonly MutatorName[] = [
  'change-step',
  'insert-preemption',
  'delete-preemption',
  'swap-steps',
  'change-rf',
  'change-drain',
  'change-op',
  'splice',
  'random-tail',
  'pct-tail',
];

/** Longest burst `insert-preemption` gives the preempting CPU. */
export const MAX_BURST = 16;

/** What a mutator did: the new plan, and the first position it changed. */
export interface Mutation {
  readonly plan: Plan;
  readonly at: number;
}

type Mutator = (p: Plan, rng: Rng, donor: Plan | undefined) => Mutation | null;

/**
 * A uniformly drawn index of a step that passes `ok` (-1, drawing nothing, when none does). Two passes
 * — count, then find the drawn one — rather than a list of the candidates: this runs several times per
 * mutant, over the whole parent.
 */
function pickIndex(steps: readonly PlanStep[], rng: Rng, ok: (s: PlanStep, i: number) => boolean): number {
  let count = 0;
  for (let i = 0; i < steps.length; i++) if (ok(steps[i]!, i)) count++;
  if (count === 0) return -1;
  let k = rng.int(count);
  for (let i = 0; i < steps.length; i++) if (ok(steps[i]!, i) && k-- === 0) return i;
  throw new Error('[ptefuzz internal bug] coverage mutators: pickIndex predicate changed between passes');
}

/**
 * Like pickIndex, but 3 times in 4 among the `hot` steps (inside the window
 * of an operation under test: markReaderWindows) when some qualify.
 */
export const HOT_ONE_IN = 4;
function pickHot(steps: readonly PlanStep[], rng: Rng, ok: (s: PlanStep, i: number) => boolean): number {
  if (rng.int(HOT_ONE_IN) !== 0) {
    const i = pickIndex(steps, rng, (s, k) => s.hot === true && ok(s, k));
    if (i >= 0) return i;
  }
  return pickIndex(steps, rng, ok);
}

const schedWithChoice = (s: PlanStep): boolean => s.kind === 'sched' && s.cpus !== undefined && s.cpus.length > 1;

/** A sched step that runs `cpu` (option index within the recorded runnable CPUs, when known). */
function runStep(like: PlanStep | undefined, cpu: number): PlanStep {
  const j = like?.cpus?.indexOf(cpu) ?? -1;
  return like?.cpus && j >= 0
    ? { kind: 'sched', n: like.n, value: j, cpu, cpus: like.cpus, current: like.current! }
    : { kind: 'sched', n: 0, value: 0, cpu };
}

/**
 * `p` with other steps (the same tail). Written out rather than spread
 * (`{ ...p, steps }`): a spread of plans of several shapes takes V8's slow
 * generic path, and a mutant makes one to four of them.
 */
function withSteps(p: Plan, steps: readonly PlanStep[]): Plan {
  const q: { -readonly [K in keyof Plan]: Plan[K] } = { steps, randomTail: p.randomTail };
  if (p.pctTail !== undefined) q.pctTail = p.pctTail;
  if (p.tailLowest !== undefined) q.tailLowest = p.tailLowest;
  return q;
}

function replaced(p: Plan, i: number, s: PlanStep): Plan {
  const steps = p.steps.slice();
  steps[i] = s;
  return withSteps(p, steps);
}

/**
 * A uniformly drawn CPU of `cpus` other than `not` — `others[rng.int(others.length)]` of the filtered
 * list, without building it (undefined, after the same draw, when there is none).
 */
function pickOther(cpus: readonly number[], not: number | undefined, rng: Rng): number | undefined {
  let count = 0;
  for (let i = 0; i < cpus.length; i++) if (cpus[i] !== not) count++;
  let k = rng.int(count);
  for (let i = 0; i < cpus.length; i++) if (cpus[i] !== not && k-- === 0) return cpus[i];
  return undefined;
}

/** Another value of a non-sched choice of one of `kinds`. */
function changeValue(...kinds: ChoiceKind[]): Mutator {
  return (p, rng) => {
    const i = pickIndex(p.steps, rng, (s) => kinds.includes(s.kind) && s.n > 1);
    if (i < 0) return null;
    const s = p.steps[i]!;
    const value = (s.value + 1 + rng.int(s.n - 1)) % s.n;
    return { plan: replaced(p, i, { kind: s.kind, n: s.n, value }), at: i };
  };
}

const MUTATOR_IMPL: Record<MutatorName, Mutator> = {
  /** one scheduling step runs another runnable CPU */
  'change-step': (p, rng) => {
    const i = pickIndex(p.steps, rng, schedWithChoice);
    if (i < 0) return null;
    const s = p.steps[i]!;
    return { plan: replaced(p, i, runStep(s, pickOther(s.cpus!, s.cpu, rng)!)), at: i };
  },

  /**
   * at a point where the running CPU would have continued, another runnable
   * CPU runs a burst of 1..MAX_BURST steps (uniform: a writer's whole
   * operation is typically 5-10 steps) first; the rest of the plan follows
   * unchanged after the burst
   */
  'insert-preemption': (p, rng) => {
    const i = pickHot(p.steps, rng, (s) => isPreemptible(s) && s.value === 0);
    if (i < 0) return null;
    const s = p.steps[i]!;
    const y = pickOther(s.cpus!, s.current, rng)!;
    const burst = 1 + rng.int(MAX_BURST);
    // built by pushes (not spreads): this is the most drawn mutator; the burst's later steps share one step object
    const steps = p.steps.slice(0, i);
    steps.push(runStep(s, y));
    const next = runStep(undefined, y);
    for (let b = 1; b < burst; b++) steps.push(next);
    for (let k = i; k < p.steps.length; k++) steps.push(p.steps[k]!);
    return { plan: withSteps(p, steps), at: i };
  },

  /**
   * undo a preemption: the choices of the preempting burst (up to the next
   * step of the preempted CPU, at most MAX_BURST scheduling steps) are dropped,
   * so the preempted CPU continues
   */
  'delete-preemption': (p, rng) => {
    const i = pickHot(p.steps, rng, (s) => isPreemptible(s) && s.value !== 0);
    if (i < 0) return null;
    const x = p.steps[i]!.current!;
    let j = i;
    let scheds = 0;
    while (j < p.steps.length && scheds < MAX_BURST) {
      const s = p.steps[j]!;
      if (s.kind === 'sched') {
        if (s.cpu === x) break;
        scheds++;
      }
      j++;
    }
    return { plan: withSteps(p, p.steps.slice(0, i).concat(p.steps.slice(j))), at: i };
  },

  /** two consecutive scheduling steps of different CPUs run in the other order */
  'swap-steps': (p, rng) => {
    const nextSched = (i: number): number => {
      for (let j = i + 1; j < p.steps.length; j++) if (p.steps[j]!.kind === 'sched') return j;
      return -1;
    };
    const i = pickIndex(p.steps, rng, (s, k) => {
      if (!schedWithChoice(s)) return false;
      const j = nextSched(k);
      const t = j < 0 ? undefined : p.steps[j]!;
      return t !== undefined && t.cpu !== undefined && t.cpu !== s.cpu && s.cpus!.includes(t.cpu);
    });
    if (i < 0) return null;
    const j = nextSched(i);
    const a = p.steps[i]!;
    const b = p.steps[j]!;
    const steps = p.steps.slice();
    steps[i] = runStep(a, b.cpu!);
    steps[j] = runStep(b, a.cpu!);
    return { plan: withSteps(p, steps), at: i };
  },

  /** a load reads from another message, or a store takes another place in coherence order (weak; 0 = newest, last) */
  'change-rf': changeValue('rf', 'co'),
  /** another TSO drain decision (all, none, oldest entry of one buffer) */
  'change-drain': changeValue('drain'),
  /** a generated operation takes another alternative */
  'change-op': changeValue('op'),

  /** the first i choices of this entry, then the choices of another from position i on (AFL's splice) */
  splice: (p, rng, donor) => {
    if (!donor) return null;
    const len = Math.min(p.steps.length, donor.steps.length);
    const diff: number[] = [];
    for (let i = 1; i < len; i++) {
      const a = p.steps[i]!;
      const b = donor.steps[i]!;
      if (a.value !== b.value || a.cpu !== b.cpu) diff.push(i);
    }
    if (diff.length === 0) return null;
    const i = diff[rng.int(diff.length)]!;
    return { plan: { steps: p.steps.slice(0, i).concat(donor.steps.slice(i)), randomTail: donor.randomTail }, at: i };
  },

  /** keep the first i choices, then choose uniformly at random */
  'random-tail': (p, rng) => {
    if (p.steps.length === 0) return null;
    const i = rng.int(p.steps.length);
    return { plan: { steps: p.steps.slice(0, i), randomTail: true }, at: i };
  },

  /**
   * keep the choices up to a scheduling step (3 times in 4 inside the window
   * of an operation under test), then schedule as PCT does (depth 3, fresh
   * priorities and change points over the rest of the execution): the long
   * uninterrupted runs that uniform choices almost never make — a writer's
   * whole sequence of operations while the reader is stopped mid-read
   */
  'pct-tail': (p, rng) => {
    const i = pickHot(p.steps, rng, (s) => s.kind === 'sched');
    if (i < 0) return null;
    const s = p.steps[i]!;
    const steps = p.steps.slice(0, i);
    // two literals rather than a spread of the first (slow: see withSteps)
    const plan: Plan =
      s.hot === true && s.current !== undefined
        ? { steps, randomTail: true, pctTail: true, tailLowest: s.current }
        : { steps, randomTail: true, pctTail: true };
    return { plan, at: i };
  },
};

/** Apply one named mutator (null: not applicable to this plan). */
export function mutate(name: MutatorName, p: Plan, rng: Rng, donor?: Plan): Mutation | null {
  return MUTATOR_IMPL[name](p, rng, donor);
}
