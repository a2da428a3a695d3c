import type { Location, ModelKind, Program } from '../machine';
import { LocationTable, MODEL_KINDS } from '../machine';
import type { ArchName, ArgValue, OperationDef, OperationRegistry, Pte, ReaderDef, ReaderRegistry } from '../kernel';
import { ARCHES, PTE_LAYOUTS, paramTypeText, signature } from '../kernel';
import type { Arg, Call, Cond, DirectiveItem, Item, Num, Quantifier, ScnFile, Value } from './ast';
import { condAtoms } from './cond';
import type { Pos } from './errors';
import { ScenarioError, closeNames, expected } from './errors';
import { parseScn } from './parse';
import { printScn, printValue } from './print';
import type { RawExpr, RawLocation, RawStmt, RawTest } from './raw';
import { RAW_INSTRUCTIONS, observedOf, runRaw } from './raw';
import type { BuildOptions, BuiltScenario, Expectation, Scenario } from './types';

type Of<K extends DirectiveItem['kind']> = DirectiveItem & { readonly kind: K };

/** What lowering checks names against. */
export interface LowerContext {
  readonly readers: ReaderRegistry;
  readonly operations: OperationRegistry;
}

/** A lowered `.scn` file: a kernel scenario (ptes, readers under test) or a raw test (locations, a condition). */
export type Lowered =
  | { readonly kind: 'kernel'; readonly scenario: Scenario; readonly text: string; readonly cpus: readonly string[] }
  | { readonly kind: 'raw'; readonly test: RawTest; readonly text: string; readonly header: Header };

export interface Header {
  readonly name: string;
  readonly title: string;
  readonly source: string;
  readonly claim: string;
}

/** The memory model of an architecture, the default of `model` and --model. */
export const ARCH_MODELS: Readonly<Record<ArchName, ModelKind>> = {
  'x86-pae': 'tso',
  arm64: 'weak',
  'arm64-ext-sw': 'weak',
};
const EXPECTATIONS: readonly Expectation[] = ['bug', 'correct', 'benign'];
const OBSERVATIONS = ['never', 'sometimes', 'always'];

/** Parse and lower a `.scn` text; every problem is a ScenarioError at file:line:col. */
export function loadScn(src: string, file: string, ctx: LowerContext, defaultName = 'scenario'): Lowered {
  return lowerScn(parseScn(src, file), file, ctx, defaultName);
}

type Step =
  | {
      readonly kind: 'op';
      readonly def: OperationDef;
      readonly args: Readonly<Record<string, ArgValue | PteRef>>;
      readonly reg?: string;
    }
  | { readonly kind: 'reader'; readonly pte: string }
  | { readonly kind: 'raw'; readonly stmt: RawStmt };

/** A pte argument, resolved when the scenario is built (each build has fresh locations). */
interface PteRef {
  readonly pteRef: string;
}
const isPteRef = (x: unknown): x is PteRef => typeof x === 'object' && x !== null && 'pteRef' in x;

interface CpuPlan {
  readonly name: string;
  readonly label?: string;
  readonly steps: readonly Step[];
  readonly regs: readonly string[];
}

