import { createHash } from 'node:crypto';
import type { ChoiceKind, ChoiceSource, Execution } from '../machine';
import { TraceSource, wrapChoice } from '../machine';
import { RandomSource, deriveSeed } from '../engines';
import type { Call, Item, ScnFile, Stmt } from '../scenario';
import { lockCall, printScn, printValue } from '../scenario';
import type { MinimizeResult, Pass, Predicate } from './minimize';
import { TRACE_PASSES, minimizeTrace } from './minimize';
import { ChoiceKeys, ScheduleSource } from './schedule';

/**
 * Scenario-level minimization (issue 5, DESIGN §8 passes 1 and 2): drop
 * operations from CPU bodies, then whole CPUs, then two operations of one CPU
 * together where neither went alone, of a scenario that has a `.scn` syntax
 * tree; then the trace passes; repeated to a fixed point.
 *
 * A candidate program is judged with the witness's schedule carried over:
 * the current witness is replayed once with a statement probe, which says
 * which statement of its CPU's body every step and every non-`sched` choice
 * belongs to; the candidate runs the same schedule (the CPU of every step, as
 * a ScheduleSource reads it) without the dropped statements' steps — or the
 * dropped CPU's, later CPUs renumbered — and the remaining read-from, drain
 * and op choices re-keyed as the schedule machinery keys them (per CPU, in
 * that CPU's order; drains in global order). A smaller program is kept
 * whenever it still fails: program size comes before every trace measure.
 *
 * With a schedule search (`ptefuzz minimize --schedules N`), a pass round in
 * which no candidate fails with the carried-over schedule runs each of its
 * candidates under up to N seeded random schedules of its own (the `random`
 * engine's source), in the pass's order; the first schedule that fails makes
 * that candidate the new witness. A candidate may need a schedule the
 * witness's does not project to: without a call, another interleaving of the
 * calls left may be the one that shows the divergence.
 */

/** A CPU's next step belongs to statement `stmt` of its body (see BuildOptions.onStatement). */
export type StatementProbe = (cpu: number, stmt: number) => void;

/** A scenario program the minimizer may shrink: its syntax tree and the campaign's predicate on it. */
export interface ProgramCandidate {
  readonly file: ScnFile;
  readonly holds: Predicate;
  /** run `source` on this program with the statement probe attached (any verdict) */
  readonly probe: (source: ChoiceSource, onStatement: StatementProbe) => Execution;
  /**
   * The controls (asked only for a candidate found failing): the same predicate — same divergence class, contract
   * and model — on this program for each reader the scenario expects correct there. One that fails too shows that
   * the reduction broke the program, not that the reader under test is wrong.
   */
  readonly controls?: () => readonly Control[];
  /**
   * The rule of the reference's contract the execution of the last `holds` call broke (it returned null for it:
   * the program, not the reader, is outside what the reference judges), else undefined.
   */
  readonly outside?: () => string | undefined;
  /**
   * The locks a call of this program takes (ScenarioAst.takes: a `spin_lock`'s, an operation's own); without it no
   * lock is taken by any call, so every lock pair may go (lockUsers).
   */
  readonly takes?: (c: Call) => readonly string[];
}

/** A reader the scenario expects correct, with the campaign's predicate on a candidate program. */
export interface Control {
  readonly reader: string;
  readonly holds: Predicate;
  /** the rule of the reference's contract the execution of the last `holds` call broke (ProgramCandidate.outside) */
  readonly outside?: () => string | undefined;
}

/** Lowers an edited syntax tree with the same reader, contract and model; null when it does not lower. */
export type LowerProgram = (f: ScnFile) => ProgramCandidate | null;

export interface ProgramResult extends MinimizeResult {
  readonly program: ProgramCandidate;
  /** what was dropped from the start program, one line each (`cpu D "fault"`, `cpu C: madv_dontneed_pae(pte)`) */
  readonly dropped: readonly string[];
  /** the schedule search's part (none when it was not asked for) */
  readonly search: SearchOutcome;
  /** what the controls refused */
  readonly controls: ControlOutcome;
}

