/**
 * The watchdog's ledger of hung executions, one for every `fuzz` engine: the native engines' supervisor
 * (parallel.ts) and `--engine jsfuzz` (fuzz-jsfuzz.ts) record each hang here. It counts the hangs per target,
 * drops a target at its MAX_TIMEOUTS_PER_TARGET-th hang, keeps one timeout (one crash file) per fingerprint with
 * its hits, and builds the record of a minimizer's candidate that hung. What differs between the callers stays
 * theirs: how a crash file is written (`save`), what a drop tells the running workers (`onDrop`), the `first`
 * stamp, and what is said (the caller acts on what each call returns).
 */
import type { Target, TimeoutFinding } from '../campaign';
import { reducedTarget } from '../campaign';
import type { CrashFile } from '../crash';
import { fingerprint } from '../crash';
import type { ReaderRegistry } from '../kernel';
import type { HangSnapshot } from './watchdog';
import { watchedDescribeHang, watchedTimeoutRecord } from './watched-call';

/**
 * A target that hung this many times is dropped: the rest of the campaign
 * skips it (each hang costs a worker restart, and its timeout files already
 * show the bug), so a reader that hangs on most races does not stall the others.
 */
export const MAX_TIMEOUTS_PER_TARGET = 3;

/**
 * A candidate execution of the minimizer hung: the worker was stopped while it minimized a divergence.
 * The divergence is kept, unminimized: the worker sent its crash record before the minimization began, and it
 * goes the way of every witness (fingerprint, de-duplication, crash file); when it is new, its diagram is drawn
 * by a watched replay (nothing is executed in the main thread).
 */
export interface MinimizeHang {
  /** the campaign's target that diverged */
  readonly target: Target;
  readonly class: string;
  /** the crash file of the divergence, unminimized */
  readonly file: string;
  /**
   * another job's minimization of this target and class hung before (`--jobs`: both were minimizing it when
   * the first hang was detected): the first one's warning already said it, and its later witnesses are kept
   * unminimized
   */
  readonly again: boolean;
  /** its trace's length, in choices */
  readonly choices: number;
  /**
   * where the candidate ran: `target` — a schedule of the campaign's target (a trace pass): a genuine hang of
   * the target, saved as a timeout (`timeout`); `reduced` — a program the minimizer reduced (CPUs or
   * operations dropped): no finding about the target, no timeout file
   */
  readonly on: 'target' | 'reduced';
  /** where the candidate hung, as a timeout describes it (describeHang) */
  readonly detail: string;
  /** on `target`: the timeout crash file of the hung candidate */
  readonly timeout?: string;
}

export interface TimeoutLedgerConfig {
  /** the campaign's targets, in selection order (a hang snapshot's target index; the order of `dropped`) */
  readonly targets: readonly Target[];
  /** the readers that lower a reduced program again (reducedHangDetail) */
  readonly registry: ReaderRegistry;
  /** the watchdog's limit */
  readonly timeoutSeconds: number;
  /** recorded in the timeout crash files */
  readonly engine: string;
  readonly seed: string;
  /**
   * write the crash file of a hang new to the campaign; returns its path — also when it could not be written
   * (the caller records and reports that)
   */
  readonly save: (record: CrashFile) => string;
  /** target `targets[i]` hung its MAX_TIMEOUTS_PER_TARGET-th time: called at once, before its timeout is recorded */
  readonly onDrop?: (i: number) => void;
}

/** A hung execution of a target, as recorded. */
export interface RecordedTimeout {
  /** its distinct timeout, its hits counted */
  readonly finding: TimeoutFinding;
  /** a hang new to the campaign (its crash file just saved), else another hit of `finding` */
  readonly fresh: boolean;
  /** that was the target's MAX_TIMEOUTS_PER_TARGET-th hang: it is no longer executed */
  readonly drop: boolean;
}

/** The hung executions of one campaign (see the file's comment). */
export class TimeoutLedger {
  private readonly index: ReadonlyMap<string, number>;
  private readonly counts = new Map<string, number>();
  private readonly droppedKeys = new Set<string>();
  private readonly distinct = new Map<string, TimeoutFinding>();
  private readonly minimizing: MinimizeHang[] = [];
  private reducedHangs = 0;

  constructor(private readonly cfg: TimeoutLedgerConfig) {
    this.index = new Map(cfg.targets.map((t, i) => [t.key, i]));
  }

