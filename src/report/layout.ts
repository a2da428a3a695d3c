import type { Execution, OpRecord } from '../machine';

/**
 * The rows of a CPU-column diagram, as data: which event or operation
 * boundary each row shows, in which CPU's column, at which nesting depth.
 * Text is added later (diagram.ts), so tests and other renderers (HTML) can
 * share the structure.
 */
export type DiagramRow =
  | { readonly kind: 'event'; readonly cpu: number; readonly depth: number; readonly event: number }
  /** `name(args) {` */
  | { readonly kind: 'open'; readonly cpu: number; readonly depth: number; readonly op: number }
  /** `}` (readers: `} = value`) */
  | { readonly kind: 'close'; readonly cpu: number; readonly depth: number; readonly op: number }
  /** an operation that took no step: `name(args) {}` on one row */
  | { readonly kind: 'leaf'; readonly cpu: number; readonly depth: number; readonly op: number }
  /** an operation still open when the execution stopped (a bound hit) */
  | { readonly kind: 'unfinished'; readonly cpu: number; readonly depth: number; readonly op: number };

interface Token {
  readonly close: boolean;
  readonly op: number;
  /** program order within one anchor: an open at its id, a close just after its last descendant */
  readonly key: number;
}

/** Where a token is printed: before or after an event, or at the start or end of the diagram. */
class Anchors {
  readonly before = new Map<number, Token[]>();
  readonly after = new Map<number, Token[]>();
  readonly start: Token[] = [];
  readonly end: Token[] = [];
  add(where: 'before' | 'after', event: number, t: Token): void {
    const m = where === 'before' ? this.before : this.after;
    const list = m.get(event);
    if (list) list.push(t);
    else m.set(event, [t]);
  }
}

/**
 * Lay out `exec` as rows, in `exec.events` order. An operation opens just
 * before its first step and closes just after its last one (the instants the
 * reference's window uses); an operation that took no step sits after the
 * last step its CPU took before it. Drains go in the column of the CPU whose
 * store buffer drained.
 */
export function layoutRows(exec: Execution): DiagramRow[] {
  const ops = exec.ops;
  const depth = opDepths(ops);
  const lastDescendant = lastDescendants(ops);
  const stepped = steppedOps(exec);
  // a step number belongs to exactly one non-drain event
  const eventOfStep = new Map<number, number>();
  const ownSteps = new Map<number, number[]>();
  for (const ev of exec.events) {
    if (ev.kind === 'drain') continue;
    eventOfStep.set(ev.step, ev.index);
    const list = ownSteps.get(ev.cpu);
    if (list) list.push(ev.step);
    else ownSteps.set(ev.cpu, [ev.step]);
  }

  const at = (step: number): number => {
    const e = eventOfStep.get(step);
    if (e === undefined) throw new Error(`[ptefuzz internal bug] no event for step ${step} of an operation`);
    return e;
  };
  const anchors = new Anchors();
  const open = (op: OpRecord): Token => ({ close: false, op: op.id, key: op.id });
  const close = (op: OpRecord): Token => ({ close: true, op: op.id, key: lastDescendant[op.id]! + 0.5 });
  for (const op of ops) {
    if (stepped[op.id]) {
      anchors.add('before', at(op.start), open(op));
      if (op.done) anchors.add('after', at(op.end), close(op));
      continue;
    }
    if (!op.done) {
      anchors.end.push(open(op));
      continue;
    }
    const tokens = [open(op), close(op)];
    // an ancestor that opens at this CPU's next step holds it: print it there
    const prev = previousStep(ownSteps.get(op.cpu), op.start);
    const holder = steppedAncestorStartingAfter(ops, op, stepped, prev);
    for (const t of tokens) {
      if (holder !== undefined) anchors.add('before', at(holder.start), t);
      else if (prev !== undefined) anchors.add('after', at(prev), t);
      else anchors.start.push(t);
    }
  }
  return emit(exec, anchors, depth);
}

function emit(exec: Execution, anchors: Anchors, depth: readonly number[]): DiagramRow[] {
  const rows: DiagramRow[] = [];
  const openOps = new Map<number, number[]>();
  const stackOf = (cpu: number): number[] => {
    let s = openOps.get(cpu);
    if (!s) openOps.set(cpu, (s = []));
    return s;
  };
  const flush = (tokens: readonly Token[] | undefined): void => {
    if (!tokens) return;
    // closes at one key: the inner operation (larger id) first
    const sorted = [...tokens].sort((a, b) => a.key - b.key || b.op - a.op);
    for (let i = 0; i < sorted.length; i++) {
      const t = sorted[i]!;
      const op = exec.ops[t.op]!;
      const d = depth[t.op]!;
      const next = sorted[i + 1];
      if (!t.close && next !== undefined && next.close && next.op === t.op) {
        rows.push({ kind: 'leaf', cpu: op.cpu, depth: d, op: t.op });
        i++;
      } else if (!t.close) {
        rows.push({ kind: 'open', cpu: op.cpu, depth: d, op: t.op });
        stackOf(op.cpu).push(t.op);
      } else {
        rows.push({ kind: 'close', cpu: op.cpu, depth: d, op: t.op });
        const s = stackOf(op.cpu);
        s.splice(s.lastIndexOf(t.op), 1);
      }
    }
  };
  flush(anchors.start);
  for (const ev of exec.events) {
    flush(anchors.before.get(ev.index));
    rows.push({ kind: 'event', cpu: ev.cpu, depth: stackOf(ev.cpu).length, event: ev.index });
    flush(anchors.after.get(ev.index));
  }
  flush(anchors.end);
  for (const [cpu, stack] of [...openOps.entries()].sort((a, b) => a[0] - b[0])) {
    for (let i = stack.length - 1; i >= 0; i--) {
      rows.push({ kind: 'unfinished', cpu, depth: depth[stack[i]!]!, op: stack[i]! });
    }
  }
  return rows;
}

/** Nesting depth of every operation (0 = outermost). Parents have smaller ids. */
function opDepths(ops: readonly OpRecord[]): number[] {
  const d: number[] = [];
  for (const op of ops) d.push(op.parent < 0 ? 0 : d[op.parent]! + 1);
  return d;
}

/** The largest id in each operation's subtree (ids are in begin order). */
function lastDescendants(ops: readonly OpRecord[]): number[] {
  const last = ops.map((o) => o.id);
  for (let i = ops.length - 1; i >= 0; i--) {
    const p = ops[i]!.parent;
    if (p >= 0) last[p] = Math.max(last[p]!, last[i]!);
  }
  return last;
}

/** Operations that took at least one step (themselves or a nested operation). */
function steppedOps(exec: Execution): boolean[] {
  const stepped = exec.ops.map(() => false);
  for (const ev of exec.events) {
    if (ev.kind === 'drain') continue;
    for (let id = ev.op; id >= 0 && !stepped[id]; id = exec.ops[id]!.parent) stepped[id] = true;
  }
  return stepped;
}

/** The CPU's last step before `step`. */
function previousStep(steps: readonly number[] | undefined, step: number): number | undefined {
  let prev: number | undefined;
  for (const s of steps ?? []) if (s < step) prev = s;
  return prev;
}

/** A stepped ancestor that opens after step `prev` (at the CPU's next step). */
function steppedAncestorStartingAfter(
  ops: readonly OpRecord[],
  op: OpRecord,
  stepped: readonly boolean[],
  prev: number | undefined,
): OpRecord | undefined {
  for (let id = op.parent; id >= 0; id = ops[id]!.parent) {
    const a = ops[id]!;
    if (stepped[id] && (prev === undefined || a.start > prev)) return a;
  }
  return undefined;
}
