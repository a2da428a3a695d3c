/**
 * The test run's globalSetup skips the build when dist/ is already the build of src/ (test/support/build.ts
 * `distIsCurrent`): a wrong "current" would run every e2e test against an old CLI, so each way dist/ can be
 * stale is checked on a scratch tree.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { distIsCurrent } from '../support/build';

describe('distIsCurrent', () => {
  let root = '';
  /** write `rel` below root with its mtime `t` seconds after the epoch */
  const put = (rel: string, t: number): void => {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, '');
    utimesSync(p, t, t);
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ptefuzz-dist-current-'));
    put('tsconfig.json', 100);
    put('tsconfig.build.json', 100);
    put('src/a.ts', 200);
    put('src/sub/b.ts', 200);
    put('src/types.d.ts', 900); // declarations emit nothing
    put('dist/a.js', 300);
    put('dist/sub/b.js', 300);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('every output newer than every input: current', () => {
    expect(distIsCurrent(root)).toBe(true);
  });
  test('a source edited after the build: not current', () => {
    put('src/sub/b.ts', 400);
    expect(distIsCurrent(root)).toBe(false);
  });
  test('a tsconfig edited after the build: not current', () => {
    put('tsconfig.build.json', 400);
    expect(distIsCurrent(root)).toBe(false);
  });
  test('an output deleted: not current', () => {
    rmSync(join(root, 'dist', 'sub', 'b.js'));
    expect(distIsCurrent(root)).toBe(false);
  });
  test('a new source file: not current', () => {
    put('src/c.ts', 250);
    expect(distIsCurrent(root)).toBe(false);
  });
  test('no dist/: not current', () => {
    rmSync(join(root, 'dist'), { recursive: true });
    expect(distIsCurrent(root)).toBe(false);
  });
});
