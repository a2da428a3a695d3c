/**
 * Consumer invariants (DESIGN §6): what the users of a lockless reader must
 * never do, whatever the reader returned. Checked on the whole execution
 * against the SC reference history and the machine's page/TLB events; each
 * violation is a divergence with a class, the observed and allowed values
 * and a one-line `detail`.
 *
 * 1. use-after-free — the mmu_gather rule (asm-generic/tlb.h: unhook → TLB
 *    invalidate → free): a page is freed while some CPU's TLB still
 *    translates to it, or a CPU accesses a page through a TLB entry whose
 *    page has been freed since.
 *    A walker never dereferences a page-table page after it was freed: an
 *    access to a location in a declared page, by a CPU that took that page
 *    by reading a pmd pointing to it (pmdp_get_lockless), must find the page
 *    at the generation it had then (and it must not have been free then).
 * 2. wrong-page — GUP-fast returns a page only if the pte mapped that pfn
 *    *and generation*, with sufficient permission, at some instant from its
 *    try_grab_folio() to the end of its recheck. That is the grab-then-verify
 *    protocol of mm/gup.c ("GUP-fast: grab, then check the pte unchanged;
 *    modifiers: clear the pte, then check the refcount"); it implies the
 *    weaker "mapped at some instant of the walk". Under tso/weak the window
 *    reaches back to what the recheck's CPU could still observe.
 * 3. commit — the fault path commits nothing computed from a value that its
 *    PTL recheck did not confirm: a pte store nested in a `commit` consumer
 *    op must find the value it was computed from — exactly, or up to
 *    access/dirty as long as the store keeps a dirty bit the pte held. A
 *    dirty bit dropped that way is `lost-dirty`; a value never held
 *    `phantom`; a value held earlier `stale`.
 * 4. lost-dirty — a dirty bit, once set, is cleared only by an explicit clean
 *    operation: in the reference history no store turns a dirty pte of a
 *    page into a clean present pte of the same page unless its specification
 *    `cleans` (clearing the pte — zap — transfers dirty to the folio, and is
 *    not a lost dirty bit).
 * 5. lost write (class lost-dirty) — every write to a shared file page either
 *    happens before writeback's capture of its contents or is still tracked:
 *    at the end of a complete execution with a `writeback` consumer, the
 *    page's contents are on disk, or the folio is dirty, or a present dirty
 *    pte maps it (a later writeback will capture them). Otherwise a write —
 *    through a TLB entry that survived the capture — never reaches the file
 *    (DOMAIN §C S11's oracle, stated on the final state).
 */
import type { Event, Execution, OpRecord } from '../machine';
import { opWithin, outermostOp } from '../machine';
import type { Arch, WriterSpec } from '../kernel';
import type { LogicalHistory } from '../reference';
import { allowedWindow, isConsumerSpec, memoryOrder, valueGenerations } from '../reference';
import type { DivergenceClass } from './verdict';

export interface Violation {
  readonly class: DivergenceClass;
  readonly observed: bigint;
  readonly allowed: readonly bigint[];
  /** the consumer (or writer) operation that broke the invariant */
  readonly op: number;
  readonly detail: string;
}

const hx = (v: bigint): string => '0x' + v.toString(16);

function who(exec: Execution, op: OpRecord): string {
  const chain: string[] = [];
  for (let o: OpRecord | undefined = op; o !== undefined; o = o.parent >= 0 ? exec.ops[o.parent] : undefined) {
    chain.push(o.mark.name);
  }
  return `CPU ${op.cpu} ${chain.reverse().join(' → ')}`;
}

/** Operations nested (at any depth) in `root`, in begin order. */
function descendants(exec: Execution, root: OpRecord): OpRecord[] {
  const inside = new Set<number>([root.id]);
  const out: OpRecord[] = [];
  for (const o of exec.ops) {
    if (o.id > root.id && inside.has(o.parent)) {
      inside.add(o.id);
      out.push(o);
    }
  }
  return out;
}

/** Consumer ops present at all? (cheap test before building anything) */
export function hasConsumers(exec: Execution): boolean {
  return exec.ops.some((o) => isConsumerSpec(o.mark.spec)) || exec.events.some((e) => e.page || e.tlb);
}

export function checkInvariants(
  exec: Execution,
  h: LogicalHistory | undefined,
  subject: string,
  arch: Arch,
): Violation | undefined {
  return (
    useAfterFree(exec, arch) ??
    (h === undefined
      ? undefined
      : (wrongPage(exec, h, subject, arch) ??
        badCommit(exec, h, arch) ??
        lostDirty(exec, h, arch) ??
        lostWrite(exec, h, arch)))
  );
}

