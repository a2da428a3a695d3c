/**
 * `--jobs 1` against `--jobs 2` (issue 4: "--jobs 2 gives ≥ 1.6× the
 * executions/s of --jobs 1 on a 2-core machine"): the same `ptefuzz fuzz`
 * campaign — engine random, seed 1, a fixed number of runs over the
 * scenarios of the known-bug cases, every reader and model of them — run
 * as a child process (the real CLI, worker threads and crash writing
 * included), one after the other — `repeats` rounds, in alternating order
 * (1 2, then 2 1, …), the faster campaign of each job count counting: a
 * campaign slowed by something else on the machine is noise, not the engine
 * (processes of their own: they cannot be interleaved in slices of their own
 * time as the bench's throughput campaigns are). With `random` every campaign executes
 * exactly the same runs, so the executions must agree; exec/s is executions
 * over the campaign's own seconds (start-up of the workers included, process
 * start-up not).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { alternatingOrder } from './stats';

export interface JobsRun {
  readonly jobs: number;
  readonly runs: number;
  readonly executions: number;
  readonly seconds: number;
  readonly execsPerSec: number;
  /** exec/s of every campaign of this job count, in the order run (the fastest is the one above) */
  readonly attempts?: readonly number[];
}

export interface JobsComparison {
  readonly scenarios: readonly string[];
  readonly runs: number;
  /** campaigns per job count (absent: 1) */
  readonly repeats?: number;
  /** per job count, in the order of jobCounts: its fastest campaign */
  readonly results: readonly JobsRun[];
}

/** bin/ptefuzz.js of this package, from src/bench (vitest) or dist/bench (built). */
const BIN = resolve(__dirname, '..', '..', 'bin', 'ptefuzz.js');

export function compareJobs(
  scenarios: readonly string[],
  runs: number,
  jobCounts: readonly number[],
  repeats = 1,
): JobsComparison {
  const all = new Map<number, JobsRun[]>(jobCounts.map((j) => [j, []]));
  for (const jobs of alternatingOrder(jobCounts, repeats)) all.get(jobs)!.push(campaign(scenarios, runs, jobs));
  const results = jobCounts.map((jobs): JobsRun => {
    const tries = all.get(jobs)!;
    const best = tries.reduce((a, b) => (b.execsPerSec > a.execsPerSec ? b : a));
    return repeats > 1 ? { ...best, attempts: tries.map((t) => t.execsPerSec) } : best;
  });
  return repeats > 1 ? { scenarios, runs, repeats, results } : { scenarios, runs, results };
}

/** One `ptefuzz fuzz --engine random --seed 1 --runs R --jobs J --json` campaign in a child process. */
function campaign(scenarios: readonly string[], runs: number, jobs: number): JobsRun {
  const crashes = mkdtempSync(join(tmpdir(), 'ptefuzz-bench-jobs-'));
  try {
    const args = [
      BIN,
      'fuzz',
      ...scenarios.flatMap((s) => ['--scenario', s]),
      ...['--engine', 'random', '--seed', '1', '--runs', String(runs), '--jobs', String(jobs)],
      ...['--crashes', crashes, '--json'],
    ];
    const r = spawnSync(process.execPath, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.status !== 0 && r.status !== 1) {
      throw new Error(`ptefuzz fuzz --jobs ${jobs} exited with ${r.status ?? r.signal}`);
    }
    const s = JSON.parse(r.stdout) as { runs: number; executions: number; seconds: number };
    return {
      jobs,
      runs: s.runs,
      executions: s.executions,
      seconds: s.seconds,
      execsPerSec: s.seconds > 0 ? s.executions / s.seconds : 0,
    };
  } finally {
    rmSync(crashes, { recursive: true, force: true });
  }
}
