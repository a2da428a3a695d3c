import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, cli, cliInProcess } from '../support/cli';

/** A user's own .scn file: fuzz it, then replay the crash file after the .scn file is gone. */
describe('--scenario FILE.scn', () => {
  test('fuzz finds the S2 -samelow torn read in a user file; the crash file replays without the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-scn-'));
    try {
      const text = readFileSync(join(ROOT, 'corpus', 'mailing-list', 's2-pae-zap-reestablish-samelow.scn'), 'utf8')
        .replace('scenario s2-pae-zap-reestablish-samelow\n', '')
        .replace('reader ptep_get expect bug\n', '');
      const scn = join(dir, 'my-samelow.scn');
      writeFileSync(scn, text);
      const crashes = join(dir, 'crashes');
      // seed 1 finds it at run 81 (whatever --runs)
      const f = cli([
        'fuzz',
        '--scenario',
        scn,
        '--reader',
        'ptep_get_lockless',
        '--model',
        'sc',
        '--runs',
        '500',
        '--seed',
        '1',
        '--crashes',
        crashes,
      ]);
      expect(f.code).toBe(1);
      const files = readdirSync(crashes);
      expect(files.length).toBeGreaterThan(0);
      expect(files[0]!.startsWith('my-samelow.ptep_get_lockless.non-torn.sc.torn.')).toBe(true);
      rmSync(scn);
      // fuzz above as a process; replay and show in this process
      const r = await cliInProcess(['replay', join(crashes, files[0]!)]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('REPRODUCED');
      const s = await cliInProcess(['show', join(crashes, files[0]!)]);
      expect(s.stdout).toContain('scenario (file, as stored in the crash file):');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('fuzz --jobs 2 on a user .scn file: the workers lower its text and find the torn read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-scn-'));
    try {
      const text = readFileSync(join(ROOT, 'corpus', 'mailing-list', 's2-pae-zap-reestablish.scn'), 'utf8').replace(
        'scenario s2-pae-zap-reestablish\n',
        '',
      );
      const scn = join(dir, 'my-s2.scn');
      writeFileSync(scn, text);
      const run = async (jobs: string, crashes: string): Promise<string[]> => {
        const f = await cliInProcess(
          ['fuzz', '--scenario', scn, '--reader', 'ptep_get', '--model', 'sc', '--runs', '200'].concat([
            '--seed',
            '1',
            '--jobs',
            jobs,
            '--crashes',
            crashes,
          ]),
        );
        expect(f.stderr).not.toContain('Error');
        expect(f.code).toBe(1);
        return readdirSync(crashes).sort();
      };
      const two = await run('2', join(dir, 'c2'));
      expect(two.length).toBeGreaterThan(0);
      expect(two.every((f) => f.startsWith('my-s2.ptep_get.non-torn.sc.torn.'))).toBe(true);
      expect((await cliInProcess(['replay', join(dir, 'c2')])).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('explore on a .scn file prints the same block as on the built-in of the same text', async () => {
    // one crash folder for both: the same divergence is the same file, named the same in both outputs
    const crashes = join(mkdtempSync(join(tmpdir(), 'ptefuzz-scn-explore-')), 'crashes');
    const a = await cliInProcess([
      'explore',
      '--scenario',
      'corpus/mailing-list/s2-pae-zap-reestablish.scn',
      '--model',
      'sc',
      '--crashes',
      crashes,
    ]);
    const b = await cliInProcess([
      'explore',
      '--scenario',
      's2-pae-zap-reestablish',
      '--model',
      'sc',
      '--crashes',
      crashes,
    ]);
    expect(a.code).toBe(1);
    expect(a.stdout).toBe(b.stdout);
  });
  test('check: OK lines for the whole corpus, exit 0', async () => {
    const files = readdirSync(join(ROOT, 'corpus', 'mailing-list'))
      .filter((f) => f.endsWith('.scn'))
      .map((f) => `corpus/mailing-list/${f}`);
    const r = await cliInProcess(['check', ...files, 'corpus/litmus/MP.litmus']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(files.length + 1);
    expect(r.stdout).toContain(
      'OK corpus/litmus/MP.litmus: test MP — 2 CPUs, locations x:u32 y:u32; exists (1:r0=1 /\\ 1:r1=0)',
    );
  });
  test('matrix refuses a raw test with a one-line pointer to fuzz/explore/litmus; fuzz runs it (fuzz-litmus.test.ts)', async () => {
    const r = await cliInProcess(['matrix', '--scenario', 'corpus/litmus/MP.litmus', '--runs', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'ptefuzz: corpus/litmus/MP.litmus is a test judged by its condition (no pte, no reader): run it with `ptefuzz fuzz --scenario corpus/litmus/MP.litmus`, `ptefuzz explore --scenario corpus/litmus/MP.litmus` or `ptefuzz litmus corpus/litmus/MP.litmus`',
    );
    const f = await cliInProcess(['fuzz', '--scenario', 'corpus/litmus/MP.litmus', '--runs', '1', '--seed', '1']);
    expect([0, 1]).toContain(f.code);
    expect(f.stderr).toMatch(/^MP weak: /m);
  });
});

describe('ptefuzz list', () => {
  test('lists the registered operations with their signatures', async () => {
    const r = await cliInProcess(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  set_pte(pte, value, barriers=true)  [x86-pae]');
    expect(r.stdout).toContain('  ptep_get_and_clear(pte, era=now)  [x86-pae]');
  });
});
