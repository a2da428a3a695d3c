import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** Test files that replace a module (vi.mock): each runs in a fresh process of its own. */
const MOCKING = ['test/unit/unlistable-folders.test.ts', 'test/unit/fsync-policy.test.ts'];

/** Both projects' settings (not `extends: true`: a project extending the root would run globalSetup again). */
const common = { testTimeout: 120_000, hookTimeout: 120_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    // vitest's default is one worker fewer than the CPUs: one worker on a 2-core machine, idle half the time
    // while a test waits on a child process or a worker thread; two test files side by side use both cores
    maxWorkers: Math.max(2, availableParallelism() - 1),
    globalSetup: ['test/support/build.ts'],
    projects: [
      // a worker process runs file after file without re-importing src/ for each (no test file changes
      // global state it does not restore: the self-fuzz files restore the cwd and the output streams)
      { test: { ...common, name: 'shared', include: ['test/**/*.test.ts'], exclude: MOCKING, isolate: false } },
      { test: { ...common, name: 'isolated', include: MOCKING, isolate: true } },
    ],
  },
});