/** What the controls of minimizeProgram did (ProgramCandidate.controls). */
export interface ControlOutcome {
  /** control executions run (each also one of `tries`) */
  readonly executions: number;
  /** the candidates found failing that a control failed on too, in order */
  readonly refuted: readonly RefutedDrop[];
  /**
   * the candidates whose run on the witness's schedule carried over was outside the reference's contract (the
   * reduction broke the program: ProgramCandidate.outside), in order, each program once
   */
  readonly outside: readonly OutsideDrop[];
}

/** No control run. */
export const NO_CONTROLS: ControlOutcome = { executions: 0, refuted: [], outside: [] };

/** A candidate program the reference refused on the witness's schedule (ControlOutcome.outside). */
export interface OutsideDrop {
  /** what the candidate dropped from the program before it, one line each (as ProgramResult.dropped) */
  readonly dropped: readonly string[];
  /** the rule it broke (OutsideReferenceContract.rule) */
  readonly rule: string;
}

/**
 * Seeded schedules each control runs on a candidate program found failing, after that failing execution's own
 * choices (64 caught the S2-nowmb `set_pte` over a present pte at the 1st, before the reference refused it itself).
 */
export const CONTROL_SCHEDULES = 64;

/** What the schedule search of minimizeProgram did. */
export interface SearchOutcome {
  /** searched schedules run, over every candidate (each also one of `tries`) */
  readonly executions: number;
  /** the candidates it made the witness, in order */
  readonly found: readonly SearchedDrop[];
}

/** No schedule search (`schedules` 0). */
export const NO_SEARCH: SearchOutcome = { executions: 0, found: [] };

/** A candidate program the schedule search found failing. */
export interface SearchedDrop {
  /** what the candidate dropped from the program before it, one line each (as ProgramResult.dropped) */
  readonly dropped: readonly string[];
  /** the schedules of the candidate run: the last one failed */
  readonly schedules: number;
}

/** A candidate program found failing and refused (ProgramCandidate.controls). */
export interface RefutedDrop {
  /** what the candidate dropped from the program before it, one line each (as ProgramResult.dropped) */
  readonly dropped: readonly string[];
  /** found failing by the schedule search (else under the witness's schedule carried over) */
  readonly searched: boolean;
  /** the reader the scenario expects correct that failed on it the same way (with `rule`: ran outside the contract) */
  readonly control: string;
  /** the control's schedules run: the last one failed (the 1st: the failing execution's own choices) */
  readonly schedules: number;
  /**
   * set when the control did not diverge but its last schedule broke this rule of the reference's contract
   * (OutsideReferenceContract: writers of one pte interleaved, no break-before-make…): the program is broken on a
   * schedule other than the witness's
   */
  readonly rule?: string;
}

interface StepAt {
  readonly cpu: number;
  readonly stmt: number;
}
interface ChoiceAt extends StepAt {
  readonly kind: ChoiceKind;
  readonly value: number;
}

/** Replays a trace and notes the CPU and statement of every step and every non-`sched` choice. */
export class StatementRecorder implements ChoiceSource {
  private readonly inner: TraceSource;
  private cpu = -1;
  private readonly current = new Map<number, number>();
  readonly steps: StepAt[] = [];
  readonly choices: ChoiceAt[] = [];
  readonly onStatement: StatementProbe = (cpu, stmt) => {
    this.current.set(cpu, stmt);
  };
  constructor(trace: readonly number[]) {
    this.inner = new TraceSource(trace);
  }
  private stmtOf(cpu: number): number {
    return this.current.get(cpu) ?? -1;
  }
  choose(kind: ChoiceKind, n: number): number {
    const v = wrapChoice(this.inner.choose(kind, n), n);
    if (kind !== 'sched') this.choices.push({ kind, value: v, cpu: this.cpu, stmt: this.stmtOf(this.cpu) });
    return v;
  }
  onStep(cpu: number): void {
    this.cpu = cpu;
    this.steps.push({ cpu, stmt: this.stmtOf(cpu) });
  }
}

/**
 * The schedule of a recorded witness with some steps and choices removed:
 * `keep` says which survive, `renumber` maps a surviving CPU to its new id.
 */
export function projectSchedule(
  rec: Pick<StatementRecorder, 'steps' | 'choices'>,
  keep: (at: StepAt) => boolean,
  renumber: (cpu: number) => number = (c) => c,
): ScheduleSource {
  const cpus = rec.steps.filter(keep).map((s) => renumber(s.cpu));
  const others = new Map<string, number>();
  // keyed as ScheduleSource reads them back
  const keys = new ChoiceKeys();
  for (const c of rec.choices) {
    if (c.kind === 'sched' || (c.cpu >= 0 && !keep(c))) continue;
    keys.step(c.cpu >= 0 ? renumber(c.cpu) : c.cpu);
    others.set(keys.next(c.kind), c.value);
  }
  return new ScheduleSource(cpus, others);
}

