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
 *   2. describe it with an OperationDef — name (kernel name, verbatim), arch,
 *      params ({name, type: 'pte' | 'value' | 'bool' | {enum}, default?}),
 *      summary, source, and program(args, ctx) that calls the generator;
 *   3. add the definition to BUILTIN_OPERATIONS below (or call
 *      registry.register(def) on a registry built by builtinOperations()).
 * The scenario language then accepts it in CPU bodies, checks its arguments
 * (file:line:col errors) and lists it in `ptefuzz list`. No parser change.
 */
import type { Location, Program } from '../machine';
import type { ArchName, Pte } from './arch';
import { PAE_OPERATIONS } from './operations-pae';

/** The type of one parameter; `value` is a pte value of the operation's architecture. */
export type ParamType = 'pte' | 'value' | 'bool' | { readonly enum: readonly string[] };

export interface ParamDef {
  readonly name: string;
  readonly type: ParamType;
  readonly doc: string;
  /** present ⇔ optional (written `name=value` in a scenario) */
  readonly default?: boolean | string;
}

/** An argument after checking: a pte, a pte value, a flag, or an enum member. */
export type ArgValue = Pte | bigint | boolean | string;

/** What an operation may use besides its arguments. */
export interface OpContext {
  /** the split page-table lock of the scenario's pte table */
  readonly ptl: Location;
}

export interface OperationDef {
  /** the kernel function's name, verbatim */
  readonly name: string;
  readonly arch: ArchName;
  /** `writer`: changes a pte and carries a writer specification for the reference */
  readonly role: 'writer' | 'other';
  readonly summary: string;
  /** kernel file, function and era */
  readonly source: string;
  /** required parameters first, in call order */
  readonly params: readonly ParamDef[];
  /** invariant: every param is present in `args` (defaults filled in by the caller) */
  program(args: Readonly<Record<string, ArgValue>>, ctx: OpContext): Program<unknown>;
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
export const BUILTIN_OPERATIONS: readonly OperationDef[] = [...PAE_OPERATIONS];

/** A fresh registry holding the built-in operations. */
export function builtinOperations(): OperationRegistry {
  return new OperationRegistry(BUILTIN_OPERATIONS);
}
