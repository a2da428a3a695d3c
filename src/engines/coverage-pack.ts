import type { ChoiceKind } from '../machine';
import { CHOICE_KINDS } from '../machine';
import type { Plan, PlanStep } from './coverage-plan';

/**
 * A corpus entry's plan, stored compactly. Corpus entries live for the whole
 * campaign — thousands per target within minutes — and a plan kept as
 * PlanStep objects, each with its own array of runnable CPUs, was most of a
 * campaign's heap (a heap snapshot after 30 s over every built-in target:
 * 268k step objects and 226k CPU arrays, ~60 MB). Here a step is six words of
 * one Int32Array, and the runnable-CPU lists are interned per engine (there are
 * few distinct ones). unpack() rebuilds the same PlanStep list (same fields,
 * same values), so mutation sees exactly what it saw before.
 */
export class PackedPlan {
  /** words per step: kind (| HOT), n, value, cpu, current, cpus (-1: absent) */
  private static readonly STRIDE = 6;

  private constructor(
    private readonly words: Int32Array,
    private readonly table: CpuListTable,
    readonly randomTail: boolean,
  ) {}

  static pack(plan: Plan, table: CpuListTable): PackedPlan {
    const w = new Int32Array(plan.steps.length * PackedPlan.STRIDE);
    plan.steps.forEach((s, i) => {
      const o = i * PackedPlan.STRIDE;
      w[o] = CHOICE_KINDS.indexOf(s.kind) | (s.hot === true ? HOT : 0);
      w[o + 1] = s.n;
      w[o + 2] = s.value;
      w[o + 3] = s.cpu ?? -1;
      w[o + 4] = s.current ?? -1;
      w[o + 5] = s.cpus === undefined ? -1 : table.intern(s.cpus);
    });
    return new PackedPlan(w, table, plan.randomTail);
  }

  get length(): number {
    return this.words.length / PackedPlan.STRIDE;
  }

  unpack(): Plan {
    const w = this.words;
    const steps: PlanStep[] = [];
    for (let o = 0; o < w.length; o += PackedPlan.STRIDE) {
      const kind: ChoiceKind = CHOICE_KINDS[w[o]! & ~HOT]!;
      const hot = (w[o]! & HOT) !== 0;
      const c = w[o + 3]!;
      const cur = w[o + 4]!;
      const list = w[o + 5]!;
      // fields assigned rather than spread: this runs for every step of a mutant's parent, once per execution
      const s: { -readonly [K in keyof PlanStep]: PlanStep[K] } = { kind, n: w[o + 1]!, value: w[o + 2]! };
      if (c >= 0) s.cpu = c;
      if (list >= 0) s.cpus = this.table.list(list);
      if (cur >= 0) s.current = cur;
      if (hot) s.hot = true;
      steps.push(s);
    }
    return { steps, randomTail: this.randomTail };
  }
}

/** The `hot` flag, in the kind word. */
const HOT = 0x100;

/** Distinct runnable-CPU lists, shared by every packed plan of an engine. */
export class CpuListTable {
  private readonly lists: (readonly number[])[] = [];
  /** lists of up to 6 CPUs below 32 (every built-in scenario's), by a numeric key: no string per step */
  private readonly small = new Map<number, number>();
  /** any other list, by its text */
  private readonly index = new Map<string, number>();

  intern(cpus: readonly number[]): number {
    const key = smallKey(cpus);
    let i = key >= 0 ? this.small.get(key) : this.index.get(cpus.join(','));
    if (i === undefined) {
      i = this.lists.length;
      this.lists.push(Object.freeze([...cpus]));
      if (key >= 0) this.small.set(key, i);
      else this.index.set(cpus.join(','), i);
    }
    return i;
  }

  list(i: number): readonly number[] {
    return this.lists[i]!;
  }

  get size(): number {
    return this.lists.length;
  }
}

/**
 * A list of at most 6 integers in [0, 32) as one number (its length, then 5 bits per element: below 2^33,
 * exact in a double, and distinct lists get distinct keys); -1 for any other list.
 */
function smallKey(cpus: readonly number[]): number {
  const n = cpus.length;
  if (n > 6) return -1;
  let key = 0;
  for (let j = n - 1; j >= 0; j--) {
    const c = cpus[j]!;
    if (!(c >= 0 && c < 32 && Number.isInteger(c))) return -1;
    key = key * 32 + c;
  }
  return key * 8 + n;
}