type CpuItem = Extract<Item, { kind: 'cpu' }>;
const isCpu = (it: Item): it is CpuItem => it.kind === 'cpu';
const isCall = (s: Stmt): s is Call => s.kind === 'call';

/** The CPU blocks of a file, in order (CPU index = position). */
export function cpuBlocks(f: ScnFile): CpuItem[] {
  return f.items.filter(isCpu);
}

function callText(c: Call): string {
  return `${c.reg !== undefined ? `${c.reg} = ` : ''}${c.name}(${c.args.map((a) => (a.key !== undefined ? `${a.key}=` : '') + printValue(a.value)).join(', ')})`;
}
const cpuText = (c: CpuItem): string => `cpu ${c.name}${c.label !== undefined ? ` "${c.label}"` : ''}`;

/** Removes CPU block `cpu` (and a blank line it leaves doubled). */
export function dropCpu(f: ScnFile, cpu: number): ScnFile {
  const target = cpuBlocks(f)[cpu]!;
  const items = f.items.filter((it) => it !== target);
  const out: Item[] = [];
  for (const it of items) {
    if (it.kind === 'blank' && (out.length === 0 || out[out.length - 1]!.kind === 'blank')) continue;
    out.push(it);
  }
  while (out.length > 0 && out[out.length - 1]!.kind === 'blank') out.pop();
  return { items: out };
}

/** Removes calls `stmts` (indices among the calls) of CPU block `cpu`. */
export function dropStatement(f: ScnFile, cpu: number, ...stmts: number[]): ScnFile {
  const target = cpuBlocks(f)[cpu]!;
  const calls = target.body.filter(isCall);
  const gone = stmts.map((s) => calls[s]!);
  const body = target.body.filter((s) => !gone.includes(s as Call));
  return { items: f.items.map((it) => (it === target ? { ...target, body } : it)) };
}

/**
 * The spin_unlock that releases the lock the `stmt`-th call (a spin_lock) takes: the next spin_unlock of that
 * lock (lowering rejects a second spin_lock of a held lock), if any.
 */
function matchingUnlock(calls: readonly Call[], stmt: number): number | undefined {
  const l = lockCall(calls[stmt]!);
  if (l?.take !== true) return undefined;
  for (let j = stmt + 1; j < calls.length; j++) {
    const u = lockCall(calls[j]!);
    if (u !== undefined && !u.take && u.lock === l.lock) return j;
  }
  return undefined;
}

/** The locks a call takes (ProgramCandidate.takes). */
export type TakesLocks = (c: Call) => readonly string[];

/** No call takes a lock (a program with no ProgramCandidate.takes). */
const NO_LOCKS: TakesLocks = () => [];

/** For each CPU of `f`, the locks some other CPU's call takes (a `spin_lock`, an operation taking it itself). */
function lockUsers(f: ScnFile, takes: TakesLocks): Set<string>[] {
  const own = cpuBlocks(f).map((b) => new Set(b.body.filter(isCall).flatMap(takes)));
  return own.map((_, cpu) => new Set(own.flatMap((locks, other) => (other !== cpu ? [...locks] : []))));
}

interface Edit {
  readonly file: ScnFile;
  /** one line per call or CPU dropped */
  readonly dropped: readonly string[];
  readonly keep: (at: StepAt) => boolean;
  readonly renumber?: (cpu: number) => number;
}

function dropCpuEdit(f: ScnFile, cpu: number): Edit {
  return {
    file: dropCpu(f, cpu),
    dropped: [cpuText(cpuBlocks(f)[cpu]!)],
    keep: (at) => at.cpu !== cpu,
    renumber: (c) => (c > cpu ? c - 1 : c),
  };
}

