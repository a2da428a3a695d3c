/**
 * The new user's path, run from a scratch folder outside the repository (node /path/to/bin/ptefuzz.js …),
 * as a kernel developer following README.md would.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, cli, hasStackTrace } from '../support/cli';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-journey-'));
const BUGGY = join(ROOT, 'harness', 'readers', 'pae-buggy.js');

describe('a user outside the repository', () => {
  test('the printed replay command runs as pasted (no `npx ptefuzz` that would ask the npm registry)', () => {
    const cwd = scratch();
    const r = cli(
      [
        ...['fuzz', '--reader-module', BUGGY, '--reader', 'ptep_get_recheck_high'],
        ...['--scenario', 's2-pae-zap-reestablish', '--model', 'sc', '--runs', '200', '--seed', '1'],
        ...['--crashes', 'crashes', '--corpus', 'corpus'],
      ],
      cwd,
    );
    expect(r.code).toBe(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
    const lines = r.stderr.split('\n').filter((l) => l.includes(' replay --reader-module '));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).not.toContain('npx ptefuzz');
    const cmd = lines[lines.length - 1]!.trim();
    expect(cmd.startsWith(`node ${join(ROOT, 'bin', 'ptefuzz.js')} replay --reader-module ${BUGGY} crashes/`)).toBe(
      true,
    );
    const rep = spawnSync('/bin/sh', ['-c', cmd], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` },
    });
    expect(rep.stdout).toContain('REPRODUCED crashes/');
    expect(rep.status).toBe(0);
  });

  test('a module reader diverging where every reader diverges (the S10 control) is told so, not left to look guilty', () => {
    const cwd = scratch();
    const r = cli(
      [
        ...['fuzz', '--reader-module', BUGGY, '--reader', 'ptep_get_lockless_normb'],
        ...['--scenario', 's10-pae-dontneed-refault-free-before-flush', '--scenario', 's2-pae-zap-reestablish'],
        ...['--model', 'sc', '--runs', '60', '--seed', '1', '--crashes', 'crashes', '--corpus', 'corpus'],
      ],
      cwd,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^s10-pae-dontneed-refault-free-before-flush +ptep_get_lockless_normb .* divergence$/m);
    const notes = r.stderr.split('\n').filter((l) => l.startsWith('note: '));
    expect(notes).toEqual([
      'note: every reader s10-pae-dontneed-refault-free-before-flush names is expected to diverge (ptep_get_lockless, ' +
        'ptep_get, ptep_get_atomic64: expect bug) — the kernel path it models is broken whatever the reader, so a ' +
        'divergence of ptep_get_lockless_normb there does not single it out',
    ]);
  });
});
