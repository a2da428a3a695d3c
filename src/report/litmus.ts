import type { Event, Execution, LocationTable } from '../machine';
import { opWithin } from '../machine';
import type { Verdict } from '../compare';
import { HW_UPDATE, isHardwareUpdate } from '../kernel';
import { own } from '../scenario';

/**
 * `ptefuzz show FILE --litmus`: a witness as an LKMM C litmus test, in
 * herd7's C-litmus syntax (the form of tools/memory-model/litmus-tests/ in
 * the kernel tree): `C name`, a `(* … *)` comment, the `{ init }` block, one
 * `Pk(int *x, …)` per CPU with the memory accesses and fences it executed in
 * the witness (values written are constants, loop iterations and branches
 * unrolled as executed), and an `exists` clause: the registers of the
 * diverging reader's loads equal the values they read.
 *
 * Only when the execution fits LKMM's C subset: one location per access,
 * and instructions herd7's linux-kernel.def knows (READ_ONCE, WRITE_ONCE,
 * smp_load_acquire, smp_store_release, smp_rmb, smp_wmb, smp_mb, xchg*,
 * successful cmpxchg*, spin_lock, spin_unlock). Otherwise the result names
 * the first instruction that does not fit.
 *
 * A 32-bit location keeps its values (decimal). A 64-bit location (an arm64
 * descriptor) cannot: herd7 understands only int and pointer types
 * (tools/memory-model/Documentation/litmus-tests.txt, LIMITATIONS: "the herd7
 * tool understands only int and pointer types"), klitmus7 declares them int.
 * Its values are written as small labels instead — 0 for 0 (pte_none), then
 * 1, 2, … for each other 64-bit value in order of first appearance (initial
 * values, then the execution) — listed in the comment with the value each
 * stands for. The renaming is exact, not an approximation: in the exported
 * test every value written is a constant and nothing computes on a value
 * read (branches are unrolled as executed), so LKMM's executions depend on
 * values only through equality — which store each load reads, whether a
 * cmpxchg's expected value matches, the exists clause — and one injective
 * renaming of all of them gives the same executions with renamed values.
 */
export type LitmusResult =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

export interface LitmusInput {
  /** the test name (`C name`) */
  readonly name: string;
  readonly exec: Execution;
  readonly locations: LocationTable;
  /** a divergence verdict of `exec` */
  readonly verdict: Verdict;
  /** lines for the header comment (provenance) */
  readonly comment: readonly string[];
  /** CPU names, for the header comment */
  readonly cpuNames: readonly string[];
}

const LOADS: Readonly<Record<string, (x: string) => string>> = {
  load: (x) => `READ_ONCE(*${x})`, // a plain C load; same visibility as READ_ONCE in ptefuzz's models
  READ_ONCE: (x) => `READ_ONCE(*${x})`,
  smp_load_acquire: (x) => `smp_load_acquire(${x})`,
};
const STORES: Readonly<Record<string, (x: string, v: string) => string>> = {
  store: (x, v) => `WRITE_ONCE(*${x}, ${v})`,
  WRITE_ONCE: (x, v) => `WRITE_ONCE(*${x}, ${v})`,
  smp_store_release: (x, v) => `smp_store_release(${x}, ${v})`,
};
const FENCES = new Set(['smp_rmb', 'smp_wmb', 'smp_mb']);
const XCHG = new Set(['xchg', 'xchg_relaxed', 'xchg_acquire', 'xchg_release']);
const CMPXCHG = new Set(['cmpxchg', 'cmpxchg_relaxed', 'cmpxchg_acquire', 'cmpxchg_release']);

class Refusal {
  constructor(readonly reason: string) {}
}

interface Proc {
  readonly cpu: number;
  readonly body: string[];
  readonly params: Set<number>;
  regs: number;
}

export function litmusText(input: LitmusInput): LitmusResult {
  try {
    return { ok: true, text: render(input) };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, reason: e.reason };
    throw e;
  }
}

