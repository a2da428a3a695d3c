import type { CpuSpec, FlushKind, LocationTable, ModelKind, PageDecl } from '../machine';
import type { Arch, ArchName, PteSubject, ReaderDef } from '../kernel';
import type { Call, ScnFile } from './ast';

/** A pte whose logical history the reference tracks (the scenario's name for the kernel's PteSubject). */
export type Subject = PteSubject;

/** A scenario with one reader plugged in: ready to execute. */
export interface BuiltScenario {
  readonly locations: LocationTable;
  readonly cpus: readonly CpuSpec[];
  /** the pte the reader under test reads */
  readonly subject: Subject;
  /** how TLB flushes wait for other CPUs (default ipi; matters only to scenarios that flush) */
  readonly flush?: FlushKind;
  /** the pages mapped initially (refcount 1) and free for allocation (refcount 0) */
  readonly pages?: readonly PageDecl[];
}

/** Options of Scenario.build. */
export interface BuildOptions {
  /**
   * A statement probe (the minimizer's scenario-level passes): called when CPU
   * `cpu` starts the `stmt`-th call of its `.scn` body (0-based, comments and
   * blank lines not counted) — the CPU's next step belongs to that statement.
   * Scenarios without a `.scn` form never call it.
   */
  readonly onStatement?: (cpu: number, stmt: number) => void;
}

/**
 * The `.scn` syntax tree a scenario was lowered from, and how to lower an
 * edited copy of it (with the same reader and operation registries): what the
 * minimizer's drop-operation and drop-CPU passes work on. Every scenario
 * lowered from a `.scn` text has it (every built-in); a scenario object written in TypeScript does not.
 */
export interface ScenarioAst {
  readonly file: ScnFile;
  /** lower an edited copy (same name); throws a ScenarioError when it does not lower */
  lower(f: ScnFile): Scenario;
  /**
   * The locks a call of this program takes: a `spin_lock`'s, an operation's own (OperationDef.locks: the fault
   * path, a zap), none for any other call — what tells the minimizer which CPUs a lock serialises (program.ts).
   */
  takes(c: Call): readonly string[];
}

/** A scenario the minimizer reduced: where the original came from and what was dropped from it. */
export interface Reduction {
  readonly source: 'builtin' | 'file';
  /** one line per dropped CPU (`cpu D "fault"`) or operation (`cpu C: madv_dontneed_pae(pte)`), sorted */
  readonly dropped: readonly string[];
}

/** The verdict a scenario is expected to produce (DOMAIN §C), per reader. */
export type Expectation = 'bug' | 'correct' | 'benign';
/** Every expectation a scenario may state, in the order messages list them. */
export const EXPECTATIONS: readonly Expectation[] = ['bug', 'correct', 'benign'];

/**
 * One clause of a reader's expectation (`expect bug`, `expect correct under tso, bug under weak`).
 * Without a model the verdict is judged over every model run; with one, by nesting (SC ⊆ TSO ⊆ weak):
 * `bug under M` on M and the weaker models, `correct`/`benign under M` on M and the stronger ones.
 */
export interface ExpectClause {
  readonly verdict: Expectation;
  readonly model?: ModelKind;
}

/** Clauses without a model, one verdict per reader: how a scenario states the expectations that hold under every model. */
export function unqualified(
  byReader: Readonly<Record<string, Expectation>>,
): Readonly<Record<string, readonly ExpectClause[]>> {
  return Object.fromEntries(Object.entries(byReader).map(([r, verdict]) => [r, [{ verdict }]]));
}

/** `bug`, `bug under weak`. */
export const clauseText = (c: ExpectClause): string =>
  c.model === undefined ? c.verdict : `${c.verdict} under ${c.model}`;

/** A reader's expectation as the `expect` line writes it: `correct under tso, bug under weak`. */
export const expectText = (clauses: readonly ExpectClause[]): string => clauses.map(clauseText).join(', ');

/** The settings of built-in variants by scenario name (the language has no statement for them). */
export type SettingsByName = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * initial memory + one program per CPU + the reader(s) under test + contract
 * + memory model. `build` plugs one reader into the reader CPU.
 */
export interface Scenario {
  /** DOMAIN §C number first, e.g. "s2-pae-zap-reestablish" */
  readonly name: string;
  readonly title: string;
  readonly arch: ArchName;
  /** the memory model of the architecture (x86: tso); --model overrides */
  readonly model: ModelKind;
  /** the readers that make sense here (default of --reader) */
  readonly readers: readonly string[];
  /** thread subject, author, date, Message-ID */
  readonly source: string;
  /** what the thread claims, and what ptefuzz expects per reader */
  readonly claim: string;
  /** per reader: its `expect` clauses, as written (a reader without an entry has no expectation) */
  readonly expect: Readonly<Record<string, readonly ExpectClause[]>>;
  /** per reader: the contract the scenario judges it by (default: the reader's declared one) */
  readonly contracts?: Readonly<Record<string, string>>;
  /** the printed `.scn` text the scenario was lowered from (stored in crash files) */
  readonly text?: string;
  /**
   * Consumer scenarios: the kernel path the reader under test runs inside
   * (e.g. "gup_fast", "handle_pte_fault") — the reader is its lockless read.
   */
  readonly consumer?: string;
  /** the scenario's settings, e.g. {flush: 'ipi', zap: 'deferred', recheck: 'ptep_get'} (shown by list) */
  readonly settings?: Readonly<Record<string, string>>;
  /** the syntax tree, for scenarios lowered from `.scn` text */
  readonly ast?: ScenarioAst;
  /** the `.scn` file it was loaded from, as the user named it (for messages; never stored in a crash file) */
  readonly file?: string;
  /** set when the minimizer dropped CPUs or operations of the original scenario */
  readonly reduced?: Reduction;
  /**
   * A scenario lowered from a crash file's stored text: where the file says it came from. A built-in's text
   * stored by an earlier version may differ from the built-in's today (an edited `expect` line): it still came
   * from the built-in, and a re-minimized file says so.
   */
  readonly origin?: 'builtin' | 'file';
  /**
   * Set with `reduced` or `origin` (a program the minimizer reduced, or one loaded from a crash file): the
   * identity of the program it came from (`CrashScenario.program`), which its own text — reduced — no longer
   * gives; undefined for a built-in's and for a file written before crash files recorded it.
   */
  readonly program?: string | undefined;
  build(reader: ReaderDef, arch: Arch, opts?: BuildOptions): BuiltScenario;
}
