/**
 * The worker threads of a finished `fuzz` campaign are kept idle for the next campaign of the same process
 * (src/cli/worker-pool.ts): the next campaign runs in them, and gives exactly what it gives in fresh workers.
 * In-process (`main`), as the tests that run campaigns back to back do; the campaigns use --jobs 2, so the
 * corpus exchange's port goes to a reused worker too.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { drainWorkerPool, workerStarts } from '../../src/cli/worker-pool';
import { S1_SCN, S2_SCN } from '../../src/scenario/builtin';
import { paeReaderModule } from '../support/hang-readers';
import type { Outcome } from '../support/self-fuzz';
import { runInProcess } from '../support/self-fuzz';

/** Every file under `dir`, by its path there, as its sha256. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/**
 * The reader `ptep_get_pooled`, reading the two halves in the order given (the same name, two behaviours), and
 * writing `note` on stderr at each of its calls in a worker thread (the main thread loads and checks it too): lines
 * a worker writes while its campaign runs, never returning to its event loop.
 */
const reader = (first: 'low' | 'high', second: 'low' | 'high', note: string): string =>
  paeReaderModule({
    name: 'ptep_get_pooled',
    source: `test: ${first}, then ${second}`,
    summary: `${first}, ${second}`,
    requires: "const wt = require('node:worker_threads');\n",
    start: `  if (!wt.isMainThread) console.error(${JSON.stringify(note)});\n`,
    body: `  const ${first} = yield plain_read(ptep.${first});
  const ${second} = yield plain_read(ptep.${second});
  const pte = kernel.paeValue(high, low);
  yield end(pte);
  return pte;
`,
  });

/**
 * The summary (--json) without its timings, nor when each divergence was first met (the campaign's executions then:
 * with two jobs, they depend on how far the other job had got).
 */
const summary = (o: Outcome): unknown =>
  JSON.parse(o.stdout, (k, v: unknown) => (['seconds', 'execsPerSec', 'first'].includes(k) ? undefined : v));

describe('fuzz campaigns back to back in one process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-pool-'));
  const cwd = process.cwd();
  afterAll(() => process.chdir(cwd));
  // one .scn path and one module path, each rewritten for the second campaign (as the self-fuzz tests do)
  const scn = join(dir, 'v.scn');
  const mod = join(dir, 'r.js');
  const fuzz = (seed: string): Promise<Outcome> =>
    runInProcess([
      'fuzz',
      '--scenario',
      scn,
      '--reader-module',
      mod,
      '--runs',
      '300',
      '--seed',
      seed,
      '--jobs',
      '2',
      '--crashes',
      'c',
      '--corpus',
      'k',
      '--json',
    ]);

  test('the second runs in the first one’s workers, and gives what it gives in fresh workers', async () => {
    process.chdir(dir);
    await drainWorkerPool();
    const s0 = workerStarts();
    writeFileSync(scn, S2_SCN);
    writeFileSync(mod, reader('low', 'high', 'campaign A read'));
    const a = await fuzz('1');
    expect(a.code).toBe(1);
    expect(a.stderr).toContain('campaign A read');
    expect(workerStarts() - s0).toBe(2);
    rmSync('c', { recursive: true });
    rmSync('k', { recursive: true });

    writeFileSync(scn, S1_SCN);
    writeFileSync(mod, reader('high', 'low', 'campaign B read'));
    const reused = await fuzz('2');
    // no worker started: both of A's were given B
    expect(workerStarts() - s0).toBe(2);
    const files = { c: tree('c'), k: tree('k') };
    rmSync('c', { recursive: true });
    rmSync('k', { recursive: true });

    await drainWorkerPool();
    const fresh = await fuzz('2');
    expect(workerStarts() - s0).toBe(4);

    expect(fresh.code).toBe(1);
    expect(reused.code).toBe(fresh.code);
    expect(summary(reused)).toEqual(summary(fresh));
    expect(files).toEqual({ c: tree('c'), k: tree('k') });
    expect(Object.keys(files.c).length).toBeGreaterThan(0);
    expect(Object.keys(files.k).length).toBeGreaterThan(0);
    // B's module, not A's: its workers wrote its line at each call, all before the summary table the main thread
    // wrote after their `done` (a worker that lives on after its campaign must not be left holding some)
    const calls = (o: Outcome): number => o.stderr.split('\n').filter((l) => l === 'campaign B read').length;
    expect(calls(fresh)).toBeGreaterThan(0);
    expect(calls(reused)).toBe(calls(fresh));
    for (const o of [reused, fresh]) {
      expect(o.stderr).not.toContain('campaign A read');
      const table = o.stderr.search(/^scenario +reader +contract/m);
      expect(table).toBeGreaterThan(0);
      expect(o.stderr.lastIndexOf('campaign B read')).toBeLessThan(table);
    }
  });
});
