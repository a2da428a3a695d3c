/**
 * The self-fuzzer's oracle (test/support/self-fuzz.ts `violation`) catches
 * what it must: without this, a green self-fuzz run could mean a blind oracle.
 */
import { describe, expect, test } from 'vitest';
import { createRng } from '../../src/engines/rng';
import { mutateBytes, mutateCrash, mutateText, runInProcess, violation } from '../support/self-fuzz';

const ok = { code: 2, stdout: '', stderr: 'ptefuzz: f.scn:1:1: expected a name, found U+0000 (a control character)\n' };

describe('self-fuzz oracle', () => {
  test('accepts a one-line usage error naming the file, and exits 0 and 1', () => {
    expect(violation(ok, 'f.scn')).toBeUndefined();
    expect(violation({ code: 0, stdout: 'x', stderr: '' })).toBeUndefined();
    expect(violation({ code: 1, stdout: '', stderr: 'DIVERGENCE\n' })).toBeUndefined();
  });

  test('flags every broken rule', () => {
    const trace = 'ptefuzz: boom\n    at f (/src/x.ts:1:2)\n';
    expect(violation({ code: 2, stdout: '', stderr: trace })).toBe('stack trace on stderr');
    expect(violation({ code: 3, stdout: '', stderr: '' })).toBe('exit code 3');
    expect(violation({ code: undefined, stdout: '', stderr: '', threw: new TypeError('x') })).toMatch(
      /^main\(\) rejected/,
    );
    expect(violation({ code: 2, stdout: '', stderr: 'ptefuzz: [ptefuzz internal bug] x\n' })).toBe(
      'internal bug on stderr',
    );
    expect(violation({ code: 2, stdout: '', stderr: 'TypeError: x is undefined\n' })).toBe(
      'a JavaScript error on stderr',
    );
    expect(violation({ code: 2, stdout: '', stderr: '' })).toBe('exit 2 without a "ptefuzz: …" line');
    expect(violation({ code: 2, stdout: '', stderr: 'ptefuzz: found \u0000\n' })).toBe(
      'a raw control character or U+FFFD on stderr',
    );
    expect(violation({ code: 2, stdout: '', stderr: 'ptefuzz: found \ufffd\n' })).toBe(
      'a raw control character or U+FFFD on stderr',
    );
    expect(violation(ok, 'g.scn')).toBe('exit 2 without naming g.scn');
  });

  test('runInProcess captures what main() prints and its exit code', async () => {
    const o = await runInProcess(['explore']);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/^ptefuzz: /);
    const l = await runInProcess(['list']);
    expect(l.code).toBe(0);
    expect(l.stdout).toContain('s1-pae-double-refault');
  });

  test('mutators are deterministic for a seed and change their input', () => {
    const text = 'cpu A {\n  x = 1\n}\n';
    const bytes = Buffer.from([0x81, 0xa1, 0x61, 0x01]);
    const run = (seed: string): string[] => {
      const rng = createRng(seed);
      return Array.from({ length: 20 }, () =>
        [
          mutateText(rng, text).toString('hex'),
          mutateBytes(rng, bytes).toString('hex'),
          mutateCrash(rng, bytes).toString('hex'),
        ].join(),
      );
    };
    expect(run('s')).toEqual(run('s'));
    expect(run('s')).not.toEqual(run('t'));
    expect(run('s').filter((v) => v.startsWith(Buffer.from(text).toString('hex') + ',')).length).toBeLessThan(20);
  });
});