/**
 * What the program passes drop of one CPU body, in body order: each call alone, except a spin_lock, which goes with
 * the spin_unlock that releases it (lowering rejects a lock dropped alone: a bare spin_unlock, a CPU ending holding
 * a lock) — so such a spin_unlock is no unit of its own. A bare spin_unlock (a crash file's witness reduced before
 * pairs) is a unit alone.
 *
 * A lock pair around calls is no unit at all when another CPU takes that lock (`shared`: lockUsers) — by a
 * `spin_lock` or inside an operation (the fault path, a zap: OperationDef.locks): the lock serialises this CPU's
 * section against that CPU, and the program without it is another program, one the kernel does not run. Its
 * witness can be valid (the other CPU's fault path only read), yet the program breaks the reference's contract on
 * other schedules (the fault path's `set_pte` interleaves with the now unlocked `pte_clear`), which neither the
 * carried-over schedule nor the controls' 64 need meet — was: S3's minimized witness dropped B's PTL, and the
 * crash-file regression test's 200 schedules met that interleaving. Such a pair goes once its section is empty.
 */
function dropUnits(calls: readonly Call[], shared: ReadonlySet<string>): number[][] {
  const pairs = calls.map((_, stmt) => matchingUnlock(calls, stmt));
  return calls.flatMap((c, stmt) => {
    if (pairs.includes(stmt)) return [];
    const pair = pairs[stmt];
    if (pair === undefined) return [[stmt]];
    return pair > stmt + 1 && shared.has(lockCall(c)!.lock) ? [] : [[stmt, pair]];
  });
}

/** Drops calls `stmts` of CPU `cpu`, or the CPU when they are all its calls. */
function dropCallsEdit(f: ScnFile, cpu: number, stmts: readonly number[]): Edit {
  const b = cpuBlocks(f)[cpu]!;
  const calls = b.body.filter(isCall);
  if (stmts.length === calls.length) return dropCpuEdit(f, cpu);
  return {
    file: dropStatement(f, cpu, ...stmts),
    dropped: stmts.map((s) => `${cpuText(b)}: ${callText(calls[s]!)}`),
    keep: (at) => at.cpu !== cpu || !stmts.includes(at.stmt),
  };
}

/** Pass 1 candidates: every unit (dropUnits) of every CPU body; the last unit of a CPU drops the CPU. */
function operationEdits(f: ScnFile, takes: TakesLocks = NO_LOCKS): Edit[] {
  const shared = lockUsers(f, takes);
  return cpuBlocks(f).flatMap((b, cpu) =>
    dropUnits(b.body.filter(isCall), shared[cpu]!).map((u) => dropCallsEdit(f, cpu, u)),
  );
}

/** Pass 2 candidates: every whole CPU (with more than one call; single-call CPUs are pass 1's). */
function cpuEdits(f: ScnFile): Edit[] {
  return cpuBlocks(f)
    .map((b, cpu) => ({ b, cpu }))
    .filter(({ b }) => b.body.filter(isCall).length > 1)
    .map(({ cpu }) => dropCpuEdit(f, cpu));
}

/** The most pair candidates (pass 3) tried on one program: the nearest ones (each is a replay). */
export const MAX_PAIR_CANDIDATES = 64;

/**
 * Pass 3 candidates: two units of one CPU body together, nearest first (units apart, then CPU, then position), at
 * most MAX_PAIR_CANDIDATES of them — for calls neither of which goes alone, above all an arm64 clear and the make
 * after it (`__ptep_get_and_clear`, `__set_pte` of another page: without the make another call may find no valid
 * entry, without the clear the make breaks break-before-make, a candidate the campaign rejects). Two units that are
 * a whole CPU body are pass 2's candidate.
 */
function pairEdits(f: ScnFile, takes: TakesLocks = NO_LOCKS): Edit[] {
  const pairs: { readonly apart: number; readonly cpu: number; readonly at: number; readonly stmts: number[] }[] = [];
  const shared = lockUsers(f, takes);
  cpuBlocks(f).forEach((b, cpu) => {
    const calls = b.body.filter(isCall);
    const units = dropUnits(calls, shared[cpu]!);
    units.forEach((u, i) =>
      units.slice(i + 1).forEach((v, k) => {
        const stmts = [...u, ...v];
        if (stmts.length < calls.length) pairs.push({ apart: k + 1, cpu, at: i, stmts });
      }),
    );
  });
  pairs.sort((x, y) => x.apart - y.apart || x.cpu - y.cpu || x.at - y.at);
  return pairs.slice(0, MAX_PAIR_CANDIDATES).map((p) => dropCallsEdit(f, p.cpu, p.stmts));
}

