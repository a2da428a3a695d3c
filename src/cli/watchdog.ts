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
 * Layout (one buffer per worker):
 *   Int32  header[0..8)  state, counter, target, trace length, cpu, steps started
 *   Float64 [8..)       run and position of the execution in flight, runs started,
 *                        per-target statistics (5 each), per-finding hit counters (HIT_SLOTS)
 *   Int32               the choices of the execution in flight (TRACE_CAPACITY)
 */
import type { Worker } from 'node:worker_threads';
import type { ReaderStats } from '../campaign';
import type { ExecutionWatch, Target } from '../campaign';
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
const HEADER_INTS = 8;

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

/** The shared buffer of one worker, seen from either side. */
export class WatchBuffer {
  readonly header: Int32Array;
  readonly floats: Float64Array;
  readonly choices: Int32Array;
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
    this.hitSlots = (buffer.byteLength - HEADER_INTS * 4 - TRACE_CAPACITY * 4) / 8 - this.hitsAt;
    if (!Number.isInteger(this.hitSlots) || this.hitSlots < 0)
      throw new Error(`[ptefuzz internal bug] a watch buffer of ${buffer.byteLength} bytes for ${targets} targets`);
    const floatsLen = this.hitsAt + this.hitSlots;
    this.header = new Int32Array(buffer, 0, HEADER_INTS);
    this.floats = new Float64Array(buffer, HEADER_INTS * 4, floatsLen);
    this.choices = new Int32Array(buffer, HEADER_INTS * 4 + floatsLen * 8, TRACE_CAPACITY);
  }

  static create(targets: number, hitSlots = HIT_SLOTS): WatchBuffer {
    const bytes = HEADER_INTS * 4 + (F_STATS + STAT_FIELDS * targets + hitSlots) * 8 + TRACE_CAPACITY * 4;
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

  /** Main side, once the worker is stopped: what the execution in flight had done. */
  snapshot(): HangSnapshot {
    const h = this.header;
    const len = Math.min(h[H_LEN]!, TRACE_CAPACITY);
    const started = h[H_STEPS]!;
    return {
      target: h[H_TARGET]!,
      trace: Array.from(this.choices.subarray(0, len)),
      truncated: h[H_LEN]! > TRACE_CAPACITY,
      step: Math.max(0, started - 1),
      cpu: started === 0 ? -1 : h[H_CPU]!,
      run: this.floats[F_RUN]!,
      pos: this.floats[F_POS]!,
    };
  }
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

  constructor(
    private readonly buf: WatchBuffer,
    targets: readonly Target[],
  ) {
    targets.forEach((t, i) => this.index.set(t, i));
  }

  begin(t: Target, source: ChoiceSource): ChoiceSource {
    const h = this.buf.header;
    this.inner = source;
    this.len = 0;
    this.steps = 0;
    h[H_TARGET] = this.index.get(t) ?? -1;
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
 * Main side: watch one worker thread until it exits. Its buffer is polled every HangDetector.pollMs(limitMs); the
 * first time its execution in flight has hung, `onHang` is called (the worker stands still: its buffer can be read
 * there) and the worker is terminated — a loop that never yields cannot be interrupted any other way.
 */
export function watchWorker(
  worker: Worker,
  buf: WatchBuffer,
  limitMs: number,
  clock: () => number,
  onHang: () => void,
): void {
  const detector = new HangDetector(limitMs);
  const poll = setInterval(() => {
    if (!detector.check(clock(), buf.inFlight, buf.counter)) return;
    clearInterval(poll);
    onHang();
    void worker.terminate();
  }, HangDetector.pollMs(limitMs));
  worker.once('exit', () => clearInterval(poll));
}
