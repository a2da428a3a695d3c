/**
 * Regressions found by the self-fuzzer (test/e2e/self-fuzz.test.ts): an error
 * line quoting a bad input must stay one readable terminal line.
 */
import { describe, expect, test } from 'vitest';
import { Packr } from 'msgpackr';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CrashFileError, decodeCorpusEntry, decodeCrash } from '../../src/crash';
import { ScenarioError, lex, printable } from '../../src/scenario';
import { UsageError } from '../../src/campaign';
import { runInProcess } from '../support/self-fuzz';

const lexError = (src: string): string => {
  try {
    lex(src, 'f.scn', { lines: true });
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error('no error');
};

const crashError = (buf: Uint8Array, decode: (b: Uint8Array, f: string) => unknown = decodeCrash): string => {
  try {
    decode(buf, 'x.msgpack');
  } catch (e) {
    expect(e).toBeInstanceOf(CrashFileError);
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('bad characters in error lines', () => {
  test('a byte that is not UTF-8 is named by position and code point, not sent raw', () => {
    const text = Buffer.concat([Buffer.from('scenario s\ntitle '), Buffer.from([0xff]), Buffer.from('\n')]);
    expect(lexError(text.toString('utf8'))).toBe(
      'f.scn:2:7: expected a name, a number, a string or punctuation, found U+FFFD (what a byte that is not UTF-8 reads as: is this a text file?)',
    );
  });

  test('control characters are named, never printed', () => {
    expect(lexError('cpu A \u0000')).toBe(
      'f.scn:1:7: expected a name, a number, a string or punctuation, found U+0000 (a control character)',
    );
    // ESC would start a terminal escape sequence
    expect(lexError('\u001b[2J')).toMatch(/found U\+001B \(a control character\)$/);
  });

  test('a character outside the BMP is quoted whole, not as half a surrogate pair', () => {
    expect(lexError('cpu 😀')).toBe("f.scn:1:5: expected a name, a number, a string or punctuation, found '😀'");
  });

  test('messages of user errors escape what they quote (a string token, a flag value)', () => {
    expect(new ScenarioError('f.scn', 1, 2, 'found "a\u0007b\nc"').message).toBe(
      'f.scn:1:2: found "a\\u{0007}b\\u{000A}c"',
    );
    expect(new UsageError('unknown scenario "s\u001b[31m"').message).toBe('unknown scenario "s\\u{001B}[31m"');
    expect(new CrashFileError('x\u0000.msgpack', 'bad').message).toBe('x\\u{0000}.msgpack: bad');
    expect(printable('tab\tand é stay')).toBe('tab\tand é stay');
  });

  test('through the CLI: a flag value with a control character is escaped on the error line', async () => {
    const o = await runInProcess(['explore', '--scenario', 'no\u0007such']);
    expect(o.code).toBe(2);
    expect(o.stderr).toContain('no\\u{0007}such');
    expect(o.stderr).not.toContain('\u0007');
  });
});

describe('msgpack reasons', () => {
  const packr = new Packr({ useRecords: false, moreTypes: false });
  const valid = readFileSync(join(__dirname, '..', 'fixtures', 'crash-v2.msgpack'));

  test('bytes after the value: a short reason, no dump of the decoded data', () => {
    const msg = crashError(Buffer.concat([valid, Buffer.from([0x01, 0x02])]));
    expect(msg).toBe(
      'x.msgpack: not a readable ptefuzz crash file (msgpack: bytes after the end of the msgpack value)',
    );
    const corpus = crashError(Buffer.concat([packr.pack({ a: 'x'.repeat(500) }), Buffer.from([0])]), decodeCorpusEntry);
    expect(corpus).toBe('x.msgpack: not a readable corpus entry (msgpack: bytes after the end of the msgpack value)');
  });

  test('a map with a map as a key', () => {
    // fixmap of 1 entry: key {} (an empty fixmap), value 2
    expect(crashError(Buffer.from([0x81, 0x80, 0x02]))).toBe(
      'x.msgpack: not a readable ptefuzz crash file (msgpack: a map key that is not a string)',
    );
  });
});
