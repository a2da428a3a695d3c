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
  | ({ readonly kind: 'name'; readonly name: string } & Pos);

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

export type Quantifier = 'exists' | '~exists' | 'forall';

export type Directive =
  | { readonly kind: 'scenario' | 'arch' | 'model'; readonly name: string }
  | { readonly kind: 'title' | 'source' | 'claim'; readonly text: string }
  | { readonly kind: 'pte'; readonly name: string; readonly value: Value }
  | { readonly kind: 'loc'; readonly name: string; readonly width: 32 | 64; readonly value: Num }
  | {
      readonly kind: 'reader';
      readonly name: string;
      readonly contract?: string;
      readonly expect?: string;
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
