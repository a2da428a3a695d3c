import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PACKAGE_ROOT, ptefuzzInvocation } from '../../src/cli/invocation';

const ROOT = join(__dirname, '..', '..');

describe('ptefuzzInvocation: the start of a command printed for the user to paste', () => {
  test('the package root is the folder holding bin/ptefuzz.js', () => {
    expect(PACKAGE_ROOT).toBe(ROOT);
  });
  test('inside the ptefuzz folder (or below it): npx ptefuzz', () => {
    expect(ptefuzzInvocation(ROOT, ROOT)).toBe('npx ptefuzz');
    expect(ptefuzzInvocation(join(ROOT, 'corpus', 'litmus'), ROOT)).toBe('npx ptefuzz');
  });
  test('in a folder with neither: node and the absolute path of bin/ptefuzz.js, never a registry lookup', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'ptefuzz-user-'));
    expect(ptefuzzInvocation(scratch, ROOT)).toBe(`node ${join(ROOT, 'bin', 'ptefuzz.js')}`);
    expect(ptefuzzInvocation(scratch, '/opt/my tools/ptefuzz')).toBe(`node '/opt/my tools/ptefuzz/bin/ptefuzz.js'`);
  });
  test('below a project that installed ptefuzz (node_modules/.bin/ptefuzz): npx ptefuzz', () => {
    const project = mkdtempSync(join(tmpdir(), 'ptefuzz-project-'));
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    writeFileSync(join(project, 'node_modules', '.bin', 'ptefuzz'), '');
    mkdirSync(join(project, 'readers'));
    expect(ptefuzzInvocation(join(project, 'readers'), ROOT)).toBe('npx ptefuzz');
  });
});

describe('a removed working folder', () => {
  test('printed commands start with node and the absolute path of bin/ptefuzz.js', () => {
    expect(ptefuzzInvocation(undefined, '/opt/my tools/ptefuzz')).toBe(`node '/opt/my tools/ptefuzz/bin/ptefuzz.js'`);
  });
  test('ptefuzz says so in one line, exit 2, no stack trace', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'ptefuzz-gone-'));
    mkdirSync(join(scratch, 'gone'));
    // the shell enters the folder, removes it, then starts ptefuzz there
    const bin = join(ROOT, 'bin', 'ptefuzz.js');
    const script = 'cd gone && rmdir ../gone && exec node "$0" list';
    const r = spawnSync('sh', ['-c', script, bin], { cwd: scratch, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('ptefuzz: the working folder no longer exists (it was removed); cd to an existing folder\n');
    expect(r.stdout).toBe('');
  });
});
