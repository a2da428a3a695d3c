import type { DistillCandidate } from '../crash';
import type { Bounds } from '../machine';
import { DEFAULT_BOUNDS, byCodeUnit } from '../machine';
import type { ReaderRegistry } from '../kernel';
import { CoverageEngine } from '../engines';
import type { Scenario } from '../scenario';
import { builtinScenario } from '../scenario';
import type { CorpusKey } from './corpus';
import { verdictLabel } from './campaign';
import type { ExecutionWatch, Target } from './target';
import { runTarget } from './target';
import { UsageError, namedTarget } from './select';

/**
 * Corpus distillation (libFuzzer's `-merge=1`, AFL's afl-cmin) for `ptefuzz
 * merge --distill`: of a target's corpus entries, keep only those that set an
 * interleaving-coverage bit — a (counter, hit-count bucket) bit of the
 * coverage engine's map — that the entries kept before them did not.
 *
 * The entries are replayed by a coverage engine exactly as a campaign
 * restarted on the corpus replays its saved entries (CoverageEngine.addSeeds:
 * the same plan, the same features, the same verdict label), and an entry is
 * kept when the engine admits it. So the kept entries set every bit the whole
 * input sets — a restarted campaign's map is the same —, and each kept entry
 * added something. The order is fixed by the content, not by where the entries
 * came from: entries already in the output first (they are never removed),
 * then the candidates by trace length (shorter first), then name.
 */

/** One corpus entry: its content-addressed file name and its trace (merge's DistillCandidate). */
export type DistillEntry = DistillCandidate;

export interface DistillResult {
  /** names of the candidates kept, in the order they were replayed */
  readonly kept: readonly string[];
  /** names of the candidates dropped (every bit they set was set before), in replay order */
  readonly dropped: readonly string[];
  /** (counter, bucket) bits set by the existing entries and the kept candidates together */
  readonly ft: number;
  /** map counters hit */
  readonly cov: number;
  /** entries replayed (existing ones included) */
  readonly replayed: number;
}

/** Shorter trace first, then name: the order distillation replays candidates in. */
export function distillOrder(a: DistillEntry, b: DistillEntry): number {
  if (a.trace.length !== b.trace.length) return a.trace.length - b.trace.length;
  return byCodeUnit(a.name, b.name);
}

/**
 * The order distillation replays entries in: `existing` first, then the
 * candidates, each by distillOrder. `existing` is the number of entries of
 * `existing` at its head. Deterministic: it depends only on the two sets.
 */
export function distillSequence(
  existing: readonly DistillEntry[],
  candidates: readonly DistillEntry[],
): { readonly all: readonly DistillEntry[]; readonly existing: number } {
  const before = [...existing].sort(distillOrder);
  const cands = [...candidates].sort(distillOrder);
  for (let i = 1; i < cands.length; i++) {
    if (cands[i]!.name === cands[i - 1]!.name) {
      throw new Error(`[ptefuzz internal bug] distill: candidate ${cands[i]!.name} given twice`);
    }
  }
  return { all: [...before, ...cands], existing: before.length };
}

export interface DistillOptions {
  readonly bounds?: Bounds;
  /** watches every replay (`merge --distill`'s watchdog: src/cli/distill-worker.ts) */
  readonly watch?: ExecutionWatch;
  /** called before the replay of entry `i` of distillSequence's `all` */
  readonly onReplay?: (i: number) => void;
  /** replay only the first `limit` entries of distillSequence's `all` (the others are neither kept nor dropped) */
  readonly limit?: number;
}

/**
 * Distill the `candidates` of target `t` on top of `existing` (entries kept
 * whatever they cover: those already in the output folder). Deterministic:
 * the result depends only on the two sets, not on their order.
 */
export function distillTarget(
  t: Target,
  existing: readonly DistillEntry[],
  candidates: readonly DistillEntry[],
  o: DistillOptions = {},
): DistillResult {
  const { all, existing: before } = distillSequence(existing, candidates);
  const n = Math.min(all.length, o.limit ?? all.length);
  const engine = new CoverageEngine();
  engine.addSeeds(all.slice(0, n).map((e) => e.trace));
  const kept: string[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < n; i++) {
    o.onReplay?.(i);
    // a saved entry is replayed whatever the seed: the engine's queue hands out `all` in order
    const source = engine.source('distill');
    const { exec, judgement } = runTarget(t, source, o.bounds ?? DEFAULT_BOUNDS, o.watch);
    const size = engine.entries().length;
    engine.observe(exec, verdictLabel(judgement.verdict, judgement.raced));
    if (i < before) continue;
    (engine.entries().length > size ? kept : dropped).push(all[i]!.name);
  }
  const c = engine.stats();
  return { kept, dropped, ft: c.ft, cov: c.cov, replayed: n };
}

/**
 * The campaign target a corpus folder belongs to, from the names an entry
 * records: a built-in scenario, or one of `scenarios` (loaded from `.scn`
 * files: an entry records only the scenario's name, not its text), a reader
 * of `registry` (built in, or from a `--reader-module`), a contract and a
 * memory model. A UsageError says why it cannot be resolved.
 */
export function corpusTarget(key: CorpusKey, registry: ReaderRegistry, scenarios: readonly Scenario[] = []): Target {
  const s = scenarios.find((x) => x.name === key.scenario) ?? builtinScenario(key.scenario);
  if (!s) {
    throw new UsageError(
      `scenario "${key.scenario}" is not built in (a .scn scenario's corpus entries record only its name: give the file with --scenario FILE.scn)`,
    );
  }
  const reader = registry.get(key.reader);
  if (!reader) {
    throw new UsageError(
      `reader "${key.reader}" is not known (a reader of your own is known once its module is loaded: --reader-module PATH)`,
    );
  }
  return namedTarget(s, reader, key.contract, key.model);
}