export function lowerScn(f: ScnFile, file: string, ctx: LowerContext, defaultName = 'scenario'): Lowered {
  const err = (at: Pos, what: string, found: string): ScenarioError => expected(file, at, what, found);
  const ds = f.items.filter((i): i is DirectiveItem => 'line' in i && i.kind !== 'comment');
  const one = <K extends DirectiveItem['kind']>(kind: K): Of<K> | undefined => {
    const all = ds.filter((d) => d.kind === kind) as Of<K>[];
    if (all.length > 1) {
      const first = all[0]!;
      throw err(all[1]!, `one '${kind}' line`, `a second one (the first is at line ${first.line})`);
    }
    return all[0];
  };
  const header: Header = {
    name: one('scenario')?.name ?? defaultName,
    title: one('title')?.text ?? one('scenario')?.name ?? defaultName,
    source: one('source')?.text ?? '',
    claim: one('claim')?.text ?? '',
  };

  // --- architecture and memory -------------------------------------------
  const archD = one('arch');
  let arch: ArchName | undefined;
  if (archD) {
    if (!(archD.name in ARCHES))
      throw err(archD, `an architecture (${Object.keys(ARCHES).join(', ')})`, `'${archD.name}'`);
    arch = archD.name as ArchName;
    if (!ARCHES[arch] || !PTE_LAYOUTS[arch]) {
      throw new ScenarioError(
        file,
        archD.line,
        archD.col,
        `architecture ${arch} has no scenario-file pte layout or operations yet (x86-pae only; its scenarios are TypeScript built-ins)`,
      );
    }
  }
  const modelD = one('model');
  if (modelD && !(MODEL_KINDS as readonly string[]).includes(modelD.name)) {
    throw err(modelD, `a memory model (${MODEL_KINDS.join(', ')})`, `'${modelD.name}'`);
  }
  const declared = new Map<string, DirectiveItem>();
  const declare = (d: DirectiveItem & { name: string }): void => {
    const prev = declared.get(d.name);
    if (prev) throw err(d, 'a new location name', `'${d.name}' (already declared at line ${prev.line})`);
    if (d.name === 'ptl') throw err(d, "a location name other than 'ptl' (the page-table lock)", `'ptl'`);
    declared.set(d.name, d);
  };
  const ptes = ds.filter((d) => d.kind === 'pte') as Of<'pte'>[];
  const locs = ds.filter((d) => d.kind === 'loc') as Of<'loc'>[];
  const pteInit = new Map<string, bigint>();
  for (const p of ptes) {
    declare(p);
    if (arch === undefined) throw err(p, "an 'arch' line before a pte (its encoding depends on it)", `'pte ${p.name}'`);
    pteInit.set(p.name, pteValue(p.value, arch, file));
  }
  const rawLocs: RawLocation[] = [];
  for (const l of locs) {
    declare(l);
    rawLocs.push({ name: l.name, width: l.width, initial: fit(l.value, l.width, file) });
  }

  // --- CPUs --------------------------------------------------------------
  const cpuDs = ds.filter((d) => d.kind === 'cpu') as Of<'cpu'>[];
  if (cpuDs.length === 0) {
    const last = f.items.length;
    void last;
    throw new ScenarioError(file, 1, 1, "expected at least one 'cpu NAME { … }' block, found none");
  }
  const cpuNames = new Map<string, DirectiveItem>();
  const plans: CpuPlan[] = [];
  const readerPtes: Call[] = [];
  for (const cd of cpuDs) {
    const prev = cpuNames.get(cd.name);
    if (prev) throw err(cd, 'a new CPU name', `'${cd.name}' (already used at line ${prev.line})`);
    cpuNames.set(cd.name, cd);
    const steps: Step[] = [];
    const regs: string[] = [];
    for (const s of cd.body) {
      if (s.kind !== 'call') continue;
      const step = lowerCall(s, { file, arch, ptes: pteInit, locs: rawLocs, regs, ops: ctx.operations });
      if (step.kind === 'reader') readerPtes.push(s);
      steps.push(step);
      const reg = step.kind === 'op' ? step.reg : step.kind === 'raw' && 'reg' in step.stmt ? step.stmt.reg : undefined;
      if (reg !== undefined && !regs.includes(reg)) regs.push(reg);
    }
    plans.push({ name: cd.name, ...(cd.label !== undefined ? { label: cd.label } : {}), steps, regs });
  }

  const readerDs = ds.filter((d) => d.kind === 'reader') as Of<'reader'>[];
  const condD = ds.filter((d) => d.kind === 'cond') as Of<'cond'>[];
  const expectDs = ds.filter((d) => d.kind === 'expect') as Of<'expect'>[];
  const text = printScn(f);

  if (ptes.length === 0) {
    // --- a raw test ------------------------------------------------------
    if (readerDs.length > 0)
      throw err(readerDs[0]!, "a 'pte' line (a reader under test reads a pte)", `'reader ${readerDs[0]!.name}'`);
    if (condD.length === 0)
      throw new ScenarioError(
        file,
        1,
        1,
        "expected an 'exists (…)' line (a test without ptes is judged by its condition), found none",
      );
    if (condD.length > 1) throw err(condD[1]!, "one 'exists' line", 'a second one');
    const cpuIndex = new Map<string, number>();
    plans.forEach((p, i) => {
      cpuIndex.set(String(i), i);
      cpuIndex.set(p.name, i);
    });
    checkCond(condD[0]!.cond, cpuIndex, plans, rawLocs, file);
    const expect = new Map<string, string>();
    for (const e of expectDs) {
      if (!(MODEL_KINDS as readonly string[]).includes(e.model))
        throw err(e, `a memory model (${MODEL_KINDS.join(', ')})`, `'${e.model}'`);
      if (!OBSERVATIONS.includes(e.observation)) throw err(e, `${OBSERVATIONS.join(', ')}`, `'${e.observation}'`);
      expect.set(e.model, e.observation);
    }
    const test: RawTest = {
      name: header.name,
      locations: rawLocs,
      cpus: plans.map((p) => ({
        name: p.name,
        regs: p.regs,
        stmts: p.steps.map((s) => (s as Extract<Step, { kind: 'raw' }>).stmt),
      })),
      quantifier: condD[0]!.quantifier as Quantifier,
      cond: condD[0]!.cond,
      observed: observedOf(condD[0]!.cond, cpuIndex),
      cpuIndex,
      expect,
    };
    return { kind: 'raw', test, text, header };
  }

  // --- a kernel scenario ---------------------------------------------------
  if (condD.length > 0)
    throw err(
      condD[0]!,
      'no condition in a scenario with ptes (readers are judged by their contract)',
      `'${condD[0]!.quantifier}'`,
    );
  if (expectDs.length > 0)
    throw err(
      expectDs[0]!,
      "'reader NAME expect bug|correct|benign' (per-model observations are for raw tests)",
      `'expect'`,
    );
  if (readerDs.length === 0)
    throw new ScenarioError(file, 1, 1, "expected a 'reader NAME' line (the reader under test), found none");
  if (readerPtes.length === 0) {
    throw err(readerDs[0]!, "a 'reader(pte)' call in some CPU body (where the reader under test runs)", 'none');
  }
  const subjectName = pteName(readerPtes[0]!);
  for (const c of readerPtes) {
    if (pteName(c) !== subjectName)
      throw err(c, `reader(${subjectName}) (every reader call reads the same pte)`, `reader(${pteName(c)})`);
  }
  const readers: string[] = [];
  const expect: Record<string, Expectation> = {};
  const contracts: Record<string, string> = {};
  for (const r of readerDs) {
    const def = ctx.readers.get(r.name);
    if (!def) {
      const close = closeNames(r.name, ctx.readers.names());
      throw err(
        r,
        `a reader (${close.length > 0 ? `did you mean ${close.join(', ')}?` : `one of ${ctx.readers.names().join(', ')}`})`,
        `'${r.name}'`,
      );
    }
    if (def.arch !== arch) throw err(r, `a reader for ${arch}`, `'${r.name}' (${def.arch})`);
    if (readers.includes(r.name)) throw err(r, 'each reader once', `'${r.name}' again`);
    readers.push(r.name);
    if (r.expect !== undefined) {
      if (!(EXPECTATIONS as readonly string[]).includes(r.expect))
        throw err(r, `${EXPECTATIONS.join(', ')} after 'expect'`, `'${r.expect}'`);
      expect[r.name] = r.expect as Expectation;
    }
    if (r.contract !== undefined) contracts[r.name] = r.contract;
  }
  const archName = arch!;
  const layout = PTE_LAYOUTS[archName]!;
  const scenario: Scenario = {
    name: header.name,
    title: header.title,
    arch: archName,
    model: (modelD?.name as ModelKind | undefined) ?? ARCH_MODELS[archName],
    readers,
    source: header.source,
    claim: header.claim,
    expect,
    contracts,
    text,
    ast: {
      file: f,
      lower: (g: ScnFile): Scenario => {
        const l = lowerScn(g, file, ctx, header.name);
        if (l.kind !== 'kernel') throw new ScenarioError(file, 1, 1, 'expected a kernel scenario (a pte and a reader)');
        return l.scenario;
      },
    },
    build(reader: ReaderDef, _arch?: unknown, opts: BuildOptions = {}): BuiltScenario {
      const table = new LocationTable();
      const pteObjs = new Map<string, Pte>();
      for (const p of ptes) pteObjs.set(p.name, layout.alloc(table, p.name, pteInit.get(p.name)!));
      const ptl = table.add('ptl', 32, 0n);
      const locMap = new Map<string, Location>();
      for (const l of rawLocs) locMap.set(l.name, table.add(l.name, l.width, l.initial));
      const subject = pteObjs.get(subjectName)!;
      return {
        locations: table,
        subject: { name: subject.name, initial: pteInit.get(subjectName)!, locIds: subject.locs.map((l) => l.id) },
        cpus: plans.map((p, cpu) => ({
          name: p.label !== undefined ? `${p.name}: ${p.label.replace('$reader', reader.name)}` : p.name,
          program: function* (): Program<void> {
            const regs = new Map<string, bigint>();
            const probe = opts.onStatement;
            for (const [k, s] of p.steps.entries()) {
              probe?.(cpu, k);
              if (s.kind === 'reader') yield* reader.read(pteObjs.get(s.pte)!);
              else if (s.kind === 'raw') yield* runRaw([s.stmt], locMap, regs);
              else {
                const args: Record<string, ArgValue> = {};
                for (const [k, v] of Object.entries(s.args)) args[k] = isPteRef(v) ? pteObjs.get(v.pteRef)! : v;
                const r = yield* s.def.program(args, { ptl });
                if (s.reg !== undefined) regs.set(s.reg, typeof r === 'bigint' ? r : 0n);
              }
            }
          },
        })),
      };
    },
  };
  return { kind: 'kernel', scenario, text, cpus: plans.map((p) => p.name) };
}

