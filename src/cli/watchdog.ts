/**
 * The hang watchdog of `ptefuzz fuzz` (and `replay` of a timeout file): the
 * executions run in a worker thread, which publishes in a SharedArrayBuffer
 * what it is doing — an execution counter, whether an execution is in flight,
 * its target, every choice it makes and the CPU of every step —, and the
 * main thread polls it. When the counter of a worker with an execution in
 * flight has not moved for `--timeout` seconds, the main thread terminates the
 * worker, turns the published trace into a `timeout` crash file and starts a
 * fresh worker after the hung execution. Plain stores, no message per
 * execution: the cost is a few typed-array writes per choice and per step.
 *
 * While the campaign minimizes a divergence, the buffer also holds a
 * "minimizing" record — the target and class being minimized — so that when a
 * candidate of the minimization hangs, the main thread knows the divergence
 * the worker sent it just before (its crash record and report: it diverged and
 * returned) is to be kept unminimized; and when the candidate ran on a program
 * the minimizer reduced (a target of no index), that program's `.scn` text, to
 * say where it hung.
 *
 * Layout (one buffer per worker):
 *   Int32  header[0..16) state, counter, target, trace length, cpu, steps started;
 *                        minimizing flag, its target, its class length, program text length
 *   Float64 [16..)      run and position of the execution in flight, runs started,
 *                        per-target statistics (5 each), per-finding hit counters (HIT_SLOTS)
 *   Int32               the choices of the execution in flight (TRACE_CAPACITY)
 *   Int32               its class, as UTF-16 code units (CLASS_CAPACITY)
 *   Uint16              the `.scn` text of the reduced program last executed (PROGRAM_CAPACITY)
 */
import type { Worker } from 'node:worker_threads';
import type { ReaderStats } from '../campaign';
import type { ExecutionWatch, MinimizingWitness, Target } from '../campaign';
import type { ChoiceContext, ChoiceKind, ChoiceSource } from '../machine';
import { wrapChoice } from '../machine';

/** Default `--timeout`, seconds (libFuzzer's is 1200; an execution here takes well under a millisecond). */
export const DEFAULT_TIMEOUT_SECONDS = 10;

const H_STATE = 0;
const H_COUNT = 1;
const H_TARGET = 2;
const H_LEN = 3;
const H_CPU = 4;
const H_STEPS = 5;
const H_MIN = 6;
const H_MIN_TARGET = 7;
const H_MIN_CLASS = 8;
const H_PROGRAM = 9;
const HEADER_INTS = 16;

const F_RUN = 0;
const F_POS = 1;
const F_RUNS = 2;
const F_STATS = 3;
const STAT_FIELDS = 5;

/**
 * Distinct findings per worker whose hits are counted in shared memory. The hits of a worker's findings past
 * this many are counted in the worker and sent with its progress and done messages: exact for a worker that
 * finishes; for one the watchdog stops, those since its last progress message (at most ~250 ms of them) are lost.
 */
export const HIT_SLOTS = 1024;
/** Choices kept of the execution in flight: 4000 steps make at most ~3 choices each. */
export const TRACE_CAPACITY = 1 << 16;
/** UTF-16 code units kept of the class of the divergence being minimized (classes are short words: `torn`, `use-after-free`) */
export const CLASS_CAPACITY = 64;
/** UTF-16 code units kept of a reduced program's `.scn` text (the built-in scenarios print in 1–3 k) */
export const PROGRAM_CAPACITY = 1 << 16;
/** bytes of the buffer after the floats: the trace area, the class, the program text */
const TAIL_BYTES = TRACE_CAPACITY * 4 + CLASS_CAPACITY * 4 + PROGRAM_CAPACITY * 2;