function lostWrite(exec: Execution, h: LogicalHistory, arch: Arch): Violation | undefined {
  if (exec.outcome.kind !== 'complete') return undefined;
  for (const w of exec.ops) {
    const spec: unknown = w.mark.spec;
    if (!isConsumerSpec(spec) || spec.consumer !== 'writeback') continue;
    const data = exec.final[spec.data]!;
    const disk = exec.final[spec.disk]!;
    if (data === disk) return undefined;
    if ((exec.final[spec.flags]! & spec.dirtyBit) !== 0n) return undefined;
    const pte = h.values[h.values.length - 1]!;
    if (arch.present(pte) && arch.pfn(pte) === spec.pfn && arch.dirty(pte)) return undefined;
    // the write memory ends with: the coherence-last (under weak not always the last made)
    const last = (loc: number) =>
      [...memoryOrder(exec).events].reverse().find((e) => e.wrote !== undefined && e.locs.includes(loc));
    const write = last(spec.data);
    const capture = last(spec.disk);
    const wrote =
      write === undefined ? 'the initial contents' : `CPU ${write.cpu} wrote ${hx(data)} (step ${write.step})`;
    const captured =
      capture === undefined ? 'writeback never captured them' : `writeback captured ${hx(disk)} (step ${capture.step})`;
    return {
      class: 'lost-dirty',
      observed: data,
      allowed: [disk],
      op: write?.op ?? w.id,
      detail: `pfn ${hx(spec.pfn)}: ${wrote}, ${captured}; at the end the folio is clean and no dirty pte maps it: the write never reaches the file`,
    };
  }
  return undefined;
}

function useAfterFree(exec: Execution, _arch: Arch): Violation | undefined {
  /**
   * per CPU: table pfn → the pmdp_get_lockless event that took that table, and the walk that took it (its outermost
   * operation: gup_fast), which holds it until it ends; a later operation of that CPU — one that allocates the freed
   * page and writes it — is that page's new owner, not the walker. A pmd read outside any operation (walker -1) holds
   * it to the end.
   */
  const mapped = new Map<number, Map<bigint, { readonly ev: Event; readonly walker: number }>>();
  for (const ev of exec.events) {
    const p = ev.page;
    if (ev.maps !== undefined) {
      if (ev.maps.ref === 0) {
        return {
          class: 'use-after-free',
          observed: ev.read ?? 0n,
          allowed: [],
          op: ev.op,
          detail: `CPU ${ev.cpu} ${ev.name} read a pmd pointing to page-table page pfn ${hx(ev.maps.pfn)} (step ${ev.step}), which is free`,
        };
      }
      if (!mapped.has(ev.cpu)) mapped.set(ev.cpu, new Map());
      mapped.get(ev.cpu)!.set(ev.maps.pfn, { ev, walker: outermostOp(exec, ev.op) });
    }
    const m = ev.mem;
    const taken = m === undefined ? undefined : mapped.get(ev.cpu)?.get(m.pfn);
    if (
      m !== undefined &&
      taken !== undefined &&
      (taken.walker < 0 || opWithin(exec, ev.op, taken.walker)) &&
      taken.ev.maps!.gen !== m.gen
    ) {
      const took = taken.ev;
      const state = m.ref === 0 ? 'free' : `reused (gen ${m.gen}, ref ${m.ref})`;
      return {
        class: 'use-after-free',
        observed: ev.read ?? ev.wrote ?? 0n,
        allowed: [],
        op: ev.op,
        detail: `CPU ${ev.cpu} ${ev.name} of an entry of page-table page pfn ${hx(m.pfn)} (step ${ev.step}), taken at gen ${took.maps!.gen} by ${took.name} (step ${took.step}), now ${state}: the table was freed under the walker`,
      };
    }
    if (p?.freed === true && p.tlbHolders !== undefined) {
      return {
        class: 'use-after-free',
        observed: p.pfn,
        allowed: [],
        op: ev.op,
        detail: `page pfn ${hx(p.pfn)} freed by CPU ${ev.cpu} (step ${ev.step}) while the TLB of CPU ${p.tlbHolders.join(', ')} still maps it: freed before the flush completed`,
      };
    }
    const t = ev.tlb;
    if (t?.hit === true && t.now !== undefined && t.gen !== undefined && t.now !== t.gen) {
      return {
        class: 'use-after-free',
        observed: t.pfn ?? 0n,
        allowed: [],
        op: ev.op,
        detail: `CPU ${ev.cpu} accessed ${t.key} through a TLB entry for pfn ${hx(t.pfn ?? 0n)} gen ${t.gen}, freed since (now gen ${t.now})`,
      };
    }
  }
  return undefined;
}

