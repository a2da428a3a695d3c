/**
 * The operation registry: the kernel functions a scenario file may call on a
 * CPU (`set_pte(pte, {0x00010002:0x00020067})`, `madv_dontneed_pae(pte)`, …).
 * Each entry names its architecture, its parameters with their types and
 * defaults, where it comes from, and a factory that produces the Program (the
 * program emits begin({role: 'writer', spec}) itself, so the SC reference
 * gets the writer specification from the same place).
 *
 * Registering a new operation (e.g. the arm64 kernel pack):
 *   1. write the model as a generator in src/kernel/writers/<arch>.ts (or
 *      consumers/), citing its kernel source, as the PAE writers do;
 *   2. describe it with an OperationDef — name (kernel name, verbatim), arch
 *      (one, or a list for a consumer generic over PteOps), params ({name,
 *      type, default?}: see ParamType), summary, source, consumer (when the
 *      reader under test can run inside it), and program(args, ctx) that
 *      calls the generator;
 *   3. add the definition to BUILTIN_OPERATIONS below (or call
 *      registry.register(def) on a registry built by builtinOperations()).
 * The scenario language then accepts it in CPU bodies, checks its arguments
 * (file:line:col errors) and lists it in `ptefuzz list`. No parser change.
 */
import type { Location, Program } from '../machine';
import type { ArchName, Pte } from './arch';
import type { ReaderDef } from './readers/reader';
import type { FileFolio } from './consumers/file';
import { PAE_OPERATIONS } from './operations-pae';
import { ARM64_OPERATIONS } from './operations-arm64';
import { CONSUMER_OPERATIONS } from './operations-consumers';

/**
 * The type of one parameter:
 * - `pte`: a declared pte (`pte`, or entry `ptes[i]` of a contpte block);
 * - `value`: a pte value of the scenario's architecture;
 * - `bool`: true | false; `number`: an integer; `name`: an identifier (a TLB key such as `va`);
 * - `reader`: `reader` — the reader under test — or a registered reader's name (e.g. the
 *   hardware walker's `ptep_get_atomic64`);
 * - `pmd`: a declared `pmd`, or `none` (no pmd level); `folio`: a declared `folio`;
 * - `lock`: `ptl` (the split page-table lock) or `page_table_lock` (declared with a pmd);
 * - `nr`: a batch length (a number ≥ 1) counted from the operation's `pte` argument: at most
 *   the entries from that entry to the end of its block (1 for a lone pte); its default is
 *   a decimal string;
 * - `{enum}`: one of the listed words.
 */
export type ParamType =
  | 'pte'
  | 'value'
  | 'bool'
  | 'number'
  | 'name'
  | 'reader'
  | 'pmd'
  | 'folio'
  | 'lock'
  | 'nr'
  | { readonly enum: readonly string[] };

/** A pmd entry pointing to a pte-table page (S12). */
export interface PmdArg {
  readonly loc: Location;
  /** mm->page_table_lock */
  readonly lock: Location;
  /** the pte-table page a pmd value points to, or null */
  table(pmd: bigint): bigint | null;
  /** the table page the initial pmd points to */
  readonly pfn: bigint;
}

export interface ParamDef {
  readonly name: string;
  readonly type: ParamType;
  readonly doc: string;
  /** present ⇔ optional (written `name=value` in a scenario) */
  readonly default?: boolean | string;
}

/**
 * An argument after checking: a pte, a pte value or number, a flag, an enum
 * member or name, a reader, a pmd, a folio, a lock; `undefined` for `pmd=none`.
 */
export type ArgValue = Pte | bigint | boolean | string | ReaderDef | PmdArg | FileFolio | Location | undefined;

/** What an operation may use besides its arguments. */
export interface OpContext {
  /** the split page-table lock of the scenario's pte table */
  readonly ptl: Location;
  /** the scenario's architecture (consumers pick their PteOps by it) */
  readonly arch: ArchName;
}

/** A lock a scenario names: the PTL, or mm->page_table_lock (a declared pmd's lock). */
export type ScenarioLock = 'ptl' | 'page_table_lock';

export interface OperationDef {
  /** the kernel function's name, verbatim */
  readonly name: string;
  /** the architecture(s) whose scenarios may call it */
  readonly arch: ArchName | readonly ArchName[];
  /** `writer`: changes a pte and carries a writer specification for the reference */
  readonly role: 'writer' | 'other';
  readonly summary: string;
  /** kernel file, function and era */
  readonly source: string;
  /** required parameters first, in call order */
  readonly params: readonly ParamDef[];
  /**
   * a kernel path whose lockless read can be the reader under test (its `reader`-typed
   * parameter): `ptefuzz list` shows the scenario's consumer
   */
  readonly consumer?: string;
  /**
   * the locks its program takes itself (a `spin_lock` inside, on some path): calling it while the CPU holds one
   * would deadlock, and lowering refuses it
   */
  readonly locks?: readonly ScenarioLock[];
  /** invariant: every param is present in `args` (defaults filled in by the caller) */
  program(args: Readonly<Record<string, ArgValue>>, ctx: OpContext): Program<unknown>;
}

/** The architectures an operation may be called on. */
export function opArches(op: OperationDef): readonly ArchName[] {
  return typeof op.arch === 'string' ? [op.arch] : op.arch;
}

export function paramTypeText(t: ParamType): string {
  return typeof t === 'string' ? t : t.enum.join('|');
}

/** `set_pte(pte, value, barriers=true)` */
export function signature(op: OperationDef): string {
  const ps = op.params.map((p) =>
    p.default === undefined ? p.name : `${p.name}=${typeof p.default === 'boolean' ? String(p.default) : p.default}`,
  );
  return `${op.name}(${ps.join(', ')})`;
}

export class OperationRegistry {
  private readonly byName = new Map<string, OperationDef>();

  constructor(ops: readonly OperationDef[] = []) {
    for (const o of ops) this.register(o);
  }

  register(op: OperationDef): void {
    if (this.byName.has(op.name)) throw new Error(`operation ${op.name} is already registered`);
    let optional = false;
    for (const p of op.params) {
      if (p.default !== undefined) optional = true;
      else if (optional) throw new Error(`operation ${op.name}: required parameter ${p.name} after an optional one`);
    }
    this.byName.set(op.name, op);
  }

  get(name: string): OperationDef | undefined {
    return this.byName.get(name);
  }

  all(): OperationDef[] {
    return [...this.byName.values()];
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}

/** Every operation shipped with ptefuzz, in `ptefuzz list` order. */
export const BUILTIN_OPERATIONS: readonly OperationDef[] = [
  ...PAE_OPERATIONS,
  ...ARM64_OPERATIONS,
  ...CONSUMER_OPERATIONS,
];

/** A fresh registry holding the built-in operations. */
export function builtinOperations(): OperationRegistry {
  return new OperationRegistry(BUILTIN_OPERATIONS);
}