/** The shared buffer of one worker, seen from either side. */
export class WatchBuffer {
  readonly header: Int32Array;
  readonly floats: Float64Array;
  readonly choices: Int32Array;
  private readonly minClass: Int32Array;
  private readonly program: Uint16Array;
  /** hit counters in the buffer (HIT_SLOTS unless a test made it small): read off its size, so both sides agree */
  readonly hitSlots: number;
  private readonly hitsAt: number;
  /** worker side: the hits of slots hitSlots, hitSlots + 1, …, counted in this thread (invariant: no holes) */
  private readonly past: number[] = [];

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly targets: number,
  ) {
    this.hitsAt = F_STATS + STAT_FIELDS * targets;
    this.hitSlots = (buffer.byteLength - HEADER_INTS * 4 - TAIL_BYTES) / 8 - this.hitsAt;
    if (!Number.isInteger(this.hitSlots) || this.hitSlots < 0)
      throw new Error(`[ptefuzz internal bug] a watch buffer of ${buffer.byteLength} bytes for ${targets} targets`);
    const floatsLen = this.hitsAt + this.hitSlots;
    this.header = new Int32Array(buffer, 0, HEADER_INTS);
    this.floats = new Float64Array(buffer, HEADER_INTS * 4, floatsLen);
    let at = HEADER_INTS * 4 + floatsLen * 8;
    this.choices = new Int32Array(buffer, at, TRACE_CAPACITY);
    this.minClass = new Int32Array(buffer, (at += TRACE_CAPACITY * 4), CLASS_CAPACITY);
    this.program = new Uint16Array(buffer, (at += CLASS_CAPACITY * 4), PROGRAM_CAPACITY);
  }

  static create(targets: number, hitSlots = HIT_SLOTS): WatchBuffer {
    const bytes = HEADER_INTS * 4 + (F_STATS + STAT_FIELDS * targets + hitSlots) * 8 + TAIL_BYTES;
    return new WatchBuffer(new SharedArrayBuffer(bytes), targets);
  }

  get inFlight(): boolean {
    return Atomics.load(this.header, H_STATE) === 1;
  }
  get counter(): number {
    return Atomics.load(this.header, H_COUNT);
  }

  /** The statistics of target `i`, as counters in this buffer (the campaign counts into them). */
  stats(i: number): ReaderStats {
    const f = this.floats;
    const o = F_STATS + STAT_FIELDS * i;
    const verdicts = {
      get agree(): number {
        return f[o + 2]!;
      },
      set agree(v: number) {
        f[o + 2] = v;
      },
      get divergence(): number {
        return f[o + 3]!;
      },
      set divergence(v: number) {
        f[o + 3] = v;
      },
      get boundHit(): number {
        return f[o + 4]!;
      },
      set boundHit(v: number) {
        f[o + 4] = v;
      },
    };
    return {
      get executions(): number {
        return f[o]!;
      },
      set executions(v: number) {
        f[o] = v;
      },
      get races(): number {
        return f[o + 1]!;
      },
      set races(v: number) {
        f[o + 1] = v;
      },
      verdicts,
    };
  }

  /** A plain copy of target `i`'s statistics. */
  statsCopy(i: number): ReaderStats {
    const s = this.stats(i);
    return {
      executions: s.executions,
      races: s.races,
      verdicts: { agree: s.verdicts.agree, divergence: s.verdicts.divergence, boundHit: s.verdicts.boundHit },
    };
  }

  /** Runs started by this worker (a resumed partial run is not one). */
  get runs(): number {
    return this.floats[F_RUNS]!;
  }

  /** Main side: the hits of `slot`, given the worker's last `hitsPast()` (sent in its messages). */
  hits(slot: number, past: readonly number[]): number {
    return slot < this.hitSlots ? this.floats[this.hitsAt + slot]! : (past[slot - this.hitSlots] ?? 0);
  }

  /** Worker side: one more hit of the finding in `slot` (slots are numbered 0, 1, … in order of discovery). */
  addHit(slot: number): void {
    if (slot < this.hitSlots) {
      this.floats[this.hitsAt + slot]!++;
      return;
    }
    const i = slot - this.hitSlots;
    while (this.past.length <= i) this.past.push(0);
    this.past[i]!++;
  }

  /** Worker side: the hits of the slots past the shared ones, for a message (empty while there are none). */
  hitsPast(): number[] {
    return this.past.slice();
  }

  /** Worker side: the campaign is about to execute position `pos` of run `run`. */
  position(run: number, pos: number): void {
    this.floats[F_RUN] = run;
    this.floats[F_POS] = pos;
  }

  /** Worker side: the campaign counted a run. */
  countRun(): void {
    this.floats[F_RUNS]!++;
  }

  /**
   * Worker side: the campaign starts minimizing a divergence of class `cls` that target `target` (its index; -1:
   * none) showed — the executions until `endMinimizing` are its candidates.
   */
  beginMinimizing(target: number, cls: string): void {
    const h = this.header;
    h[H_MIN_TARGET] = target;
    const c = Math.min(cls.length, CLASS_CAPACITY);
    for (let i = 0; i < c; i++) this.minClass[i] = cls.charCodeAt(i);
    h[H_MIN_CLASS] = c;
    // published with the record: the main thread reads it once the worker stands still
    Atomics.store(h, H_MIN, 1);
  }

  /** Worker side: the minimization is over (returned or threw). */
  endMinimizing(): void {
    Atomics.store(this.header, H_MIN, 0);
  }

  /** Worker side: the `.scn` text of the reduced program whose executions follow (undefined: it has none). */
  setProgram(text: string | undefined): void {
    if (text === undefined) {
      this.header[H_PROGRAM] = -1;
      return;
    }
    const n = Math.min(text.length, PROGRAM_CAPACITY);
    for (let i = 0; i < n; i++) this.program[i] = text.charCodeAt(i);
    this.header[H_PROGRAM] = text.length;
  }

  /** Main side, once the worker is stopped: what the execution in flight had done. */
  snapshot(): HangSnapshot {
    const h = this.header;
    const len = Math.min(h[H_LEN]!, TRACE_CAPACITY);
    const started = h[H_STEPS]!;
    const target = h[H_TARGET]!;
    const programLen = h[H_PROGRAM]!;
    return {
      target,
      trace: Array.from(this.choices.subarray(0, len)),
      truncated: h[H_LEN]! > TRACE_CAPACITY,
      step: Math.max(0, started - 1),
      cpu: started === 0 ? -1 : h[H_CPU]!,
      run: this.floats[F_RUN]!,
      pos: this.floats[F_POS]!,
      ...(Atomics.load(h, H_MIN) === 1 ? { minimizing: this.minimizingRecord() } : {}),
      ...(target === -1 && programLen >= 0 && programLen <= PROGRAM_CAPACITY
        ? { program: fromCodeUnits(this.program.subarray(0, programLen)) }
        : {}),
    };
  }

  private minimizingRecord(): MinimizingSnapshot {
    const h = this.header;
    return {
      target: h[H_MIN_TARGET]!,
      class: fromCodeUnits(this.minClass.subarray(0, h[H_MIN_CLASS]!)),
    };
  }
}