function pteName(c: Call): string {
  const v = c.args[0]?.value;
  return v?.kind === 'name' ? v.name : '';
}

/** A pte value: `{high:low}` (each ≤ 32 bits) or one number of the layout's width. */
function pteValue(v: Value, arch: ArchName, file: string): bigint {
  const bits = PTE_LAYOUTS[arch]!.bits;
  if (v.kind === 'pair') {
    return (fit(v.high, 32, file) << 32n) | fit(v.low, 32, file);
  }
  if (v.kind === 'num') return fit(v, bits, file);
  throw expected(file, v, `a pte value ({high:low} or a number)`, `'${v.name}'`);
}

function fit(n: Num, bits: 32 | 64, file: string): bigint {
  if (n.value >= 1n << BigInt(bits)) throw expected(file, n, `a number of at most ${bits} bits`, `'${n.raw}'`);
  return n.value;
}

interface CallScope {
  readonly file: string;
  readonly arch: ArchName | undefined;
  readonly ptes: ReadonlyMap<string, bigint>;
  readonly locs: readonly RawLocation[];
  /** registers assigned so far on this CPU */
  readonly regs: readonly string[];
  readonly ops: OperationRegistry;
}

function lowerCall(c: Call, sc: CallScope): Step {
  const { file } = sc;
  if (c.name === 'reader') {
    const a = c.args[0];
    if (c.args.length !== 1 || a!.key !== undefined || a!.value.kind !== 'name' || !sc.ptes.has(a!.value.name)) {
      throw expected(
        file,
        a ?? c,
        `one pte argument: reader(${[...sc.ptes.keys()][0] ?? 'pte'})`,
        a ? `'${printValue(a.value)}'` : 'none',
      );
    }
    if (c.reg !== undefined)
      throw expected(
        file,
        c,
        'reader(pte) without an assignment (the reader under test is judged, not stored)',
        `'${c.reg} ='`,
      );
    return { kind: 'reader', pte: a!.value.name };
  }
  const raw = RAW_INSTRUCTIONS[c.name];
  if (raw) return { kind: 'raw', stmt: lowerRaw(c, raw, sc) };
  const def = sc.ops.get(c.name);
  if (!def) {
    const all = [...sc.ops.names(), ...Object.keys(RAW_INSTRUCTIONS), 'reader'];
    const close = closeNames(c.name, all);
    throw expected(
      file,
      c,
      `an operation (${close.length > 0 ? `did you mean ${close.join(', ')}?` : `registered: ${sc.ops.names().join(', ')}; or reader, READ_ONCE, WRITE_ONCE, smp_*, xchg, cmpxchg`})`,
      `'${c.name}'`,
    );
  }
  if (sc.arch !== def.arch)
    throw expected(
      file,
      c,
      `an operation for ${sc.arch ?? "the scenario's arch (no 'arch' line)"}`,
      `'${c.name}' (${def.arch})`,
    );
  return { kind: 'op', def, args: opArgs(c, def, sc), ...(c.reg !== undefined ? { reg: c.reg } : {}) };
}

