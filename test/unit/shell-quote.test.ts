import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { shellQuote } from '../../src/crash';
import type { CrashFile } from '../../src/crash';
import { loadCrash } from '../../src/crash';
import { crashTarget } from '../../src/campaign';
import { builtinReaders } from '../../src/kernel';

describe('shellQuote: commands printed for the user to paste', () => {
  test('ordinary paths stay as they are (existing output unchanged)', () => {
    for (const p of ['crashes/s1.ptep_get.non-torn.tso.torn.0123456789ab.msgpack', '/tmp/x-1/a_b.c+d@e', 'a=b:c,d%'])
      expect(shellQuote(p)).toBe(p);
  });
  test('anything else is single-quoted, POSIX style', () => {
    expect(shellQuote('my crashes/x.msgpack')).toBe(`'my crashes/x.msgpack'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe(`''`);
    expect(shellQuote('~/x')).toBe(`'~/x'`);
  });
  test('sh reads every quoted argument back unchanged', () => {
    const args = ['a b', "it's", '$(echo no)', '`x`', 'a;b|c&d', '*', '~', '-\\n\t', 'é ü', '"'];
    const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${args.map(shellQuote).join(' ')}`], {
      encoding: 'utf8',
    });
    expect(out.split('\0').slice(0, -1)).toEqual(args);
  });
});

describe('the needs --reader-module hint of a crash file recorded with a reader module', () => {
  test('names the module path as a shell reads it back', () => {
    const file = 'crashes/s1-pae-double-refault.ptep_get.non-torn.tso.torn.0ef240fd24fe.msgpack';
    const c: CrashFile = {
      ...loadCrash(file),
      reader: 'ptep_get_from_module',
      readerModule: { path: "my readers/it's.js", sha256: 'ab'.repeat(32) },
    };
    expect(() => crashTarget(c, file, builtinReaders())).toThrow(
      `needs --reader-module 'my readers/it'\\''s.js' (sha256 abababababab…)`,
    );
  });
});
