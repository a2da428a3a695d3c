/**
 * Regressions found by probing the self-fuzzer's vocabulary: an output path
 * that is not a folder (or not a regular file) is one line naming the flag,
 * exit 2 — not a stack trace —, and an atomic write never replaces a device
 * node or a symbolic link by a regular file.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { writeFileAtomic } from '../../src/crash';
import { runInProcess } from '../support/self-fuzz';
import { ROOT } from '../support/cli';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-out-'));

describe('output folders that are files', () => {
  const s2 = ['--scenario', 's2-pae-zap-reestablish', '--runs', '30', '--seed', '1'];

  test('fuzz --crashes FILE / FILE/sub, --corpus FILE: one line naming the flag, exit 2, before any run', async () => {
    const d = tmp();
    const file = join(d, 'file');
    writeFileSync(file, 'x');
    const a = await runInProcess(['fuzz', ...s2, '--crashes', file, '--corpus', join(d, 'corpus')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(`ptefuzz: --crashes ${file}: is not a folder (expected a folder or a new path)\n`);
    const b = await runInProcess(['fuzz', ...s2, '--engine', 'random', '--crashes', join(file, 'sub')]);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(
      `ptefuzz: --crashes ${join(file, 'sub')}: cannot be created: ${file} is not a folder (expected a folder or a new path)\n`,
    );
    const c = await runInProcess(['fuzz', ...s2, '--crashes', join(d, 'c'), '--corpus', file]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/^ptefuzz: --corpus .*file: is not a folder/);
    expect(readdirSync(d)).toEqual(['file']);
  });

  test("fuzz --corpus DIR with a file where a target's folder should be: one line naming it, exit 2", async () => {
    const d = tmp();
    const file = join(d, 's2-pae-zap-reestablish.ptep_get_lockless.non-torn.sc');
    writeFileSync(file, 'x');
    const r = await runInProcess([
      'fuzz',
      ...s2,
      '--reader',
      'ptep_get_lockless',
      '--model',
      'sc',
      '--corpus',
      d,
      '--crashes',
      join(d, 'c'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `\nptefuzz: ${file}: not a folder (the corpus keeps each target's entries in a folder of this name: move the file away)\n`,
    );
    expect(r.stderr).not.toContain('warning');
  });

  test('matrix --crashes FILE and merge FILE IN: exit 2, one line', async () => {
    const d = tmp();
    const file = join(d, 'file');
    writeFileSync(file, 'x');
    const m = await runInProcess(['matrix', '--scenario', 's2-pae-zap-reestablish', '--runs', '5', '--crashes', file]);
    expect(m.code).toBe(2);
    expect(m.stderr).toBe(`ptefuzz: --crashes ${file}: is not a folder (expected a folder or a new path)\n`);
    mkdirSync(join(d, 'in'));
    const g = await runInProcess(['merge', file, join(d, 'in')]);
    expect(g.code).toBe(2);
    expect(g.stderr).toBe(`ptefuzz: merge: OUT ${file}: is not a folder (expected a folder or a new path)\n`);
  });
});

// Node's recursive mkdirSync loops forever on procfs (mkdir answers ENOENT under /proc, which exists)
describe.skipIf(!existsSync('/proc/self'))('an output folder that cannot be created under /proc', () => {
  test('merge OUT under /proc: exit 2, one line, within the time limit (not a hang)', () => {
    const input = tmp();
    copyFileSync(
      join(
        ROOT,
        'crashes',
        readdirSync(join(ROOT, 'crashes')).find((f) => f.endsWith('.msgpack'))!,
      ),
      join(input, 'a.msgpack'),
    );
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'ptefuzz.js'), 'merge', '/proc/ptefuzz-no-such/out', input],
      {
        encoding: 'utf8',
        timeout: 30_000,
        killSignal: 'SIGKILL',
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'ptefuzz: /proc/ptefuzz-no-such/out: cannot create the folder (no such file or folder, ENOENT)\n',
    );
  });
});

describe('writeFileAtomic on what is not a regular file', () => {
  test('a symbolic link stays a link; the file it points to gets the content', async () => {
    const d = tmp();
    writeFileSync(join(d, 'real.html'), 'old');
    symlinkSync('real.html', join(d, 'link.html'));
    writeFileAtomic(join(d, 'link.html'), 'new');
    expect(lstatSync(join(d, 'link.html')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(d, 'link.html'))).toBe('real.html');
    expect(readFileSync(join(d, 'real.html'), 'utf8')).toBe('new');
    // through the CLI
    const crash = join(ROOT, 'test', 'fixtures', 'crash-v2.msgpack');
    const o = await runInProcess(['show', crash, '--html', join(d, 'link.html')]);
    expect(o.code).toBe(0);
    expect(lstatSync(join(d, 'link.html')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(d, 'real.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/i);
  });

  test('a FIFO (like /dev/stdout) is written as a stream, not replaced by a regular file', async () => {
    const d = tmp();
    const fifo = join(d, 'pipe');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      console.log('SKIP fifo: no mkfifo');
      return;
    }
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.setEncoding('utf8');
    reader.stdout.on('data', (s: string) => (got += s));
    const done = new Promise<void>((res) => reader.on('exit', () => res()));
    writeFileAtomic(fifo, 'through the pipe\n');
    await done;
    expect(got).toBe('through the pipe\n');
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(d)).toEqual(['pipe']);
  });
});