function opArgs(c: Call, def: OperationDef, sc: CallScope): Record<string, ArgValue | PteRef> {
  const { file } = sc;
  const out: Record<string, ArgValue | PteRef> = {};
  const sig = signature(def);
  let pos = 0;
  for (const a of c.args) {
    let p;
    if (a.key === undefined) {
      p = def.params[pos++];
      if (!p) throw expected(file, a, `at most ${def.params.length} arguments: ${sig}`, `'${printValue(a.value)}'`);
    } else {
      p = def.params.find((x) => x.name === a.key);
      if (!p) throw expected(file, a, `a parameter of ${sig}`, `'${a.key}'`);
      if (out[p.name] !== undefined) throw expected(file, a, `'${p.name}' once`, `'${a.key}' again`);
    }
    out[p.name] = argValue(a, p.type, sc, sig);
  }
  for (const p of def.params) {
    if (out[p.name] !== undefined) continue;
    if (p.default === undefined)
      throw expected(file, c, `argument '${p.name}' of ${sig}`, `${c.args.length} argument(s)`);
    out[p.name] = p.default;
  }
  return out;
}

function argValue(a: Arg, t: OperationDef['params'][number]['type'], sc: CallScope, sig: string): ArgValue | PteRef {
  const v = a.value;
  const shown = `'${printValue(v)}'`;
  if (t === 'pte') {
    if (v.kind !== 'name' || !sc.ptes.has(v.name)) {
      throw expected(
        sc.file,
        v,
        `a pte (${[...sc.ptes.keys()].join(', ') || "declare one with 'pte NAME = VALUE'"}) for ${sig}`,
        shown,
      );
    }
    return { pteRef: v.name };
  }
  if (t === 'value') return pteValue(v, sc.arch!, sc.file);
  if (t === 'bool') {
    if (v.kind === 'name' && (v.name === 'true' || v.name === 'false')) return v.name === 'true';
    throw expected(sc.file, v, 'true or false', shown);
  }
  const text = printValue(v);
  if (v.kind !== 'pair' && t.enum.includes(text)) return text;
  throw expected(sc.file, v, `one of ${paramTypeText(t)}`, shown);
}

