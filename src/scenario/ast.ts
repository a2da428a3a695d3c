import type { Pos } from './errors';

/**
 * The syntax tree of a `.scn` file (DESIGN §9). It keeps everything the
 * printer needs to reproduce a canonical file exactly: the order of the
 * items, comments (whole-line and trailing), single blank lines, and the
 * spelling of every number.
 */
export interface ScnFile {
  readonly items: readonly Item[];
}

/** A number as written (`0x00010067`, `3`): the spelling is kept for the printer. */
export interface Num extends Pos {
  readonly value: bigint;
  readonly raw: string;
}

export type Value =
  | ({ readonly kind: 'num' } & Num)
  /** `{high:low}`, the way the lists write a PAE pte */
  | ({ readonly kind: 'pair'; readonly high: Num; readonly low: Num } & Pos)
  | ({ readonly kind: 'name'; readonly name: string } & Pos)
  /** `ptes[3]`: entry 3 of a contpte block */
  | ({ readonly kind: 'index'; readonly name: string; readonly index: Num } & Pos)
  /** `[v0, v1, …]`: the entries of a contpte block (may span lines; `endLine` is the line of `]`) */
  | ({ readonly kind: 'list'; readonly items: readonly Value[]; readonly endLine: number } & Pos);

export interface Arg extends Pos {
  /** `key=value`; absent for a positional argument */
  readonly key?: string;
  readonly value: Value;
}

/** `name(args)` or `reg = name(args)` inside a CPU body. */
export interface Call extends Pos {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Arg[];
  /** the register the result is assigned to */
  readonly reg?: string;
  readonly comment?: string;
}

export type Stmt = Call | { readonly kind: 'comment'; readonly text: string } | { readonly kind: 'blank' };

/**
 * A `spin_lock(L)` (`take`) or `spin_unlock(L)` statement (the registered lock operations,
 * src/kernel/operations-consumers.ts): the lock it names; undefined for any other call. What lowering checks
 * the balance of, and what the minimizer drops in pairs.
 */
export function lockCall(c: Call): { readonly lock: string; readonly take: boolean } | undefined {
  if (c.name !== 'spin_lock' && c.name !== 'spin_unlock') return undefined;
  const v = c.args.length === 1 ? c.args[0]!.value : undefined;
  if (v?.kind !== 'name') return undefined;
  return { lock: v.name, take: c.name === 'spin_lock' };
}

/** An exists condition: herd7's propositions over final registers and locations. */
export type Cond =
  | { readonly kind: 'and' | 'or'; readonly left: Cond; readonly right: Cond }
  | { readonly kind: 'not'; readonly arg: Cond }
  | { readonly kind: 'paren'; readonly arg: Cond }
  | ({
      readonly kind: 'atom';
      /** `P:reg` — the CPU by index or name — or a location when absent */
      readonly cpu?: string;
      readonly name: string;
      readonly value: Num;
    } & Pos);

/** One clause of `reader NAME expect …`: the verdict word and, after `under`, the memory model's, as written. */
export interface ExpectClauseSyntax extends Pos {
  readonly verdict: string;
  readonly model?: { readonly name: string } & Pos;
}

export type Quantifier = 'exists' | '~exists' | 'forall';

export type Directive =
  | { readonly kind: 'scenario' | 'arch' | 'model' | 'flush'; readonly name: string }
  | { readonly kind: 'title' | 'source' | 'claim'; readonly text: string }
  | { readonly kind: 'pte'; readonly name: string; readonly value: Value }
  | { readonly kind: 'loc'; readonly name: string; readonly width: 32 | 64; readonly value: Num }
  /** `pmd NAME = VALUE`: a pmd entry (location NAME; mm->page_table_lock comes with it) */
  | { readonly kind: 'pmd'; readonly name: string; readonly value: Num }
  /** `page PFN ref N [table PTE]`: a page, its initial refcount, the pte(s) a page-table page holds */
  | { readonly kind: 'page'; readonly pfn: Num; readonly ref: Num; readonly table?: string }
  /** `folio NAME pfn=… mapcount=… …`: a shared file page (S11), its fields as written */
  | { readonly kind: 'folio'; readonly name: string; readonly fields: readonly { key: string; value: Num }[] }
  | {
      readonly kind: 'reader';
      readonly name: string;
      readonly contract?: string;
      /** `expect CLAUSE, CLAUSE …` as written (at least one clause when present) */
      readonly expect?: readonly ExpectClauseSyntax[];
    }
  | {
      readonly kind: 'cpu';
      readonly name: string;
      readonly label?: string;
      readonly body: readonly Stmt[];
      /** the line of the closing `}` */
      readonly endLine: number;
    }
  | { readonly kind: 'cond'; readonly quantifier: Quantifier; readonly cond: Cond }
  /** `expect MODEL never|sometimes|always`: the expected herd7 Observation of the condition */
  | { readonly kind: 'expect'; readonly model: string; readonly observation: string };

type Placed<D> = D extends unknown ? D & Pos & { readonly comment?: string } : never;

/** A directive with its position and trailing comment. */
export type DirectiveItem = Placed<Directive>;

export type Item =
  | DirectiveItem
  | { readonly kind: 'comment'; readonly text: string; readonly line?: number }
  | { readonly kind: 'blank' };
