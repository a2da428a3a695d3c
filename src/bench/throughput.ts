import type { BenchCase } from './cases';
import type { EngineRunner, Throughput } from './runners';

/**
 * Throughput measured side by side. The machine's speed drifts by 20 % and
 * more over seconds (other processes, a VM's neighbours); a campaign of one
 * engine measured after another's sees another machine, and their ratio
 * swings with it (coverage/random on S10, 20000-execution campaigns one
 * after the other: 0.46 to 0.70 on the same build). So the engines'
 * throughput campaigns of a case run interleaved instead: round robin, one
 * slice of about `sliceMs` of its own time each, until each has run for
 * `seconds` of its own time. Every engine then sees the same machine, in
 * slices short against the drift; exec/s is executions over the campaign's
 * own time. On the same build, paired coverage/random on S10 repeats within
 * about ±0.015 while the absolute rates move by 20 %.
 */

/**
 * A campaign's own clock (milliseconds): it advances only while that
 * campaign's slice runs, so the campaign's `seconds` bound, pulses and slices
 * count its own time, not the other engines'.
 */
export class OwnClock {
  private own = 0;
  private since: number | undefined;
  constructor(private readonly time: () => number = () => performance.now()) {}

  readonly now = (): number => this.own + (this.since === undefined ? 0 : this.time() - this.since);

  /** Run `f` on this clock's time. */
  during<T>(f: () => T): T {
    this.since = this.time();
    try {
      return f();
    } finally {
      this.own += this.time() - this.since;
      this.since = undefined;
    }
  }
}

/** A throughput campaign in slices: each `next()` runs one slice; the return value is its measurement. */
export type ThroughputSlices = Generator<void, Throughput, undefined>;

/**
 * The throughput of every runner that has one (`EngineRunner.throughput`) on
 * case `c`, measured side by side: their campaigns run interleaved, one slice
 * each in turn, each for `seconds` of its own time. In the runners' order.
 */
export function pairedThroughput(
  runners: readonly EngineRunner[],
  c: BenchCase,
  seconds: number,
  sliceMs: number,
  time?: () => number,
): Throughput[] {
  const running = runners.flatMap((r) => {
    if (!r.throughput) return [];
    const clock = new OwnClock(time);
    return [
      { clock, slices: r.throughput(c, seconds, clock.now, sliceMs), result: undefined as Throughput | undefined },
    ];
  });
  while (running.some((x) => x.result === undefined)) {
    for (const x of running) {
      if (x.result !== undefined) continue;
      const step = x.clock.during(() => x.slices.next());
      if (step.done) x.result = step.value;
    }
  }
  return running.map((x) => x.result!);
}
