import type { FlushKind, Location, ModelKind, PageDecl, Program } from '../machine';
import { FLUSH_KINDS, LocationTable, MODEL_KINDS } from '../machine';
import type {
  AllocatedPte,
  ArchName,
  ArgValue,
  FileFolio,
  OperationDef,
  OperationRegistry,
  PmdArg,
  ReaderDef,
  ReaderRegistry,
} from '../kernel';
import { ARCHES, CONTRACT_NAMES, PTE_LAYOUTS, opArches, paramTypeText, signature } from '../kernel';
import type { Arg, Call, Cond, DirectiveItem, ExpectClauseSyntax, Item, Quantifier, ScnFile, Value } from './ast';
import { lockCall } from './ast';
import { condAtoms } from './cond';
import { fit } from './cursor';
import type { Pos } from './errors';
import { ScenarioError, closeNames, expected } from './errors';
import { SCN_NAME, isScnName } from './lexer';
import { parseScn } from './parse';
import { printScn, printValue } from './print';
import type { RawExpr, RawLocation, RawStmt, RawTest } from './raw';
import { RAW_INSTRUCTIONS, observedOf, runRaw } from './raw';
import { own } from './own';
import type { BuildOptions, BuiltScenario, ExpectClause, Expectation, Scenario } from './types';
import { EXPECTATIONS, clauseText } from './types';

type Of<K extends DirectiveItem['kind']> = DirectiveItem & { readonly kind: K };