/** A string from UTF-16 code units, in chunks (one call with 65536 arguments may overflow the stack). */
function fromCodeUnits(units: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < units.length; i += 4096)
    out += String.fromCharCode(...Array.from({ length: Math.min(4096, units.length - i) }, (_, j) => units[i + j]!));
  return out;
}

/**
 * The divergence a worker was minimizing when its execution in flight hung (WatchBuffer.beginMinimizing): the
 * divergence itself is the last `minimizing` message the worker sent (parallel.ts).
 */
export interface MinimizingSnapshot {
  /** index of the campaign's target that diverged */
  readonly target: number;
  readonly class: string;
}

export interface HangSnapshot {
  /** index of the target in the campaign's selection */
  readonly target: number;
  readonly trace: number[];
  /** more choices than TRACE_CAPACITY: the trace is a prefix and may not reach the hang */
  readonly truncated: boolean;
  /** the step that never returned (its number) and its CPU; cpu -1: before the first step */
  readonly step: number;
  readonly cpu: number;
  /** the campaign position: resume at (run, pos + 1) */
  readonly run: number;
  readonly pos: number;
  /** the campaign was minimizing this divergence: the hung execution was one of its candidates */
  readonly minimizing?: MinimizingSnapshot;
  /** target -1 (a program the minimizer reduced): that program's `.scn` text, when the buffer held it whole */
  readonly program?: string;
}

/**
 * Worker side: the ExecutionWatch that publishes every execution. `targets`
 * gives each target's index in the selection; one instance wraps the choice
 * source of the execution in flight (executions do not nest).
 */
export class SharedWatch implements ExecutionWatch, ChoiceSource {
  private inner: ChoiceSource = { choose: () => 0 };
  private len = 0;
  private steps = 0;
  private readonly index = new Map<Target, number>();
  /** the reduced program whose text is in the buffer */
  private program: Target | undefined;