  /**
   * A hung execution of target `t`: counted towards dropping `t`; its timeout crash file saved when it is new
   * (one per fingerprint), else its hits counted. `first`: where in the campaign a new one was first seen.
   */
  timeout(t: Target, snap: HangSnapshot, first: TimeoutFinding['first']): RecordedTimeout {
    const n = (this.counts.get(t.key) ?? 0) + 1;
    this.counts.set(t.key, n);
    // once: with --jobs, a dropped target's execution already in flight elsewhere may still hang after
    const drop = n >= MAX_TIMEOUTS_PER_TARGET && !this.droppedKeys.has(t.key);
    if (drop) {
      this.droppedKeys.add(t.key);
      this.cfg.onDrop?.(this.indexOf(t));
    }
    const { timeoutSeconds, engine, seed } = this.cfg;
    const record = watchedTimeoutRecord(t, snap, timeoutSeconds, engine, seed);
    const id = fingerprint(record);
    const known = this.distinct.get(id);
    if (known) {
      known.hits++;
      return { finding: known, fresh: false, drop };
    }
    const f: TimeoutFinding = { target: t, record, id, file: this.cfg.save(record), hits: 1, first };
    this.distinct.set(id, f);
    return { finding: f, fresh: true, drop };
  }

  /**
   * A candidate of the minimizer hung (`snap.minimizing`) while it minimized a divergence of target `t`, kept
   * unminimized in `kept.file` (`again`: another job's minimization of that target and class hung first). A
   * candidate on the target itself is also a timeout of `t` (`timeout`, as `timeout()` returns it: the caller
   * reports it before the MinimizeHang); one on a program the minimizer reduced is not (the target never runs that
   * program): counted (a restart) and described only.
   */
  minimizeHang(
    t: Target,
    snap: HangSnapshot,
    kept: { readonly file: string; readonly choices: number; readonly again: boolean },
    first: TimeoutFinding['first'],
  ): { readonly hang: MinimizeHang; readonly timeout?: RecordedTimeout } {
    const m = snap.minimizing;
    if (m === undefined) throw new Error('[ptefuzz internal bug] a hang outside a minimization recorded as one');
    const own = snap.target === m.target;
    let detail: string;
    let timeout: RecordedTimeout | undefined;
    if (own) {
      timeout = this.timeout(t, snap, first);
      const v = timeout.finding.record.verdict;
      detail = v.kind === 'timeout' ? v.detail : '';
    } else {
      this.reducedHangs++;
      detail = reducedHangDetail(t, snap, this.cfg.registry, this.cfg.timeoutSeconds);
    }
    const hang: MinimizeHang = {
      target: t,
      class: m.class,
      file: kept.file,
      again: kept.again,
      choices: kept.choices,
      on: own ? 'target' : 'reduced',
      detail,
      ...(timeout !== undefined ? { timeout: timeout.finding.file } : {}),
    };
    this.minimizing.push(hang);
    return { hang, ...(timeout !== undefined ? { timeout } : {}) };
  }

  /** hung executions per target key (targets that never hung are absent) */
  get hangs(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /** how many distinct hangs (timeout crash files) */
  get distinctCount(): number {
    return this.distinct.size;
  }

  /** the distinct hangs, in the order they were first seen */
  get timeouts(): readonly TimeoutFinding[] {
    return [...this.distinct.values()];
  }

  /** the minimizer's candidates that hung, in the order they were met */
  get minimizeHangs(): readonly MinimizeHang[] {
    return [...this.minimizing];
  }

  /** keys of the targets dropped after MAX_TIMEOUTS_PER_TARGET hangs, in target order */
  get dropped(): readonly string[] {
    return this.cfg.targets.filter((t) => this.droppedKeys.has(t.key)).map((t) => t.key);
  }

  /** indices of the dropped targets, in target order */
  get droppedIndices(): readonly number[] {
    return this.dropped.map((key) => this.index.get(key)!);
  }

  /** workers stopped by the watchdog: one per hung execution, on a target or on a program the minimizer reduced */
  get restarts(): number {
    let n = this.reducedHangs;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  private indexOf(t: Target): number {
    const i = this.index.get(t.key);
    if (i === undefined) throw new Error(`[ptefuzz internal bug] a hang of ${t.key}, not a target of the campaign`);
    return i;
  }
}

/**
 * Where a candidate on a reduced program hung, as describeHang says it of a timeout — on that program, rebuilt
 * from the text the worker published. Never throws: a program it cannot rebuild is said so.
 */
export function reducedHangDetail(t: Target, snap: HangSnapshot, registry: ReaderRegistry, seconds: number): string {
  if (snap.program === undefined) return 'on a program the minimizer reduced, whose text the watch buffer did not hold';
  let reduced: Target;
  try {
    reduced = reducedTarget(t, snap.program, registry);
  } catch (e) {
    return `on a program the minimizer reduced, which does not lower again (${e instanceof Error ? e.message : String(e)})`;
  }
  const left = reduced.built.cpus.length;
  const of = t.built.cpus.length;
  const what = left < of ? `${left} of its ${of} CPUs left` : 'operations dropped';
  return `on a program the minimizer reduced (${what}): ${watchedDescribeHang(reduced, snap, seconds).detail}`;
}