/**
 * Drop-operation, drop-CPU and drop-pair passes, in that order, each candidate in the order `edits` lists them. A
 * `stuck` pass runs only in a round where the passes before it dropped nothing: a pair is tried only where no
 * single call or CPU goes — so a witness no pair reduces is minimized exactly as by the first two passes alone —,
 * and the pairs' candidates are tried once or twice per witness when none goes (the last round, and the first when
 * it dropped nothing).
 */
export const PROGRAM_PASSES: readonly {
  readonly name: string;
  readonly edits: (f: ScnFile, takes?: TakesLocks) => Edit[];
  readonly stuck?: true;
}[] = [
  { name: 'drop-operations', edits: operationEdits },
  { name: 'drop-cpus', edits: cpuEdits },
  { name: 'drop-pairs', edits: pairEdits, stuck: true },
];

interface Accepted {
  readonly e: Edit;
  readonly cand: ProgramCandidate;
  readonly got: Execution;
}

/** A 16-hex-digit seed from text parts (a candidate's printed program, the start witness's trace). */
const textSeed = (...parts: string[]): string =>
  createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);

/**
 * The controls of minimizeProgram: a candidate program found failing — under the witness's schedule carried over or
 * by the schedule search — is accepted only when none of its controls (the readers the scenario expects correct)
 * fails in the same way, under that failing execution's own choices or CONTROL_SCHEDULES seeded schedules of the
 * `random` engine (seeded from the candidate's printed text). Dropping a call can break the program itself, and a
 * witness on it would show a bug of the reduction, not of the reader. (B's `set_pte` without its `pte_clear`, over
 * a present PAE pte, and a lone `__ptep_get_and_clear` of one entry of a contpte block, no unfold, were the
 * examples; the reference now refuses both programs itself — reference/pae-set.ts, reference/contiguous.ts —
 * before any control runs: ControlOutcome.outside.)
 */
class ControlCheck implements ControlOutcome {
  executions = 0;
  readonly refuted: RefutedDrop[] = [];
  readonly outside: OutsideDrop[] = [];
  /** the programs refused so far (printed): a later round's candidate of the same text is refused without a run */
  private readonly refused = new Set<string>();
  private readonly outsideSeen = new Set<string>();

  /** Record that `cand` (program `e`) broke the reference's contract on the carried-over schedule, once per program. */
  noteOutside(e: Edit, cand: ProgramCandidate): void {
    const rule = cand.outside?.();
    if (rule === undefined) return;
    const text = printScn(e.file);
    if (this.outsideSeen.has(text)) return;
    this.outsideSeen.add(text);
    this.outside.push({ dropped: e.dropped, rule });
  }

  /** Whether a control refutes `cand` (program `e`), found failing with `got`; a refusal is recorded once. */
  refutes(e: Edit, cand: ProgramCandidate, got: Execution, searched: boolean, text = printScn(e.file)): boolean {
    if (this.refused.has(text)) return true;
    const controls = cand.controls?.() ?? [];
    if (controls.length === 0) return false;
    const seed = textSeed(text);
    for (const c of controls) {
      for (let i = 0; i <= CONTROL_SCHEDULES; i++) {
        this.executions++;
        const source = i === 0 ? got.trace : new RandomSource(deriveSeed('control', seed, i - 1));
        const failed = c.holds(source) !== null;
        const rule = failed ? undefined : c.outside?.();
        if (failed || rule !== undefined) {
          this.refused.add(text);
          this.refuted.push({
            dropped: e.dropped,
            searched,
            control: c.reader,
            schedules: i + 1,
            ...(rule !== undefined ? { rule } : {}),
          });
          return true;
        }
      }
    }
    return false;
  }
}

/**
 * The schedule search of minimizeProgram: each candidate program gets up to `schedules` runs of the `random`
 * engine's source, seeded from `base` (the start witness's trace) and the candidate's printed text — the same crash
 * file searches the same schedules, and a candidate searched in vain (or refused by a control) is not searched again.
 */
class ScheduleSearch implements SearchOutcome {
  executions = 0;
  readonly found: SearchedDrop[] = [];
  private readonly vain = new Set<string>();
  constructor(
    private readonly schedules: number,
    private readonly base: string,
    private readonly check: ControlCheck,
  ) {}

