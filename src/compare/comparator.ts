import type { Execution, OpRecord } from '../machine';
import type { Arch, PteSubject } from '../kernel';
import type { LogicalHistory, Window } from '../reference';
import {
  OutsideContract,
  allowedWindow,
  buildHistory,
  contractBreach,
  isConsumerSpec,
  outermostWriters,
  storeSpans,
} from '../reference';
import { classify } from './classify';
import { checkInvariants, hasConsumers } from './invariants';
import { livelockVerdict } from './livelock';
import type { Contract } from './contracts';
import type { Verdict } from './verdict';

/** One judged reader invocation, for reports. */
export interface Judged {
  readonly op: OpRecord;
  readonly window: Window;
  readonly accepted: boolean;
  readonly raced: boolean;
}

export interface Judgement {
  readonly verdict: Verdict;
  /** reader invocations that completed */
  readonly invocations: number;
  /** of those, how many raced a writer (a store to their pte from another CPU inside their window) */
  readonly raced: number;
  readonly judged: readonly Judged[];
  /** completed invocations the contract does not judge: read inside a GUP-fast that returned no page (a `gate`d contract) */
  readonly discarded: number;
  readonly history: LogicalHistory | undefined;
}

/**
 * Did the reader race a writer? Either a writer operation on its pte (from
 * another CPU) was in progress during the read — which also covers a
 * one-instruction reader landing between two stores of a writer; under tso a
 * writer is in progress until its stores to the pte have drained (a read after
 * a pte_clear returned can still see its low half cleared and its high half
 * not) — or another CPU's store to its locations (or a TSO drain of one)
 * happened inside it.
 */
export function raced(exec: Execution, op: OpRecord, locIds: readonly number[]): boolean {
  const drained = exec.model === 'tso' ? lastDrains(exec, locIds) : undefined;
  for (const w of exec.ops) {
    if (w.mark.role !== 'writer' || w.cpu === op.cpu || w.mark.subject !== op.mark.subject) continue;
    // under tso a writer is in flight until its last store to the pte has drained from its store buffer
    const end = Math.max(w.end, drained?.get(w.id) ?? -1);
    if (w.start <= op.end && (!w.done || end >= op.start)) return true;
  }
  for (const ev of exec.events) {
    if (ev.step <= op.start) continue;
    if (ev.step > op.end) break;
    if (ev.cpu === op.cpu || ev.wrote === undefined) continue;
    if (ev.locs.some((l) => locIds.includes(l))) return true;
  }
  return false;
}

/** Per writer operation (the one its stores are tagged with), the step of its last store to `locIds` to drain. */
function lastDrains(exec: Execution, locIds: readonly number[]): Map<number, number> {
  const last = new Map<number, number>();
  for (const ev of exec.events) {
    if (ev.kind !== 'drain' || ev.tag === undefined || ev.tag < 0) continue;
    if (ev.locs.some((l) => locIds.includes(l))) last.set(ev.tag, ev.step);
  }
  return last;
}

/**
 * The outermost consumer path (GUP-fast, the fault path) a reader invocation
 * runs inside, if any: a lockless read inside a consumer counts as raced when
 * its consumer overlapped a writer (a one-load reader cannot overlap a
 * one-store writer, but the consumer that acts on its value can).
 */
function consumerOf(exec: Execution, op: OpRecord): OpRecord | undefined {
  let found: OpRecord | undefined;
  for (let p = op.parent; p >= 0; p = exec.ops[p]!.parent) {
    const o = exec.ops[p]!;
    if (o.mark.role === 'other') found = o;
  }
  return found;
}

/**
 * The GUP-fast operation a reader invocation runs inside (its read1 or its
 * recheck), if any.
 */
function gupFastAround(exec: Execution, op: OpRecord): OpRecord | undefined {
  for (let p = op.parent; p >= 0; p = exec.ops[p]!.parent) {
    const o = exec.ops[p]!;
    const spec: unknown = o.mark.spec;
    if (isConsumerSpec(spec) && spec.consumer === 'gup-fast') return o;
  }
  return undefined;
}

/**
 * A GUP-fast that kept its read: it returned a page. One that returned none
 * (its permission test, grab or recheck failed: the caller falls back to the
 * slow path) or never finished (a bound cut it: what it would have done with
 * the value is unknown) threw the read away.
 */
function gupFastKept(g: OpRecord): boolean {
  return g.done && g.result !== undefined;
}

/**
 * The last step of a GUP-fast's own reads: its CPU's last step before its
 * local_irq_restore() (the recheck's last load). A value the pte takes after
 * it is not one the recheck confirmed.
 */