/** What lowering checks names against. */
export interface LowerContext {
  readonly readers: ReaderRegistry;
  readonly operations: OperationRegistry;
  /**
   * the default name is one ptefuzz recorded (a crash file's scenario name), not a file name: taken as it is,
   * so a file written before the file-name rule still replays
   */
  readonly recordedName?: boolean;
  /**
   * the text is one ptefuzz recorded (a crash file's scenario): a lock imbalance in it is accepted — the minimizer
   * left bare spin_unlocks in witnesses before lowering checked lock balance, and those files still replay. The
   * edited copies the minimizer lowers from it (`ast.lower`) are checked.
   */
  readonly recordedLocks?: boolean;
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
const OBSERVATIONS = ['never', 'sometimes', 'always'];

/** Parse and lower a `.scn` text; every problem is a ScenarioError at file:line:col. */
export function loadScn(src: string, file: string, ctx: LowerContext, defaultName = 'scenario'): Lowered {
  return lowerScn(parseScn(src, file), file, ctx, defaultName);
}

type Step =
  | {
      readonly kind: 'op';
      readonly def: OperationDef;
      readonly args: Readonly<Record<string, ArgValue | Ref>>;
      readonly reg?: string;
    }
  | { readonly kind: 'reader'; readonly pte: PteRef }
  | { readonly kind: 'raw'; readonly stmt: RawStmt };

/**
 * An argument resolved when the scenario is built (each build has fresh
 * locations and its own reader under test): entry `index` of a pte, a pmd, a
 * folio, a lock, or the reader under test.
 */
type Ref =
  | { readonly ref: 'pte'; readonly pte: PteRef }
  | { readonly ref: 'pmd' | 'folio' | 'lock'; readonly name: string }
  | { readonly ref: 'reader' };
interface PteRef {
  readonly name: string;
  readonly index: number;
}
const isRef = (x: unknown): x is Ref => typeof x === 'object' && x !== null && 'ref' in x;
const UNDER_TEST = 'reader';

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
  // a file without `scenario NAME` is named after its file: that name must be one `scenario` would accept
  if (one('scenario') === undefined && ctx.recordedName !== true && !isScnName(defaultName))
    throw new ScenarioError(
      file,
      1,
      1,
      `expected a 'scenario NAME' line (the file name '${defaultName}' is not a scenario name: ${SCN_NAME}), found none`,
    );
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
    if (!Object.hasOwn(ARCHES, archD.name))
      throw err(archD, `an architecture (${Object.keys(ARCHES).join(', ')})`, `'${archD.name}'`);
    arch = archD.name as ArchName;
    if (!ARCHES[arch] || !PTE_LAYOUTS[arch]) {
      throw new ScenarioError(
        file,
        archD.line,
        archD.col,
        `architecture ${arch} has no scenario-file pte layout or operations yet`,
      );
    }
  }
  const flushD = one('flush');
  if (flushD && !(FLUSH_KINDS as readonly string[]).includes(flushD.name)) {
    throw err(flushD, `a TLB flush kind (${FLUSH_KINDS.join(', ')})`, `'${flushD.name}'`);
  }
  const modelD = one('model');
  if (modelD && !(MODEL_KINDS as readonly string[]).includes(modelD.name)) {
    throw err(modelD, `a memory model (${MODEL_KINDS.join(', ')})`, `'${modelD.name}'`);
  }
  const declared = new Map<string, DirectiveItem>();
  const declare = (d: DirectiveItem & { name: string }): void => {
    const prev = declared.get(d.name);
    if (prev) throw err(d, 'a new location name', `'${d.name}' (already declared at line ${prev.line})`);
    for (const reserved of ['ptl', PMD_LOCK, UNDER_TEST, 'none'])
      if (d.name === reserved) throw err(d, `a name other than '${reserved}' (${RESERVED[reserved]})`, `'${reserved}'`);
    declared.set(d.name, d);
  };
  const ptes = ds.filter((d) => d.kind === 'pte') as Of<'pte'>[];
  const locs = ds.filter((d) => d.kind === 'loc') as Of<'loc'>[];
  const pteInit = new Map<string, readonly bigint[]>();
  const blocks = new Set<string>();
  for (const p of ptes) {
    declare(p);
    if (arch === undefined) throw err(p, "an 'arch' line before a pte (its encoding depends on it)", `'pte ${p.name}'`);
    if (p.value.kind === 'list') {
      const sizes = PTE_LAYOUTS[arch]!.blocks;
      if (!sizes.includes(p.value.items.length))
        throw err(
          p.value,
          sizes.length > 0
            ? `a contpte block of ${sizes.join(' or ')} entries (CONT_PTES)`
            : `one pte value (${arch} has no contpte blocks)`,
          `${p.value.items.length} entries`,
        );
      pteInit.set(
        p.name,
        p.value.items.map((v) => pteValue(v, arch!, file)),
      );
      blocks.add(p.name);
    } else pteInit.set(p.name, [pteValue(p.value, arch, file)]);
  }
  const rawLocs: RawLocation[] = [];
  for (const l of locs) {
    declare(l);
    rawLocs.push({ name: l.name, width: l.width, initial: fit(l.value, l.width, file) });
  }
  // pmd entries (S12): arch with a pmd level; mm->page_table_lock comes with them
  const pmdDs = ds.filter((d) => d.kind === 'pmd') as Of<'pmd'>[];
  const pmdInit = new Map<string, { value: bigint; pfn: bigint }>();
  for (const d of pmdDs) {
    declare(d);
    const table = arch === undefined ? undefined : PTE_LAYOUTS[arch]!.pmdTable;
    if (table === undefined) throw err(d, 'an architecture with a pmd level (arm64)', `'pmd' on ${arch ?? 'no arch'}`);
    const value = fit(d.value, 64, file);
    const pfn = table(value);
    if (pfn === null)
      throw err(d.value, 'a table descriptor (next-level table address | TABLE | VALID)', `'${d.value.raw}'`);
    pmdInit.set(d.name, { value, pfn });
  }
  // shared file pages (S11)
  const folioDs = ds.filter((d) => d.kind === 'folio') as Of<'folio'>[];
  const folioInit = new Map<string, Record<string, bigint>>();
  for (const d of folioDs) {
    declare(d);
    const f: Record<string, bigint> = { flags: 0n, mapcount: 0n, data: 0n, disk: 0n };
    const seen = new Set<string>();
    for (const { key, value } of d.fields) {
      if (!FOLIO_FIELDS.includes(key)) throw err(value, `a folio field (${FOLIO_FIELDS.join(', ')})`, `'${key}'`);
      if (seen.has(key)) throw err(value, `'${key}' once`, `'${key}' again`);
      seen.add(key);
      f[key] = fit(value, key === 'pfn' ? 64 : 32, file);
    }
    if (!seen.has('pfn')) throw err(d, "a 'pfn=' field (the folio's page)", 'none');
    folioInit.set(d.name, f);
  }
  // pages: initial refcounts (free pages: ref 0, hottest last); a page-table page holds a pte's locations
  const pageDs = ds.filter((d) => d.kind === 'page') as Of<'page'>[];
  const pageSeen = new Map<bigint, number>();
  for (const d of pageDs) {
    const pfn = fit(d.pfn, 64, file);
    const prev = pageSeen.get(pfn);
    if (prev !== undefined) throw err(d.pfn, 'a page declared once', `'${d.pfn.raw}' again (line ${prev})`);
    pageSeen.set(pfn, d.line);
    if (d.table !== undefined && !pteInit.has(d.table))
      throw err(d, `a pte after 'table' (${[...pteInit.keys()].join(', ') || 'none declared'})`, `'${d.table}'`);
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
  const readerPtes: { call: Call; pte: PteRef }[] = [];
  /** every consumer operation and every operation that runs a reader, with the pte entry it reads */
  const judgedPtes: { call: Call; pte: PteRef }[] = [];
  let consumer: string | undefined;
  for (const cd of cpuDs) {
    const prev = cpuNames.get(cd.name);
    if (prev) throw err(cd, 'a new CPU name', `'${cd.name}' (already used at line ${prev.line})`);
    cpuNames.set(cd.name, cd);
    const steps: Step[] = [];
    const regs: string[] = [];
    /** the locks this CPU holds after the statements so far: name → the spin_lock that took it */
    const held = new Map<string, Call>();
    for (const s of cd.body) {
      if (s.kind !== 'call') continue;
      const step = lowerCall(s, {
        file,
        arch,
        ptes: pteInit,
        blocks,
        pmds: pmdInit,
        folios: folioInit,
        locs: rawLocs,
        regs,
        ops: ctx.operations,
        readers: ctx.readers,
      });
      const judged = judgedPteOf(step);
      if (judged !== undefined) judgedPtes.push({ call: s, pte: judged });
      const read = readerOf(step);
      if (read !== undefined) {
        readerPtes.push({ call: s, pte: read });
        if (step.kind === 'op' && step.def.consumer !== undefined) consumer ??= step.def.consumer;
      }
      steps.push(step);
      if (ctx.recordedLocks !== true) checkLockBalance(s, step, held, cd.name, file);
      const reg = step.kind === 'op' ? step.reg : step.kind === 'raw' && 'reg' in step.stmt ? step.stmt.reg : undefined;
      if (reg !== undefined && !regs.includes(reg)) regs.push(reg);
    }
    const [lock, taken] = [...held][0] ?? [];
    if (taken !== undefined)
      throw expected(
        file,
        taken,
        `a spin_unlock(${lock}) after this spin_lock(${lock}) in cpu ${cd.name}'s body (a CPU ends holding no lock, as the kernel releases every lock it takes)`,
        'none',
      );
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
    const expectAt = new Map<string, Of<'expect'>>();
    for (const e of expectDs) {
      if (!(MODEL_KINDS as readonly string[]).includes(e.model))
        throw err(e, `a memory model (${MODEL_KINDS.join(', ')})`, `'${e.model}'`);
      if (!OBSERVATIONS.includes(e.observation)) throw err(e, `${OBSERVATIONS.join(', ')}`, `'${e.observation}'`);
      // two observations for one model contradict or repeat each other: neither silently wins
      const prev = expectAt.get(e.model);
      if (prev)
        throw err(e, `one 'expect' line per model`, `'expect ${e.model}' again (the first is at line ${prev.line})`);
      expectAt.set(e.model, e);
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
      expect: new Map([...expectAt].map(([model, e]) => [model, e.observation])),
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
      "'reader NAME expect bug|correct|benign [under MODEL]' (per-model observations are for raw tests)",
      `'expect'`,
    );
  if (readerDs.length === 0)
    throw new ScenarioError(file, 1, 1, "expected a 'reader NAME' line (the reader under test), found none");
  if (readerPtes.length === 0) {
    throw err(
      readerDs[0]!,
      "a 'reader(pte)' call, or a consumer operation with read=reader, in some CPU body (where the reader under test runs)",
      'none',
    );
  }
  const subjectRef = readerPtes[0]!.pte;
  const refText = (r: PteRef): string => (blocks.has(r.name) ? `${r.name}[${r.index}]` : r.name);
  for (const { call, pte } of readerPtes) {
    if (pte.name !== subjectRef.name || pte.index !== subjectRef.index)
      throw err(
        call,
        `the reader under test reading ${refText(subjectRef)} (every read by the reader under test reads the same pte)`,
        refText(pte),
      );
  }
  // The comparator and the consumer invariants judge every reader invocation and consumer on the subject against
  // the history of the entry the reader under test reads: one on another entry of its block would be judged
  // against the wrong entry (a false wrong-page, phantom or lost-dirty).
  for (const { call, pte } of judgedPtes) {
    if (pte.name === subjectRef.name && pte.index !== subjectRef.index)
      throw err(
        call,
        `a consumer or reader on ${refText(subjectRef)}, the entry of block ${pte.name} the reader under test reads ` +
          `(each is judged against that entry's history; writers may use any entry)`,
        refText(pte),
      );
  }
  const readers: string[] = [];
  // keyed by reader names, which a reader module chooses (`constructor`, `__proto__`): no prototype to find them in
  const expect = Object.create(null) as Record<string, readonly ExpectClause[]>;
  const contracts = Object.create(null) as Record<string, string>;
  for (const r of readerDs) {
    const def = ctx.readers.get(r.name);
    if (!def) {
      const close = closeNames(r.name, ctx.readers.names());
      throw err(
        r,
        `a reader (${close.length > 0 ? `did you mean ${close.join(', ')}?` : `one of ${ctx.readers.names().join(', ')}`})`,
        `'${r.name}' (a reader of your own is known once its module is loaded: --reader-module PATH)`,
      );
    }
    if (def.arch !== arch) throw err(r, `a reader for ${arch}`, `'${r.name}' (${def.arch})`);
    if (readers.includes(r.name)) throw err(r, 'each reader once', `'${r.name}' again`);
    readers.push(r.name);
    if (r.expect !== undefined) expect[r.name] = lowerExpect(r.expect, err);
    if (r.contract !== undefined) {
      if (!(CONTRACT_NAMES as readonly string[]).includes(r.contract))
        throw err(r, `a contract (${CONTRACT_NAMES.join(', ')}) after 'contract'`, `'${r.contract}'`);
      contracts[r.name] = r.contract;
    }
  }
  const archName = arch!;
  const layout = PTE_LAYOUTS[archName]!;
  const pages = (): PageDecl[] => pageDs.map((d) => ({ pfn: d.pfn.value, ref: Number(d.ref.value) }));
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
        const l = lowerScn(g, file, { ...ctx, recordedLocks: false }, header.name);
        if (l.kind !== 'kernel') throw new ScenarioError(file, 1, 1, 'expected a kernel scenario (a pte and a reader)');
        return l.scenario;
      },
      takes: (c: Call): readonly string[] => {
        const l = lockCall(c);
        if (l !== undefined) return l.take ? [l.lock] : [];
        return ctx.operations.get(c.name)?.locks ?? [];
      },
    },
    ...(consumer !== undefined ? { consumer } : {}),
    build(reader: ReaderDef, _arch?: unknown, opts: BuildOptions = {}): BuiltScenario {
      const table = new LocationTable();
      const pteObjs = new Map<string, AllocatedPte>();
      for (const p of ptes) pteObjs.set(p.name, layout.alloc(table, p.name, pteInit.get(p.name)!));
      const ptl = table.add('ptl', 32, 0n);
      const pmdObjs = new Map<string, PmdArg>();
      let pmdLock: Location | undefined;
      for (const [name, init] of pmdInit) {
        const loc = table.add(name, 64, init.value);
        pmdLock ??= table.add(PMD_LOCK, 32, 0n);
        pmdObjs.set(name, { loc, lock: pmdLock, table: layout.pmdTable!, pfn: init.pfn });
      }
      const folioObjs = new Map<string, FileFolio>();
      for (const [name, f] of folioInit) {
        folioObjs.set(name, {
          pfn: f['pfn']!,
          flags: table.add(`${name}_flags`, 32, f['flags']!),
          mapcount: table.add(`${name}_mapcount`, 32, f['mapcount']!),
          data: table.add(`${name}_data`, 32, f['data']!),
          disk: table.add(`${name}_disk`, 32, f['disk']!),
        });
      }
      const locMap = new Map<string, Location>();
      for (const l of rawLocs) locMap.set(l.name, table.add(l.name, l.width, l.initial));
      const resolve = (v: ArgValue | Ref): ArgValue => {
        if (!isRef(v)) return v;
        switch (v.ref) {
          case 'pte':
            return pteObjs.get(v.pte.name)!.ptep(v.pte.index);
          case 'pmd':
            return pmdObjs.get(v.name)!;
          case 'folio':
            return folioObjs.get(v.name)!;
          case 'lock':
            return v.name === 'ptl' ? ptl : pmdLock!;
          case 'reader':
            return reader;
        }
      };
      const subject = pteObjs.get(subjectRef.name)!.subject(subjectRef.index);
      const pageList = pages().map((pg, i) => {
        const t = pageDs[i]!.table;
        return t === undefined ? pg : { ...pg, locs: pteObjs.get(t)!.locs.map((l) => l.id) };
      });
      // what each operation step is called with, resolved once per build rather than on every execution
      // (the values are the build's locations and objects; programs take them read-only)
      const opCtx = { ptl, arch: archName };
      const stepArgs = plans.map((p) =>
        p.steps.map((s): Readonly<Record<string, ArgValue>> | undefined => {
          if (s.kind !== 'op') return undefined;
          const args: Record<string, ArgValue> = {};
          for (const [k, v] of Object.entries(s.args)) args[k] = resolve(v);
          return args;
        }),
      );
      return {
        locations: table,
        subject,
        ...(flushD !== undefined ? { flush: flushD.name as FlushKind } : {}),
        ...(pageList.length > 0 ? { pages: pageList } : {}),
        cpus: plans.map((p, cpu) => ({
          name: p.label !== undefined ? `${p.name}: ${p.label.replace('$reader', reader.name)}` : p.name,
          program: function* (): Program<void> {
            const regs = new Map<string, bigint>();
            const probe = opts.onStatement;
            const steps = p.steps;
            const argsOf = stepArgs[cpu]!;
            for (let k = 0; k < steps.length; k++) {
              const s = steps[k]!;
              probe?.(cpu, k);
              if (s.kind === 'reader') yield* reader.read(pteObjs.get(s.pte.name)!.ptep(s.pte.index));
              else if (s.kind === 'raw') yield* runRaw([s.stmt], locMap, regs);
              else {
                const r = yield* s.def.program(argsOf[k]!, opCtx);
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

/**
 * Lock balance, statement by statement (`held`: the locks the CPU holds before `c`, lowered to `step`): a
 * spin_unlock releases a lock the CPU holds (a bare unlock is a slip — often a spin_lock the minimizer or an edit
 * dropped —, and would let another CPU's spin_lock through while a writer runs), and a spin_lock takes one it does
 * not (a second one deadlocks the CPU on itself) — nor does an operation that takes one itself
 * (OperationDef.locks: the fault path, a zap), which would wait for ever for the lock its own CPU holds.
 */
function checkLockBalance(c: Call, step: Step, held: Map<string, Call>, cpu: string, file: string): void {
  const l = lockCall(c);
  if (l === undefined) {
    for (const lock of step.kind === 'op' ? (step.def.locks ?? []) : []) {
      const prev = held.get(lock);
      if (prev !== undefined)
        throw expected(
          file,
          c,
          `no call of ${c.name} while cpu ${cpu} holds ${lock} (${c.name} takes ${lock} itself: it would wait for ever for the ${lock} cpu ${cpu} took at line ${prev.line} — a deadlock; call it after spin_unlock(${lock}))`,
          `${c.name}(…) inside spin_lock(${lock})`,
        );
    }
    return;
  }
  const prev = held.get(l.lock);
  if (l.take) {
    if (prev !== undefined)
      throw expected(
        file,
        c,
        `a spin_lock of a lock cpu ${cpu} does not hold (it took ${l.lock} at line ${prev.line}: a second spin_lock deadlocks)`,
        `spin_lock(${l.lock}) again`,
      );
    held.set(l.lock, c);
  } else {
    if (prev === undefined)
      throw expected(
        file,
        c,
        `spin_unlock(${l.lock}) only where cpu ${cpu} holds ${l.lock} (after its spin_lock(${l.lock}))`,
        `spin_unlock(${l.lock}) with ${l.lock} not held`,
      );
    held.delete(l.lock);
  }
}

const PMD_LOCK = 'page_table_lock';
const FOLIO_FIELDS = ['pfn', 'flags', 'mapcount', 'data', 'disk'];
const RESERVED: Readonly<Record<string, string>> = {
  ptl: 'the page-table lock',
  [PMD_LOCK]: "mm->page_table_lock, declared with a 'pmd'",
  [UNDER_TEST]: 'the reader under test',
  none: 'no pmd',
};

/** The pte entry an operation step is called on (its `pte` parameter), if it has one. */
function pteArgOf(s: Extract<Step, { kind: 'op' }>): PteRef | undefined {
  const pte = s.def.params.find((x) => x.type === 'pte');
  const v = pte === undefined ? undefined : s.args[pte.name];
  return isRef(v) && v.ref === 'pte' ? v.pte : undefined;
}

/** The pte entry a consumer operation, or an operation that runs a reader (any reader), is called on. */
function judgedPteOf(s: Step): PteRef | undefined {
  if (s.kind === 'reader') return s.pte;
  if (s.kind !== 'op') return undefined;
  if (s.def.consumer === undefined && !s.def.params.some((x) => x.type === 'reader')) return undefined;
  return pteArgOf(s);
}

/** The pte the reader under test reads in this step, if it runs there. */
function readerOf(s: Step): PteRef | undefined {
  if (s.kind === 'reader') return s.pte;
  if (s.kind !== 'op') return undefined;
  const p = s.def.params.find((x) => x.type === 'reader');
  const r = p === undefined ? undefined : s.args[p.name];
  return isRef(r) && r.ref === 'reader' ? pteArgOf(s) : undefined;
}

/** A pte value: `{high:low}` (PAE, each ≤ 32 bits; arm64-ext-sw `{sw:hw}`, each ≤ 64) or one number of the layout's width. */
function pteValue(v: Value, arch: ArchName, file: string): bigint {
  const layout = PTE_LAYOUTS[arch]!;
  const pair = layout.pair;
  const what =
    pair !== undefined ? `a pte value (${pair.names} or a number)` : `a pte value (a ${layout.bits}-bit number)`;
  if (v.kind === 'pair') {
    if (pair === undefined) throw expected(file, v, what, `'${printValue(v)}'`);
    return (fit(v.high, pair.bits, file) << BigInt(pair.bits)) | fit(v.low, pair.bits, file);
  }
  if (v.kind === 'num') return fit(v, layout.bits, file);
  throw expected(file, v, what, `'${printValue(v)}'`);
}

interface CallScope {
  readonly file: string;
  readonly arch: ArchName | undefined;
  readonly ptes: ReadonlyMap<string, readonly bigint[]>;
  /** the ptes declared as contpte blocks (referenced as NAME[i]) */
  readonly blocks: ReadonlySet<string>;
  readonly pmds: ReadonlyMap<string, unknown>;
  readonly folios: ReadonlyMap<string, unknown>;
  readonly readers: ReaderRegistry;
  readonly locs: readonly RawLocation[];
  /** registers assigned so far on this CPU */
  readonly regs: readonly string[];
  readonly ops: OperationRegistry;
}

function lowerCall(c: Call, sc: CallScope): Step {
  const { file } = sc;
  if (c.name === 'reader') {
    const a = c.args[0];
    if (c.args.length !== 1 || a!.key !== undefined) {
      throw expected(
        file,
        a ?? c,
        `one pte argument: reader(${[...sc.ptes.keys()][0] ?? 'pte'})`,
        a ? `'${printValue(a.value)}'` : 'none',
      );
    }
    const pte = pteRef(a!.value, sc, 'reader(pte)');
    if (c.reg !== undefined)
      throw expected(
        file,
        c,
        'reader(pte) without an assignment (the reader under test is judged, not stored)',
        `'${c.reg} ='`,
      );
    return { kind: 'reader', pte };
  }
  const raw = own(RAW_INSTRUCTIONS, c.name);
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
  if (sc.arch === undefined || !opArches(def).includes(sc.arch))
    throw expected(
      file,
      c,
      `an operation for ${sc.arch ?? "the scenario's arch (no 'arch' line)"}`,
      `'${c.name}' (${opArches(def).join(', ')})`,
    );
  return { kind: 'op', def, args: opArgs(c, def, sc), ...(c.reg !== undefined ? { reg: c.reg } : {}) };
}

function opArgs(c: Call, def: OperationDef, sc: CallScope): Record<string, ArgValue | Ref> {
  const { file } = sc;
  const out: Record<string, ArgValue | Ref> = {};
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
    if (p.name in out) continue;
    if (p.default === undefined)
      throw expected(file, c, `argument '${p.name}' of ${sig}`, `${c.args.length} argument(s)`);
    out[p.name] = defaultValue(p.type, p.default);
  }
  checkBatchLengths(c, def, out, sc);
  return out;
}

/**
 * An `nr` argument counts entries from the operation's `pte` argument: it
 * must stay inside that pte's block (a lone pte: nr = 1).
 */
function checkBatchLengths(c: Call, def: OperationDef, out: Record<string, ArgValue | Ref>, sc: CallScope): void {
  const pteParam = def.params.find((p) => p.type === 'pte');
  const ref = pteParam === undefined ? undefined : out[pteParam.name];
  for (const p of def.params) {
    if (p.type !== 'nr') continue;
    const nr = out[p.name] as bigint;
    if (ref === undefined || !isRef(ref) || ref.ref !== 'pte')
      throw new Error(`[ptefuzz internal bug] operation ${def.name}: nr parameter without a pte parameter`);
    const { name, index } = ref.pte;
    const room = sc.blocks.has(name) ? sc.ptes.get(name)!.length - index : 1;
    if (nr >= 1n && nr <= BigInt(room)) continue;
    const at = c.args.find((a) => a.key === p.name) ?? c.args.filter((a) => a.key === undefined)[def.params.indexOf(p)];
    const where = sc.blocks.has(name)
      ? `${name}[${index}] to the end of its block of ${room + index}`
      : `the lone pte ${name}`;
    throw expected(
      sc.file,
      at?.value ?? c,
      `${p.name} from 1 to ${room} (the entries from ${where})`,
      at === undefined ? `${p.name}=${nr} (the default)` : `'${printValue(at.value)}'`,
    );
  }
}

/** A default as the argument it stands for (`reader` is the reader under test, `pmd=none` no pmd). */
function defaultValue(t: OperationDef['params'][number]['type'], d: boolean | string): ArgValue | Ref {
  if (t === 'reader' && d === UNDER_TEST) return { ref: 'reader' };
  if (t === 'pmd' && d === 'none') return undefined;
  if (t === 'nr' && typeof d === 'string') return BigInt(d);
  return d;
}

/** `pte` (a lone pte) or `ptes[i]` (entry i of a contpte block). */
function pteRef(v: Value, sc: CallScope, sig: string): PteRef {
  const shown = `'${printValue(v)}'`;
  const names = [...sc.ptes.keys()].map((n) => (sc.blocks.has(n) ? `${n}[i]` : n));
  if ((v.kind === 'name' || v.kind === 'index') && sc.ptes.has(v.name)) {
    const block = sc.blocks.has(v.name);
    if (v.kind === 'name') {
      if (block) throw expected(sc.file, v, `an entry ${v.name}[i] of the contpte block ${v.name}`, shown);
      return { name: v.name, index: 0 };
    }
    const n = sc.ptes.get(v.name)!.length;
    if (!block) throw expected(sc.file, v, `${v.name} (a lone pte, not a block)`, shown);
    if (v.index.value >= BigInt(n)) throw expected(sc.file, v.index, `an index 0..${n - 1}`, `'${v.index.raw}'`);
    return { name: v.name, index: Number(v.index.value) };
  }
  throw expected(sc.file, v, `a pte (${names.join(', ') || "declare one with 'pte NAME = VALUE'"}) for ${sig}`, shown);
}

function argValue(a: Arg, t: OperationDef['params'][number]['type'], sc: CallScope, sig: string): ArgValue | Ref {
  const v = a.value;
  const shown = `'${printValue(v)}'`;
  if (t === 'pte') return { ref: 'pte', pte: pteRef(v, sc, sig) };
  if (t === 'value') return pteValue(v, sc.arch!, sc.file);
  if (t === 'bool') {
    if (v.kind === 'name' && (v.name === 'true' || v.name === 'false')) return v.name === 'true';
    throw expected(sc.file, v, 'true or false', shown);
  }
  if (t === 'number') {
    if (v.kind === 'num') return fit(v, 64, sc.file);
    throw expected(sc.file, v, `a number for ${sig}`, shown);
  }
  if (t === 'nr') {
    if (v.kind === 'num') return fit(v, 64, sc.file);
    throw expected(sc.file, v, `a number of entries (nr) for ${sig}`, shown);
  }
  if (t === 'name') {
    if (v.kind === 'name') return v.name;
    throw expected(sc.file, v, `a name for ${sig}`, shown);
  }
  if (t === 'reader') {
    if (v.kind === 'name' && v.name === UNDER_TEST) return { ref: 'reader' };
    const def = v.kind === 'name' ? sc.readers.get(v.name) : undefined;
    if (def === undefined) {
      const close = v.kind === 'name' ? closeNames(v.name, sc.readers.names()) : [];
      throw expected(
        sc.file,
        v,
        `'reader' (the reader under test) or a reader's name${close.length > 0 ? ` (did you mean ${close.join(', ')}?)` : ''}`,
        shown,
      );
    }
    if (def.arch !== sc.arch) throw expected(sc.file, v, `a reader for ${sc.arch}`, `${shown} (${def.arch})`);
    return def;
  }
  if (t === 'pmd' || t === 'folio') {
    const known = t === 'pmd' ? sc.pmds : sc.folios;
    if (t === 'pmd' && v.kind === 'name' && v.name === 'none') return undefined;
    if (v.kind === 'name' && known.has(v.name)) return { ref: t, name: v.name };
    throw expected(
      sc.file,
      v,
      `a ${t} (${[...known.keys(), ...(t === 'pmd' ? ['none'] : [])].join(', ') || `declare one with '${t} NAME …'`}) for ${sig}`,
      shown,
    );
  }
  if (t === 'lock') {
    const locks = ['ptl', ...(sc.pmds.size > 0 ? [PMD_LOCK] : [])];
    if (v.kind === 'name' && locks.includes(v.name)) return { ref: 'lock', name: v.name };
    throw expected(sc.file, v, `a lock (${locks.join(', ')})`, shown);
  }
  const text = printValue(v);
  if ((v.kind === 'name' || v.kind === 'num') && t.enum.includes(text)) return text;
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
      const loc = locs.find((l) => l.name === a.name);
      if (!loc) {
        throw expected(file, a, `a location (${locs.map((l) => l.name).join(', ')}) or P:register`, `'${a.name}'`);
      }
      // a value the location cannot hold would make the condition silently false
      fit(a.value, loc.width, file, `${a.name} is ${loc.width}-bit`);
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
    // a register holds what its loads and RMWs read: at most as wide as the widest of their locations
    let w: 32 | 64 = 32;
    for (const s of plans[i]!.steps) {
      if (s.kind !== 'raw' || !('reg' in s.stmt) || s.stmt.reg !== a.name || !('loc' in s.stmt)) continue;
      const read = s.stmt.loc;
      if (locs.find((l) => l.name === read)?.width === 64) w = 64;
    }
    fit(a.value, w, file, `${a.cpu}:${a.name} reads ${w}-bit locations`);
  }
}

/** The items of a file that are directives, for tools that walk a parsed file. */
export function directives(f: ScnFile): DirectiveItem[] {
  return f.items.filter((i: Item): i is DirectiveItem => 'line' in i && i.kind !== 'comment');
}

/** How much a verdict claims is wrong: a weaker model never shows less than a stronger one. */
const SEVERITY: Readonly<Record<Expectation, number>> = { correct: 0, benign: 1, bug: 2 };

/**
 * The clauses of `reader NAME expect …`, checked: known verdicts and models; a clause without a model
 * (judged over every model run) stands alone; one clause per model; and, since outcomes nest
 * (SC ⊆ TSO ⊆ weak), no clause contradicting or repeating what another implies — `bug under tso`
 * already says weak diverges, `correct under tso` already says sc does not.
 */
function lowerExpect(
  written: readonly ExpectClauseSyntax[],
  err: (at: Pos, what: string, found: string) => ScenarioError,
): ExpectClause[] {
  const clauses: ExpectClause[] = written.map((w, i) => {
    if (!(EXPECTATIONS as readonly string[]).includes(w.verdict))
      throw err(w, `${EXPECTATIONS.join(', ')} after '${i === 0 ? 'expect' : ','}'`, `'${w.verdict}'`);
    if (w.model === undefined) return { verdict: w.verdict as Expectation };
    if (!(MODEL_KINDS as readonly string[]).includes(w.model.name)) {
      const close = closeNames(w.model.name, MODEL_KINDS);
      throw err(
        w.model,
        `a memory model (${MODEL_KINDS.join(', ')}${close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''}) after 'under'`,
        `'${w.model.name}'`,
      );
    }
    return { verdict: w.verdict as Expectation, model: w.model.name as ModelKind };
  });
  if (clauses.length > 1) {
    const alone = clauses.findIndex((c) => c.model === undefined);
    if (alone >= 0)
      throw err(
        written[alone]!,
        `'${clauses[alone]!.verdict} under MODEL' (with more than one clause each names its model; ` +
          `'expect ${clauses[alone]!.verdict}' alone is judged over every model run)`,
        `'${clauses[alone]!.verdict}'`,
      );
  }
  const rank = (c: ExpectClause): number => MODEL_KINDS.indexOf(c.model!);
  for (let j = 1; j < clauses.length; j++) {
    for (let i = 0; i < j; i++) {
      const [x, y] = [clauses[i]!, clauses[j]!];
      const [xt, yt] = [clauseText(x), clauseText(y)];
      if (x.model === y.model)
        throw err(
          written[j]!,
          'one clause per model',
          x.verdict === y.verdict ? `'${yt}' again` : `'${yt}' after '${xt}' (they contradict each other)`,
        );
      const [strong, weak] = rank(x) < rank(y) ? [x, y] : [y, x];
      const d = SEVERITY[strong.verdict] - SEVERITY[weak.verdict];
      if (d < 0) continue;
      const why =
        strong.verdict === 'bug'
          ? `a bug under ${strong.model} is one under ${weak.model} too`
          : weak.verdict === 'correct'
            ? `correct under ${weak.model} is correct under ${strong.model} too`
            : `benign under ${weak.model} covers ${strong.model} too`;
      throw err(
        written[j]!,
        'clauses that agree with the nesting of the models (SC ⊆ TSO ⊆ weak)',
        `'${yt}' with '${xt}' (${d > 0 ? 'they contradict each other' : 'one says the other'}: ${why})`,
      );
    }
  }
  return clauses;
}
