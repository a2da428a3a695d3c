import { availableParallelism } from 'node:os';
import { relative, sep } from 'node:path';
import { defineConfig } from 'vitest/config';
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';

/** Test files that replace a module (vi.mock): each runs in a fresh process of its own. */
const MOCKING = ['test/unit/unlistable-folders.test.ts', 'test/unit/fsync-policy.test.ts'];

/** Both projects' settings (not `extends: true`: a project extending the root would run globalSetup again). */
const common = { testTimeout: 120_000, hookTimeout: 120_000, pool: 'forks' } as const;

/**
 * The files that take more than ~5 s, with their seconds in a full run on the 2-core machine (3 workers): vitest
 * starts them first, slowest first (longest processing time first), so the two workers finish together instead
 * of one running a long file alone at the end. vitest orders by the durations it cached on a previous run
 * (node_modules/.vite/vitest/); a fresh clone — CI — has none and runs the largest files first, and the slowest
 * files are among the smallest (each self-fuzz half is three lines): they started last. A stale entry only
 * changes the order, never what runs.
 */
const SLOW_FILES: Readonly<Record<string, number>> = {
  'test/regression/corpus.test.ts': 89,
  'test/e2e/journey.test.ts': 86,
  'test/e2e/arm64-scenarios.test.ts': 53,
  'test/e2e/self-fuzz-scn-1.test.ts': 51,
  'test/e2e/self-fuzz-scn-2.test.ts': 50,
  'test/e2e/watchdog-threads.test.ts': 44,
  'test/e2e/fuzz-minimize-hang.test.ts': 38,
  'test/e2e/main-thread-watchdog.test.ts': 36,
  'test/e2e/watchdog.test.ts': 36,
  'test/e2e/sigkill.test.ts': 35,
  'test/laws/exhaustive-completeness.test.ts': 35,
  'test/e2e/fuzz-jsfuzz.test.ts': 34,
  'test/e2e/self-fuzz.test.ts': 31,
  'test/e2e/startup-signal.test.ts': 26,
  'test/e2e/parallel.test.ts': 25,
  'test/e2e/merge-distill.test.ts': 25,
  'test/e2e/fuzz.test.ts': 23,
  'test/e2e/explore.test.ts': 21,
  'test/laws/tso-canonical-drains.test.ts': 19,
  'test/e2e/merge-distill-watchdog.test.ts': 18,
  'test/e2e/unreplayed-divergence.test.ts': 18,
  'test/e2e/fuzz-jsfuzz-watchdog.test.ts': 18,
  'test/e2e/corpus.test.ts': 18,
  'test/laws/litmus-lkmm.test.ts': 17,
  'test/laws/herd7-counts.test.ts': 17,
  'test/unit/serialised-writers.test.ts': 16,
  'test/e2e/fuzz-diagrams.test.ts': 13,
  'test/e2e/campaign-failures.test.ts': 11,
  'test/e2e/reader-modules.test.ts': 10,
  'test/e2e/environment.test.ts': 10,
  'test/e2e/matrix.test.ts': 9,
  'test/e2e/worker-pool.test.ts': 7,
  'test/unit/stability.test.ts': 7,
  'test/unit/bench-report.test.ts': 6,
  'test/e2e/break-before-make.test.ts': 6,
  'test/unit/consumers.test.ts': 6,
  'test/e2e/explore-engines.test.ts': 6,
  'test/laws/single-load-readers.test.ts': 5,
  'test/e2e/explore-interrupt.test.ts': 5,
  'test/e2e/errors.test.ts': 5,
};

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const root = this.ctx.config.root;
    // vitest's order keeps each project's files together (the isolated project first): keep that, and put the
    // slow files first within a project; the sort is stable, so the others keep vitest's order
    const project = new Map<string, number>();
    for (const f of base) if (!project.has(f.project.name)) project.set(f.project.name, project.size);
    const seconds = (f: TestSpecification): number => SLOW_FILES[relative(root, f.moduleId).split(sep).join('/')] ?? 0;
    return [...base].sort(
      (a, b) => project.get(a.project.name)! - project.get(b.project.name)! || seconds(b) - seconds(a),
    );
  }
}

export default defineConfig({
  test: {
    // vitest's default is one worker fewer than the CPUs: one worker on a 2-core machine, idle half the time
    // while a test waits on a child process, a worker thread or a watchdog's timeout (the hang tests' readers
    // block, they do not spin); one worker more than the CPUs keeps them busy — on the 2-core machine 3 workers
    // ran the suite in 361 s against 491 s for 2 (same tree, 140 files passed both times)
    maxWorkers: availableParallelism() + 1,
    globalSetup: ['test/support/build.ts'],
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      // a worker process runs file after file without re-importing src/ for each (no test file changes
      // global state it does not restore: the self-fuzz files restore the cwd and the output streams)
      { test: { ...common, name: 'shared', include: ['test/**/*.test.ts'], exclude: MOCKING, isolate: false } },
      { test: { ...common, name: 'isolated', include: MOCKING, isolate: true } },
    ],
  },
});
