/**
 * The engines on the command line: `list` shows pct and exhaustive, `fuzz
 * --engine pct` runs a campaign and prints the PCT probability bound when it
 * is clean, and the exhaustive engine is reached through `explore` only.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cli, cliInProcess, hasStackTrace } from '../support/cli';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-pct-'));

interface PctEntry {
  reader: string;
  model: string;
  depth: number;
  cpus: number;
  steps: number;
  runs: number;
  counted: number;
  perRun: number;
  miss: number;
}

describe('engines', () => {
  test('list names coverage, random, pct, exhaustive and jsfuzz', async () => {
    const r = cli(['list', '--json']);
    const c = JSON.parse(r.stdout) as { engines: { name: string }[] };
    expect(c.engines.map((e) => e.name)).toEqual(['coverage', 'random', 'pct', 'exhaustive', 'jsfuzz']);
    expect((await cliInProcess(['list'])).stdout).toMatch(/^ {2}pct {2}PCT \(Burckhardt et al\., ASPLOS 2010\)/m);
  });

  test('fuzz --engine pct on S2 (clean): the bound per target, and the same seed gives the same summary', async () => {
    const args = [
      'fuzz',
      '--scenario',
      's2-pae-zap-reestablish',
      '--reader',
      'ptep_get_lockless',
      '--model',
      'sc',
      '--model',
      'weak',
      '--engine',
      'pct',
      '--runs',
      '2000',
      '--seed',
      '5',
      '--json',
    ];
    const a = cli([...args, '--crashes', tmp()]);
    expect(a.code).toBe(0);
    expect(hasStackTrace(a.stderr)).toBe(false);
    expect(a.stderr).toContain('engine pct (depth 3)');
    expect(a.stderr).toContain('PCT bound (Burckhardt et al., ASPLOS 2010), depth d=3');
    expect(a.stderr).toMatch(/s2-pae-zap-reestablish ptep_get_lockless non-torn sc\s+n=2 k=\d+ p=\S+ N=\d+ P\(miss\)≤/);
    const summary = JSON.parse(a.stdout) as { pct: PctEntry[]; targets: { races: number }[] };
    expect(summary.pct.map((p) => p.model)).toEqual(['sc', 'weak']);
    for (const p of summary.pct) {
      expect(p).toMatchObject({ reader: 'ptep_get_lockless', depth: 3, cpus: 2, runs: 2000 });
      expect(p.perRun).toBeCloseTo(1 / (2 * p.steps ** 2), 12);
      // every counted run used k_i ≥ k, so (1-p)^N ≤ P(miss) bound; 2000 runs make it small
      expect(p.miss).toBeGreaterThanOrEqual((1 - p.perRun) ** p.counted);
      expect(p.miss).toBeLessThan(0.05);
    }
    for (const t of summary.targets) expect(t.races).toBeGreaterThan(100);
    // the same campaign again, in this process
    const b = await cliInProcess([...args, '--crashes', tmp()]);
    const strip = (s: string): unknown => ({ ...(JSON.parse(s) as object), seconds: 0, execsPerSec: 0 });
    expect(strip(b.stdout)).toEqual(strip(a.stdout));
  });

  test('fuzz --engine pct --depth 4 finds S1 under sc; exit 1', async () => {
    // seed 1 first diverges at run 4908 (whatever --runs); 6000 runs leave a margin
    const r = await cliInProcess([
      'fuzz',
      '--scenario',
      's1-pae-double-refault',
      '--reader',
      'ptep_get_lockless',
      '--model',
      'sc',
      '--engine',
      'pct',
      '--depth',
      '4',
      '--runs',
      '6000',
      '--seed',
      '1',
      '--crashes',
      tmp(),
      '--json',
    ]);
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout) as { divergences: { class: string }[] };
    expect(summary.divergences.map((d) => d.class)).toContain('torn');
  });

  test('exhaustive is not a fuzz engine; --depth needs pct', async () => {
    const ex = cli(['fuzz', '--engine', 'exhaustive', '--runs', '1']);
    expect(ex.code).toBe(2);
    expect(ex.stderr).toContain('ptefuzz explore');
    const depth = await cliInProcess(['fuzz', '--depth', '3', '--runs', '1']);
    expect(depth.code).toBe(2);
    expect(depth.stderr.trim().split('\n')).toHaveLength(1);
    expect((await cliInProcess(['fuzz', '--engine', 'pct', '--depth', '0', '--runs', '1'])).code).toBe(2);
  });
});
