import type { Event, Execution, LocationTable } from '../machine';
import type { Verdict } from '../compare';

/**
 * `ptefuzz show FILE --litmus`: a witness as an LKMM C litmus test, in
 * herd7's C-litmus syntax (the form of tools/memory-model/litmus-tests/ in
 * the kernel tree): `C name`, a `(* … *)` comment, the `{ init }` block, one
 * `Pk(int *x, …)` per CPU with the memory accesses and fences it executed in
 * the witness (values written are constants, loop iterations and branches
 * unrolled as executed), and an `exists` clause: the registers of the
 * diverging reader's loads equal the values they read.
 *
 * Only when the execution fits LKMM's C subset: 32-bit locations, one
 * location per access, and instructions herd7's linux-kernel.def knows
 * (READ_ONCE, WRITE_ONCE, smp_load_acquire, smp_store_release, smp_rmb,
 * smp_wmb, smp_mb, xchg*, successful cmpxchg*, spin_lock, spin_unlock).
 * Otherwise the result names the first instruction that does not fit.
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
  const readerCpu = exec.ops[readerOp]!.cpu;
  const inReader = (ev: Event): boolean => {
    for (let o = ev.op; o >= 0; o = exec.ops[o]!.parent) if (o === readerOp) return true;
    return false;
  };
  const locks = new Set<number>();
  const ints = new Set<number>();
  const skipped = new Set<string>();
  const procs = new Map<number, Proc>();
  const exists: string[] = [];
  const at = (ev: Event): string => `${ev.name} on CPU ${ev.cpu} at step ${ev.step}`;
  for (const ev of exec.events) {
    if (ev.kind === 'drain') continue;
    if (ev.kind === 'irq') {
      skipped.add(ev.name);
      continue;
    }
    for (const id of ev.locs) {
      const loc = table.locs[id]!;
      if (loc.width !== 32)
        throw new Refusal(`${at(ev)}: location ${loc.name} is ${loc.width}-bit (LKMM litmus locations are int)`);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(loc.name))
        throw new Refusal(`location name ${loc.name} is not a C identifier`);
    }
    if (ev.locs.length > 1) {
      const names = ev.locs.map((id) => table.locs[id]!.name).join('+');
      throw new Refusal(
        `${at(ev)}: an atomic read-modify-write of ${names} (one access to two locations) has no LKMM C-litmus form`,
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
        const f = LOADS[ev.name];
        if (!f) throw new Refusal(`${at(ev)}: not in LKMM's C subset`);
        use('int');
        const r = reg();
        p.body.push(`${r} = ${f(x)};`);
        if (ev.cpu === readerCpu && inReader(ev)) exists.push(`${r}=${ev.read!.toString()}`);
        break;
      }
      case 'store': {
        const f = STORES[ev.name];
        if (!f) throw new Refusal(`${at(ev)}: not in LKMM's C subset`);
        use('int');
        p.body.push(`${f(x, ev.wrote!.toString())};`);
        break;
      }
      case 'fence':
        if (!FENCES.has(ev.name)) throw new Refusal(`${at(ev)}: not in LKMM's C subset`);
        p.body.push(`${ev.name}();`);
        break;
      case 'rmw': {
        use('int');
        const r = reg();
        if (XCHG.has(ev.name)) p.body.push(`${r} = ${ev.name}(${x}, ${ev.wrote!.toString()});`);
        else if (CMPXCHG.has(ev.name) && ev.wrote !== undefined)
          p.body.push(`${r} = ${ev.name}(${x}, ${ev.read!.toString()}, ${ev.wrote.toString()});`);
        else if (CMPXCHG.has(ev.name))
          throw new Refusal(`${at(ev)}: a failed cmpxchg (its expected value is not part of the witness)`);
        else throw new Refusal(`${at(ev)}: not in LKMM's C subset`);
        if (ev.cpu === readerCpu && inReader(ev)) exists.push(`${r}=${ev.read!.toString()}`);
        break;
      }
      case 'lock':
      case 'unlock':
        use('lock');
        p.body.push(`${ev.name}(${x});`);
        break;
      default:
        throw new Refusal(`${at(ev)}: not in LKMM's C subset`);
    }
  }
  for (const l of locks)
    if (ints.has(l)) throw new Refusal(`${table.locs[l]!.name} is used both as a lock and as data`);
  if (exists.length === 0) throw new Refusal('the diverging reader loaded nothing');

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
  out.push(
    ` * exists: the loads of the diverging reader (P${index.get(readerCpu)!}) read the witness's values.`,
    ' *)',
    '',
  );
  out.push('{');
  for (const l of used) out.push(`\t${table.locs[l]!.name}=${table.initial[l]!.toString()};`);
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

/** Comment text herd7's lexer is sure to take: ASCII, no comment terminator. */
function ascii(line: string): string {
  return line
    .replace(/→/g, '->')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/\*\)/g, '* )');
}