function wrongPage(exec: Execution, h: LogicalHistory, subject: string, arch: Arch): Violation | undefined {
  let gens: number[] | undefined;
  for (const g of exec.ops) {
    const spec: unknown = g.mark.spec;
    if (!isConsumerSpec(spec) || spec.consumer !== 'gup-fast' || g.mark.subject !== subject) continue;
    if (!g.done || g.result === undefined) continue;
    const pfn = g.result;
    const grab = exec.events.find((e) => e.op === g.id && e.name === 'try_grab_folio' && e.page?.ok === true);
    if (grab === undefined) throw new Error('[ptefuzz internal bug] gup_fast returned a page it did not grab');
    const gen = grab.page!.gen;
    const reads = descendants(exec, g).filter((o) => o.mark.role === 'reader');
    const first = reads[0];
    const recheck = reads.find((o) => o.start > grab.step);
    const span = { ...(recheck ?? g), start: grab.step, end: g.end };
    const w = allowedWindow(h, span);
    gens ??= valueGenerations(exec, h, arch);
    let ok = false;
    for (let k = w.lo; k <= w.hi && !ok; k++) {
      const v = h.values[k]!;
      ok = arch.accessPermitted(v, spec.write) && arch.pfn(v) === pfn && gens[k] === gen;
    }
    if (ok) continue;
    const held = w.allowed.map((v) => arch.format(v)).join(', ');
    return {
      class: 'wrong-page',
      observed: first?.result ?? 0n,
      allowed: w.allowed,
      op: g.id,
      detail: `${who(exec, g)} pinned pfn ${hx(pfn)} gen ${gen}, but from try_grab_folio (step ${grab.step}) to the end of its recheck (step ${g.end}) the pte held only ${held}`,
    };
  }
  return undefined;
}

function badCommit(exec: Execution, h: LogicalHistory, arch: Arch): Violation | undefined {
  for (const c of exec.ops) {
    const spec: unknown = c.mark.spec;
    if (!isConsumerSpec(spec) || spec.consumer !== 'commit') continue;
    // The store's first writer operation is the one that must find `from`: on an arm64 contpte block
    // set_pte_at is several (unfold, __set_pte, refold), each finding what the one before it left; what
    // the store committed is the value after its last. A break-before-make writer finds its value before
    // its break (firstIndexOfOp).
    const ws = exec.ops.filter((w) => w.parent === c.id && w.mark.role === 'writer' && h.indexOfOp.has(w.id));
    const first = ws[0];
    if (first === undefined) continue;
    const held = h.values[(h.firstIndexOfOp?.get(first.id) ?? h.indexOfOp.get(first.id)!) - 1]!;
    if (held === spec.from) continue;
    const k = h.indexOfOp.get(ws[ws.length - 1]!.id)!;
    const committed = h.values[k]!;
    const lost =
      arch.present(held) && arch.pfn(held) === arch.pfn(committed) && arch.dirty(held) && !arch.dirty(committed);
    // A recheck that confirmed the value up to access/dirty (pte_same_norecency) is harmful only if the
    // store drops a dirty bit the pte held; a lost access bit is a reclaim heuristic, not a divergence.
    if (arch.withoutAD(held) === arch.withoutAD(spec.from) && !lost) continue;
    const cls: DivergenceClass = lost ? 'lost-dirty' : h.values.slice(0, k).includes(spec.from) ? 'stale' : 'phantom';
    return {
      class: cls,
      observed: committed,
      allowed: [held],
      op: c.id,
      detail: `${who(exec, c)} stored ${arch.format(committed)} computed from ${arch.format(spec.from)}, but under the PTL the pte held ${arch.format(held)}${lost ? ': its dirty bit is lost' : ''}`,
    };
  }
  return undefined;
}

/**
 * An entries subject (a contpte block, whose entry's logical value ORs the block's A/D): the step cleared entries,
 * and only those held dirt — the dirt the view lost went with the cleared entries to the clear's caller (a zap's
 * get_and_clear returns it, clear_full_ptes drops it with the folio), not lost by a writer of the entry.
 */
function dirtCleared(before: readonly bigint[], after: readonly bigint[], arch: Arch): boolean {
  const cleared = before.some((e, i) => e !== 0n && after[i] === 0n);
  const dirtLeft = before.some((e, i) => after[i] !== 0n && arch.dirty(e));
  return cleared && !dirtLeft;
}

function lostDirty(exec: Execution, h: LogicalHistory, arch: Arch): Violation | undefined {
  for (let k = 1; k < h.values.length; k++) {
    const prev = h.values[k - 1]!;
    const next = h.values[k]!;
    const op = h.ops[k - 1]!;
    if ((op.mark.spec as WriterSpec).cleans === true) continue;
    if (!arch.present(prev) || !arch.present(next) || arch.pfn(prev) !== arch.pfn(next)) continue;
    if (!arch.dirty(prev) || arch.dirty(next)) continue;
    if (h.states !== undefined && dirtCleared(h.states[k - 1]!, h.states[k]!, arch)) continue;
    return {
      class: 'lost-dirty',
      observed: next,
      allowed: [arch.mkdirty(next)],
      op: op.id,
      detail: `${who(exec, op)} replaced dirty ${arch.format(prev)} by clean ${arch.format(next)} (not a clean operation)`,
    };
  }
  return undefined;
}