  constructor(
    private readonly buf: WatchBuffer,
    targets: readonly Target[],
    /** told each divergence before its minimization begins (a `fuzz` worker sends it to the main thread) */
    private readonly onMinimizing?: (m: MinimizingWitness) => void,
  ) {
    targets.forEach((t, i) => this.index.set(t, i));
  }

  begin(t: Target, source: ChoiceSource): ChoiceSource {
    const h = this.buf.header;
    this.inner = source;
    this.len = 0;
    this.steps = 0;
    const i = this.index.get(t);
    h[H_TARGET] = i ?? -1;
    // a candidate of the minimizer on a reduced program: its text, once per program (candidates run many executions)
    if (i === undefined && t !== this.program) {
      this.buf.setProgram(t.scenario.text);
      this.program = t;
    }
    h[H_LEN] = 0;
    h[H_STEPS] = 0;
    h[H_CPU] = -1;
    Atomics.store(h, H_STATE, 1);
    Atomics.add(h, H_COUNT, 1);
    return this;
  }

  end(): void {
    Atomics.store(this.buf.header, H_STATE, 0);
  }

  /** the wrapped source's (an `explore` enumeration prunes non-canonical TSO drain placements through it) */
  get canonicalDrains(): boolean {
    return this.inner.canonicalDrains === true;
  }

  minimizing(m: MinimizingWitness | undefined): void {
    if (m === undefined) {
      this.buf.endMinimizing();
      return;
    }
    // sent before the record is set: a hang the main thread finds with the record set has the divergence in hand
    this.onMinimizing?.(m);
    this.buf.beginMinimizing(this.index.get(m.target) ?? -1, m.class);
  }

  choose(kind: ChoiceKind, n: number, ctx?: ChoiceContext): number {
    const v = wrapChoice(this.inner.choose(kind, n, ctx), n);
    if (this.len < TRACE_CAPACITY) this.buf.choices[this.len] = v;
    this.buf.header[H_LEN] = ++this.len;
    return v;
  }

  onStep(cpu: number): void {
    const h = this.buf.header;
    h[H_CPU] = cpu;
    h[H_STEPS] = ++this.steps;
    this.inner.onStep?.(cpu);
  }
}

/**
 * Main side: decides when a worker's execution in flight has hung. Fed every
 * poll with the clock, whether an execution is in flight and the counter;
 * the execution hangs once the counter has not moved for `limitMs` while in
 * flight. Between executions (start-up, corpus sync, reporting) nothing is timed.
 */
export class HangDetector {
  private count = Number.NaN;
  private since = 0;

  constructor(readonly limitMs: number) {}

  /** true when the execution in flight has exceeded the limit */
  check(now: number, inFlight: boolean, counter: number): boolean {
    if (!inFlight || counter !== this.count) {
      this.count = inFlight ? counter : Number.NaN;
      this.since = now;
      return false;
    }
    return now - this.since >= this.limitMs;
  }

  /** How often to poll for a limit: a quarter of it, between 10 and 250 ms. */
  static pollMs(limitMs: number): number {
    return Math.max(10, Math.min(250, Math.floor(limitMs / 4)));
  }
}

/**
 * Main side: watch one worker thread until it exits, or until the returned function is called (its campaign ended
 * and it lives on, idle: worker-pool.ts). Its buffer is polled every HangDetector.pollMs(limitMs); the
 * first time its execution in flight has hung, `onHang` is called (the worker stands still: its buffer can be read
 * there) and the worker is terminated — a loop that never yields cannot be interrupted any other way.
 */
export function watchWorker(
  worker: Worker,
  buf: WatchBuffer,
  limitMs: number,
  clock: () => number,
  onHang: () => void,
): () => void {
  const detector = new HangDetector(limitMs);
  const poll = setInterval(() => {
    if (!detector.check(clock(), buf.inFlight, buf.counter)) return;
    clearInterval(poll);
    onHang();
    void worker.terminate();
  }, HangDetector.pollMs(limitMs));
  const stop = (): void => {
    clearInterval(poll);
    worker.off('exit', stop);
  };
  worker.once('exit', stop);
  return stop;
}