function gupFastReadsEnd(exec: Execution, g: OpRecord): number {
  let last = g.start;
  for (const ev of exec.events) {
    if (ev.step < g.start) continue;
    if (ev.step > g.end) break;
    if (ev.cpu !== g.cpu || ev.kind === 'drain') continue;
    if (ev.name === 'local_irq_restore') break;
    last = ev.step;
  }
  return last;
}

/**
 * Judge every completed invocation of `readerName` against the SC reference
 * under `contract` (a `gate`d contract: every one GUP-fast kept). The first unacceptable value decides the verdict, unless
 * a consumer invariant (invariants.ts) is broken, which outranks it; a
 * bound hit is its own verdict, never a pass. Throws OutsideContract when the
 * execution is outside the reference's contract (reference/contract.ts: the
 * subject's writers were not serialised, one decided on a value another CPU's
 * writer replaced, or an arm64 descriptor of it changed translation without
 * break-before-make): the reference cannot judge it.
 */
export function judge(
  exec: Execution,
  readerName: string,
  subject: PteSubject,
  contract: Contract,
  arch: Arch,
): Judgement {
  const readers = exec.ops.filter(
    (o) => o.mark.role === 'reader' && o.mark.name === readerName && o.mark.subject === subject.name,
  );
  const consumers = hasConsumers(exec);
  // the reference assumes the subject's writers serialised and (arm64) keeping to break-before-make: an execution
  // where they did not has no verdict
  const outermost = outermostWriters(exec, subject.name);
  const spans = storeSpans(exec, subject.locIds, outermost);
  const breach = contractBreach(exec, subject, outermost, spans);
  if (breach !== undefined) throw new OutsideContract(breach);
  const historyOf = (): LogicalHistory =>
    buildHistory(exec, subject.name, subject.initial, subject.entries, outermost, spans);
  const history = readers.length > 0 || consumers ? historyOf() : undefined;
  const judged: Judged[] = [];
  let verdict: Verdict | undefined;
  let racedCount = 0;
  let discarded = 0;
  /** GUP-fast operations whose first read (read1, the value they keep) was judged */
  const keptRead = new Set<number>();
  for (const op of readers) {
    if (!op.done || op.result === undefined) continue;
    // a gated contract judges the value GUP-fast kept — its first read, which its recheck found again — as of the
    // recheck: GUP-fast acts on it once the recheck confirmed it, so a value the pte held by then counts (a block
    // refolded dirty by its own page's dirt before the recheck). The recheck, when it is an invocation of the reader
    // too (arm64's ptep_get() is contpte_ptep_get), is not judged on its own window: its value is read1's.
    const gup = contract.gate === 'gup-fast-kept' ? gupFastAround(exec, op) : undefined;
    if (gup !== undefined) {
      if (!gupFastKept(gup)) {
        discarded++;
        continue;
      }
      if (keptRead.has(gup.id)) continue;
      keptRead.add(gup.id);
    }
    const window = allowedWindow(history!, gup === undefined ? op : { ...op, end: gupFastReadsEnd(exec, gup) });
    const accepted = contract.accepts(op.result, window.allowed, arch);
    const r = raced(exec, consumerOf(exec, op) ?? op, subject.locIds);
    if (r) racedCount++;
    judged.push({ op, window, accepted, raced: r });
    if (!accepted && verdict === undefined) {
      verdict = {
        kind: 'divergence',
        class: classify(op.result, history!.values, window, arch),
        contract: contract.name,
        observed: op.result,
        allowed: window.allowed,
        op: op.id,
      };
    }
  }
  // A consumer invariant broken is the real damage: it outranks the reader's contract.
  const broken = consumers ? checkInvariants(exec, history, subject.name, arch) : undefined;
  if (broken !== undefined) {
    verdict = {
      kind: 'divergence',
      class: broken.class,
      contract: contract.name,
      observed: broken.observed,
      allowed: broken.allowed,
      op: broken.op,
      detail: broken.detail,
    };
  }
  let h = history;
  if (verdict === undefined && exec.outcome.kind === 'bound-hit') {
    h ??= historyOf();
    verdict = livelockVerdict(exec, subject.name, h, arch);
  }
  if (verdict === undefined) {
    verdict = exec.outcome.kind === 'bound-hit' ? { kind: 'bound-hit', bound: exec.outcome.bound } : { kind: 'agree' };
  }
  // the history is reported when a reader ran, or for a livelock
  const shown = verdict.kind === 'divergence' && verdict.class === 'livelock' ? h : history;
  return { verdict, invocations: judged.length, raced: racedCount, judged, discarded, history: shown };
}