function render(input: LitmusInput): string {
  const { exec, locations: table, verdict } = input;
  if (verdict.kind !== 'divergence') throw new Refusal('the witness shows no divergence');
  const readerOp = verdict.op;
  if (exec.ops[readerOp] === undefined) {
    // e.g. S11's lost-dirty: judged on the end state (folio clean, data never written back)
    throw new Refusal(
      `the ${verdict.class} divergence is judged on the execution's end state, not on values a reader loaded: no exists clause over a reader's registers`,
    );
  }
  const judged = exec.ops[readerOp]!;
  // e.g. S7's lost-dirty: set_pte_at() replaced a dirty pte by a clean one (the reference history)
  const notReader = `the ${verdict.class} divergence is judged on what ${judged.mark.name}() on CPU ${judged.cpu} did (a ${judged.mark.role === 'writer' ? 'writer' : 'kernel operation'}, not a reader): no loads of a reader for an exists clause`;
  if (judged.mark.role === 'writer') throw new Refusal(notReader);
  const readerCpu = judged.cpu;
  const inReader = (ev: Event): boolean => opWithin(exec, ev.op, readerOp);
  const locks = new Set<number>();
  const ints = new Set<number>();
  const skipped = new Set<string>();
  const procs = new Map<number, Proc>();
  const exists: string[] = [];
  const at = (ev: Event): string => `${ev.name} on CPU ${ev.cpu} at step ${ev.step}`;
  const labels = new Labels(
    table,
    new Set(exec.events.filter((e) => e.kind !== 'drain' && e.kind !== 'irq').flatMap((e) => e.locs)),
  );
  const val = (id: number, v: bigint): string => labels.text(id, v);
  for (const ev of exec.events) {
    if (ev.kind === 'drain') continue;
    if (ev.kind === 'irq') {
      skipped.add(ev.name);
      continue;
    }
    for (const id of ev.locs) {
      const loc = table.locs[id]!;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(loc.name))
        throw new Refusal(`location name ${loc.name} is not a C identifier`);
    }
    if (ev.locs.length > 1) {
      const names = ev.locs.map((id) => table.locs[id]!.name).join('+');
      const what = ev.name === 'atomic64_read' ? 'an atomic 64-bit load' : 'an atomic read-modify-write';
      throw new Refusal(
        `${at(ev)}: ${what} of ${names}, one access to two locations: LKMM supports one access size per variable`,
      );
    }
    let p = procs.get(ev.cpu);
    if (!p) procs.set(ev.cpu, (p = { cpu: ev.cpu, body: [], params: new Set(), regs: 0 }));
    const loc = ev.locs.length === 1 ? ev.locs[0]! : -1;
    const x = loc >= 0 ? table.locs[loc]!.name : '';
    const reg = (): string => `r${p.regs++}`;
    const use = (kind: 'int' | 'lock'): void => {
      (kind === 'int' ? ints : locks).add(loc);
      p.params.add(loc);
    };
    switch (ev.kind) {
      case 'load': {
        // an instruction a reader module names `constructor` is no key of the table's prototype
        const f = own(LOADS, ev.name);
        if (!f) throw new Refusal(outside(ev, at(ev)));
        use('int');
        const r = reg();
        p.body.push(`${r} = ${f(x)};`);
        if (ev.cpu === readerCpu && inReader(ev)) exists.push(`${r}=${val(loc, ev.read!)}`);
        break;
      }
      case 'store': {
        const f = own(STORES, ev.name);
        if (!f) throw new Refusal(outside(ev, at(ev)));
        use('int');
        p.body.push(`${f(x, val(loc, ev.wrote!))};`);
        break;
      }
      case 'fence':
        if (!FENCES.has(ev.name)) throw new Refusal(outside(ev, at(ev)));
        p.body.push(`${ev.name}();`);
        break;
      case 'rmw': {
        use('int');
        const r = reg();
        if (XCHG.has(ev.name)) p.body.push(`${r} = ${ev.name}(${x}, ${val(loc, ev.wrote!)});`);
        else if (CMPXCHG.has(ev.name) && ev.wrote !== undefined)
          p.body.push(`${r} = ${ev.name}(${x}, ${val(loc, ev.read!)}, ${val(loc, ev.wrote)});`);
        else if (CMPXCHG.has(ev.name))
          throw new Refusal(`${at(ev)}: a failed cmpxchg (its expected value is not part of the witness)`);
        else throw new Refusal(outside(ev, at(ev)));
        if (ev.cpu === readerCpu && inReader(ev)) exists.push(`${r}=${val(loc, ev.read!)}`);
        break;
      }
      case 'lock':
      case 'unlock':
        use('lock');
        p.body.push(`${ev.name}(${x});`);
        break;
      default:
        throw new Refusal(outside(ev, at(ev)));
    }
  }
  for (const l of locks)
    if (ints.has(l)) throw new Refusal(`${table.locs[l]!.name} is used both as a lock and as data`);
  if (exists.length === 0)
    throw new Refusal(judged.mark.role === 'reader' ? 'the diverging reader loaded nothing' : notReader);

  const order = [...procs.keys()].sort((a, b) => a - b);
  const index = new Map(order.map((c, i) => [c, i]));
  const used = [...ints].sort((a, b) => a - b);
  const out: string[] = [`C ${input.name}`, '', '(*'];
  for (const line of input.comment) out.push(` * ${ascii(line)}`);
  out.push(
    ' *',
    ...order.map((c) => ` * P${index.get(c)!} = CPU ${c} (${input.cpuNames[c] ?? '?'})`),
    ' * Each Pk is what that CPU executed in the witness: branches and loop iterations',
    ' * unrolled as executed, values written as constants; plain C accesses are written',
    ' * READ_ONCE/WRITE_ONCE (ptefuzz gives them the same visibility).',
  );
  if (skipped.size > 0) out.push(` * Left out (no memory effect in LKMM): ${[...skipped].join(', ')}.`);
  out.push(...labels.legend(used));
  out.push(
    ` * exists: the loads of the diverging reader (P${index.get(readerCpu)!}) read the witness's values.`,
    ' *)',
    '',
  );
  out.push('{');
  for (const l of used) out.push(`\t${table.locs[l]!.name}=${val(l, table.initial[l]!)};`);
  out.push('}', '');
  for (const c of order) {
    const p = procs.get(c)!;
    const params = [...p.params]
      .sort((a, b) => a - b)
      .map((l) => `${locks.has(l) ? 'spinlock_t' : 'int'} *${table.locs[l]!.name}`);
    out.push(`P${index.get(c)!}(${params.join(', ')})`, '{');
    for (let i = 0; i < p.regs; i++) out.push(`\tint r${i};`);
    if (p.regs > 0) out.push('');
    for (const s of p.body) out.push(`\t${s}`);
    out.push('}', '');
  }
  const ri = index.get(readerCpu)!;
  out.push(`exists (${exists.map((e) => `${ri}:${e}`).join(' /\\ ')})`);
  return out.join('\n') + '\n';
}