function lowerRaw(c: Call, raw: (typeof RAW_INSTRUCTIONS)[string], sc: CallScope): RawStmt {
  const { file } = sc;
  const arity = { load: 1, store: 2, fence: 0, xchg: 2, cmpxchg: 3 }[raw.stmt];
  const shape = { load: '(loc)', store: '(loc, value)', fence: '()', xchg: '(loc, value)', cmpxchg: '(loc, old, new)' }[
    raw.stmt
  ];
  if (c.args.length !== arity) throw expected(file, c, `${arity} argument(s): ${c.name}${shape}`, `${c.args.length}`);
  for (const a of c.args)
    if (a.key !== undefined) throw expected(file, a, `positional arguments: ${c.name}${shape}`, `'${a.key}='`);
  if (raw.stmt === 'fence') {
    if (c.reg !== undefined) throw expected(file, c, `${c.name}() without an assignment`, `'${c.reg} ='`);
    return { kind: 'fence', fence: raw.variant as 'rmb' | 'wmb' | 'mb' };
  }
  const lv = c.args[0]!.value;
  const loc = lv.kind === 'name' ? sc.locs.find((l) => l.name === lv.name) : undefined;
  if (!loc) {
    const isPte = lv.kind === 'name' && sc.ptes.has(lv.name);
    throw expected(
      file,
      lv,
      isPte
        ? "a 'loc' location (a pte is written only by registered operations, so that the reference knows its values)"
        : `a location (${sc.locs.map((l) => l.name).join(', ') || "declare one with 'loc NAME: u32 = 0'"})`,
      `'${printValue(lv)}'`,
    );
  }
  const expr = (a: Arg): RawExpr => {
    const v = a.value;
    if (v.kind === 'num') return { kind: 'const', value: fit(v, loc.width, file) };
    if (v.kind === 'name' && sc.regs.includes(v.name)) return { kind: 'reg', name: v.name };
    throw expected(
      file,
      v,
      `a number or a register assigned earlier on this CPU (${sc.regs.join(', ') || 'none yet'})`,
      `'${printValue(v)}'`,
    );
  };
  const reg = c.reg !== undefined ? { reg: c.reg } : {};
  if (raw.stmt === 'load') return { kind: 'load', loc: loc.name, how: raw.variant as 'once' | 'acquire', ...reg };
  if (raw.stmt === 'store') {
    if (c.reg !== undefined) throw expected(file, c, `${c.name}() without an assignment`, `'${c.reg} ='`);
    return { kind: 'store', loc: loc.name, value: expr(c.args[1]!), how: raw.variant as 'once' | 'release' };
  }
  const order = raw.variant as 'full' | 'relaxed' | 'acquire' | 'release';
  if (raw.stmt === 'xchg') return { kind: 'xchg', loc: loc.name, value: expr(c.args[1]!), order, ...reg };
  return { kind: 'cmpxchg', loc: loc.name, expected: expr(c.args[1]!), value: expr(c.args[2]!), order, ...reg };
}

function checkCond(
  cond: Cond,
  cpuIndex: ReadonlyMap<string, number>,
  plans: readonly CpuPlan[],
  locs: readonly RawLocation[],
  file: string,
): void {
  for (const a of condAtoms(cond)) {
    if (a.cpu === undefined) {
      if (!locs.some((l) => l.name === a.name)) {
        throw expected(file, a, `a location (${locs.map((l) => l.name).join(', ')}) or P:register`, `'${a.name}'`);
      }
      continue;
    }
    const i = cpuIndex.get(a.cpu);
    if (i === undefined) throw expected(file, a, `a CPU (0..${plans.length - 1} or its name)`, `'${a.cpu}'`);
    if (!plans[i]!.regs.includes(a.name)) {
      throw expected(
        file,
        a,
        `a register of CPU ${a.cpu} (${plans[i]!.regs.join(', ') || 'it has none'})`,
        `'${a.name}'`,
      );
    }
  }
}

/** The items of a file that are directives, for tools that walk a parsed file. */
export function directives(f: ScnFile): DirectiveItem[] {
  return f.items.filter((i: Item): i is DirectiveItem => 'line' in i && i.kind !== 'comment');
}