  /** The first of `failed` (in order) that a schedule of its own fails and no control refutes, with that execution. */
  first(failed: readonly { readonly e: Edit; readonly cand: ProgramCandidate }[]): Accepted | undefined {
    for (const { e, cand } of failed) {
      const text = printScn(e.file);
      if (this.vain.has(text)) continue;
      this.vain.add(text);
      const seed = textSeed(this.base, text);
      for (let i = 0; i < this.schedules; i++) {
        this.executions++;
        const got = cand.holds(new RandomSource(deriveSeed('minimize', seed, i)));
        if (got === null) continue;
        if (this.check.refutes(e, cand, got, true, text)) break;
        this.found.push({ dropped: e.dropped, schedules: i + 1 });
        return { e, cand, got };
      }
    }
    return undefined;
  }
}

/**
 * Minimize a witness on a scenario with a syntax tree: the program passes
 * (drop operations, drop CPUs, drop pairs of operations where neither went —
 * each accepted as soon as the carried-over schedule still fails, then retried
 * on the smaller program; with `schedules` > 0, a round where none does
 * searches each candidate's own schedules, up to `schedules` of them, once per
 * distinct candidate program; a candidate found failing either way is
 * refused when a control fails on it too: ControlCheck), then the trace
 * passes, repeated until the program passes find nothing after the trace
 * passes. Null when the start witness does not fail.
 */
export function minimizeProgram(
  start: ProgramCandidate,
  trace: readonly number[],
  lower: LowerProgram,
  passes: readonly Pass[] = TRACE_PASSES,
  schedules = 0,
): ProgramResult | null {
  let tries = 0;
  let program = start;
  let exec = program.holds(trace);
  tries++;
  if (exec === null) return null;
  let cur: readonly number[] = exec.trace;
  const dropped: string[] = [];
  const check = new ControlCheck();
  // none when no search is asked for: no state, no candidate list kept
  const search = schedules > 0 ? new ScheduleSearch(schedules, trace.join(','), check) : undefined;
  for (let traceDone = false; ; traceDone = true) {
    let shrunk = false;
    for (const pass of PROGRAM_PASSES) {
      if (pass.stuck === true && shrunk) continue;
      for (let again = true; again;) {
        again = false;
        const rec = new StatementRecorder(cur);
        program.probe(rec, rec.onStatement);
        const failed: { readonly e: Edit; readonly cand: ProgramCandidate }[] = [];
        let next: Accepted | undefined;
        for (const e of pass.edits(program.file, start.takes)) {
          const cand = lower(e.file);
          if (cand === null) continue;
          tries++;
          const got = cand.holds(projectSchedule(rec, e.keep, e.renumber));
          if (got === null) {
            check.noteOutside(e, cand);
            if (search !== undefined) failed.push({ e, cand });
          } else if (!check.refutes(e, cand, got, false)) {
            next = { e, cand, got };
            break;
          }
        }
        if (next === undefined) next = search?.first(failed);
        if (next === undefined) continue;
        program = next.cand;
        exec = next.got;
        cur = next.got.trace;
        dropped.push(...next.e.dropped);
        shrunk = again = true;
      }
    }
    // a fixed point: the program passes found nothing on a trace the trace passes left alone
    if (!shrunk && traceDone) break;
    const t = minimizeTrace(cur, program.holds, passes);
    if (t === null) throw new Error('[ptefuzz internal bug] a kept program witness no longer fails');
    tries += t.tries;
    cur = t.trace;
    exec = t.exec;
  }
  const { executions, found } = search ?? NO_SEARCH;
  return {
    program,
    trace: [...cur],
    exec,
    tries: tries + executions + check.executions,
    dropped: mergeDropped([], dropped),
    search: { executions, found },
    controls: { executions: check.executions, refuted: [...check.refuted], outside: [...check.outside] },
  };
}

/**
 * Two lists of dropped CPUs and operations as one, sorted: a dropped CPU
 * (`cpu C "…"`) absorbs the operations dropped from it before (`cpu C "…": op(…)`).
 */
export function mergeDropped(a: readonly string[], b: readonly string[]): string[] {
  const all = [...new Set([...a, ...b])];
  return all.filter((d) => !all.some((x) => x !== d && d.startsWith(`${x}: `))).sort();
}