/** Why an event has no LKMM C form: what it is, when ptefuzz knows. */
function outside(ev: Event, where: string): string {
  if (isHardwareUpdate(ev)) {
    const what = ev.name === HW_UPDATE.dirty ? 'dirty-state (DBM)' : 'access-flag';
    return `${where}: the MMU's hardware ${what} update of the descriptor, not a CPU instruction: LKMM has no hardware access/dirty-flag updates`;
  }
  if (ev.name === 'pmdp_get_lockless')
    return `${where}: a page-table walk's pmd read (the table page it maps is followed for use-after-free): LKMM has no page tables`;
  switch (ev.kind) {
    case 'flush':
      return `${where}: a TLB flush: LKMM has no TLBs`;
    case 'tlb':
      return `${where}: a TLB fill or access: LKMM has no TLBs`;
    case 'page':
      return `${where}: a page allocator or refcount step: LKMM has no page allocator`;
    default:
      return `${where}: not in LKMM's C subset (herd7's linux-kernel.def has no ${ev.name})`;
  }
}

/** Comment text herd7's lexer is sure to take: ASCII, no comment terminator. */
function ascii(line: string): string {
  return line
    .replace(/→/g, '->')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/\*\)/g, '* )');
}

/**
 * The values of 64-bit locations as labels (see litmusText): 0 stays 0,
 * every other value gets the next number the first time it is met; a
 * 32-bit location's value is itself, in decimal.
 */
class Labels {
  private readonly of = new Map<bigint, number>([[0n, 0]]);

  constructor(
    private readonly table: LocationTable,
    used: ReadonlySet<number>,
  ) {
    // the initial values first, so the init block reads 1, 2, … in location order
    for (const id of [...used].sort((a, b) => a - b)) this.text(id, table.initial[id]!);
  }

  text(id: number, v: bigint): string {
    if (this.table.locs[id]!.width !== 64) return v.toString();
    let k = this.of.get(v);
    if (k === undefined) this.of.set(v, (k = this.of.size));
    return String(k);
  }

  /** The comment lines that map the labels of the locations used back to their 64-bit values. */
  legend(used: readonly number[]): string[] {
    const wide = used.filter((id) => this.table.locs[id]!.width === 64).map((id) => this.table.locs[id]!.name);
    if (wide.length === 0) return [];
    const hex = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;
    return [
      ` * ${wide.join(', ')}: 64-bit in the witness; herd7 knows only int, so each value is a label:`,
      ...[...this.of].map(([v, k]) => ` *   ${k} = ${hex(v)}`),
      ' * (an exact renaming: the test computes nothing from a value read, so which store each load',
      ' * reads, cmpxchg success and the exists clause are the same under any one-to-one relabelling).',
    ];
  }
}
