import { describe, expect, test } from 'vitest';
import { Packr } from 'msgpackr';
import type { CrashFile } from '../../src/crash';
import { CRASH_VERSION, CrashFileError, crashFileName, decodeCrash, encodeCrash, fingerprint } from '../../src/crash';

const sample: CrashFile = {
  format: 'ptefuzz-crash',
  version: CRASH_VERSION,
  scenario: { name: 's1-pae-double-refault', source: 'builtin', text: 'scenario s1-pae-double-refault\n' },
  reader: 'ptep_get_lockless',
  contract: 'non-torn',
  model: 'sc',
  trace: [1, 0, 2, 3],
  signature: 'pte_high←v2 pte_low←v4',
  verdict: { kind: 'divergence', class: 'torn', observed: '0x1000200010067', allowed: ['0x1000100010067', '0x0'] },
  engine: 'random',
  seed: '1',
  tool: '0.1.0',
};

const err = (buf: Uint8Array): string => {
  try {
    decodeCrash(buf, 'crashes/x.msgpack');
  } catch (e) {
    expect(e).toBeInstanceOf(CrashFileError);
    return (e as Error).message;
  }
  throw new Error('decoded a bad file');
};

describe('crash file format', () => {
  test('round trip, byte-stable', () => {
    const a = encodeCrash(sample);
    expect(decodeCrash(a, 'f')).toEqual(sample);
    expect(Buffer.compare(encodeCrash(decodeCrash(a, 'f')), a)).toBe(0);
  });
  test('fingerprint: the witness signature and class, not engine, seed, tool or exact trace', () => {
    expect(fingerprint(sample)).toBe(
      fingerprint({ ...sample, engine: 'jsfuzz', seed: '9', tool: '9.9.9', trace: [2, 2] } as CrashFile),
    );
    expect(fingerprint(sample)).not.toBe(fingerprint({ ...sample, signature: 'pte_low←v0 pte_high←v1' }));
    expect(fingerprint(sample)).not.toBe(fingerprint({ ...sample, model: 'tso' }));
    expect(crashFileName(sample)).toMatch(
      /^s1-pae-double-refault\.ptep_get_lockless\.non-torn\.sc\.torn\.[0-9a-f]{12}\.msgpack$/,
    );
  });
  test('a reduced scenario: dropped round-trips, is not part of the fingerprint, and a bad one is refused', () => {
    const reduced: CrashFile = {
      ...sample,
      scenario: { ...sample.scenario, dropped: ['cpu C "fault, MADV_DONTNEED"'] },
    };
    const a = encodeCrash(reduced);
    expect(decodeCrash(a, 'f')).toEqual(reduced);
    expect(Buffer.compare(encodeCrash(decodeCrash(a, 'f')), a)).toBe(0);
    // a file without drops keeps its bytes; what was dropped is not part of the bug's identity (same reads, same class)
    expect(
      Buffer.compare(encodeCrash({ ...sample, scenario: { ...sample.scenario, dropped: [] } }), encodeCrash(sample)),
    ).toBe(0);
    expect(fingerprint(reduced)).toBe(fingerprint(sample));
    expect(fingerprint(reduced)).toBe(
      fingerprint({ ...reduced, scenario: { ...reduced.scenario, dropped: ['cpu D "fault"'] } }),
    );
    expect(fingerprint(reduced)).not.toBe(fingerprint({ ...reduced, signature: `${reduced.signature} ` }));
    const p = new Packr({ useRecords: false, moreTypes: false });
    const raw = p.unpack(a) as Record<string, Record<string, unknown>>;
    expect(err(p.pack({ ...raw, scenario: { ...raw['scenario'], dropped: 'cpu C' } }))).toBe(
      'crashes/x.msgpack: field "scenario.dropped": expected a non-empty array of strings, beside the reduced scenario text',
    );
    // an entry the minimizer would not write: was shown as "dropped from foo"
    for (const bad of ['foo', '', 'cpu', 'cpu C "fault":', 'cpu C "fault" extra'])
      expect(err(p.pack({ ...raw, scenario: { ...raw['scenario'], dropped: [bad] } })), bad).toBe(
        'crashes/x.msgpack: field "scenario.dropped": expected each entry `cpu NAME "LABEL"` (a CPU dropped) or `cpu NAME "LABEL": CALL, …` (calls dropped from it)',
      );
    for (const good of [
      'cpu B',
      'cpu C: fault(pte)',
      'cpu CPU1 "walk, access via TLB": tlb_use(va)',
      'cpu C "a \\"quoted\\" label"',
    ])
      expect(
        () => decodeCrash(p.pack({ ...raw, scenario: { ...raw['scenario'], dropped: [good] } }), 'x'),
        good,
      ).not.toThrow();
  });
  test('truncated file: one line naming the file', () => {
    const buf = encodeCrash(sample);
    const msg = err(buf.subarray(0, buf.length - 7));
    expect(msg).toMatch(/^crashes\/x\.msgpack: /);
    expect(msg).not.toContain('\n');
  });
  test('garbage file', () => {
    expect(err(Buffer.from('this is not msgpack at all \x00\xff'))).toMatch(/^crashes\/x\.msgpack: not a/);
  });
  test('unknown format version', () => {
    const p = new Packr({ useRecords: false });
    expect(err(p.pack({ ...sample, version: 99 }))).toBe(
      `crashes/x.msgpack: unsupported crash file format version 99 (this ptefuzz reads versions 1, 2 and 3)`,
    );
  });
  test('a timeout that lasted Infinity seconds is refused', () => {
    const p = new Packr({ useRecords: false });
    const verdict = { kind: 'timeout', class: 'timeout', seconds: Infinity, step: 0, cpu: 0, detail: 'x' };
    expect(err(p.pack({ ...sample, version: 3, verdict }))).toBe(
      'crashes/x.msgpack: field "verdict.seconds": expected a positive number',
    );
  });
  test('a version-1 file carrying a field version 1 never had is refused, naming the field', () => {
    // was: a v1 file's scenario.text, dropped and program were not looked at — a v2 reduced file with its version
    // set to 1 replayed the built-in by name, its stored program silently ignored
    const p = new Packr({ useRecords: false });
    const v1 = { ...sample, version: 1, scenario: { name: sample.scenario.name, source: 'builtin' } };
    expect(decodeCrash(p.pack(v1), 'f').scenario).toEqual(v1.scenario);
    for (const [field, value] of [
      ['text', 'scenario s1-pae-double-refault\n'],
      ['text', 5],
      ['dropped', ['cpu C "fault"']],
      ['program', 7],
      ['program', '0123456789abcdef'],
    ] as const) {
      expect(err(p.pack({ ...v1, scenario: { ...v1.scenario, [field]: value } })), field).toBe(
        `crashes/x.msgpack: field "scenario.${field}": not in format version 1 (a version-1 file names a built-in only; version 2 added it): the file was edited or damaged`,
      );
    }
  });
  test('a free-text field holding a control character is refused, naming the field; a tab is kept', () => {
    // was: `show` printed engine, seed and tool as they were (an ANSI escape drove the terminal, a newline split
    // the line), and verdict.detail, documented as one line, could hold several
    const p = new Packr({ useRecords: false });
    const timeout = { kind: 'timeout', class: 'timeout', seconds: 1, step: 3, cpu: 0, detail: 'x' };
    const consumer = { ...sample.verdict, detail: 'x' };
    const reduced = { ...sample.scenario, dropped: ['cpu C'] };
    const module = { path: 'r.js', sha256: 'ab'.repeat(32) };
    const ONE_LINE = 'one line of text (no control character but a tab: no newline, no terminal escape)';
    for (const bad of ['a\u001b[31mred', 'two\nlines', 'cr\r', 'nul\u0000', 'del\u007f', 'csi\u009b2J']) {
      for (const f of ['signature', 'engine', 'seed', 'tool'])
        expect(err(p.pack({ ...sample, [f]: bad })), `${f} ${JSON.stringify(bad)}`).toBe(
          `crashes/x.msgpack: field "${f}": expected ${ONE_LINE}`,
        );
      expect(err(p.pack({ ...sample, verdict: { ...consumer, detail: bad } }))).toBe(
        `crashes/x.msgpack: field "verdict.detail": expected ${ONE_LINE}`,
      );
      expect(err(p.pack({ ...sample, version: 3, verdict: { ...timeout, detail: bad } }))).toBe(
        `crashes/x.msgpack: field "verdict.detail": expected ${ONE_LINE}`,
      );
      expect(err(p.pack({ ...sample, scenario: { ...reduced, dropped: ['cpu C', bad] } }))).toBe(
        `crashes/x.msgpack: field "scenario.dropped": expected each entry ${ONE_LINE}`,
      );
      expect(err(p.pack({ ...sample, readerModule: { ...module, path: bad } }))).toBe(
        `crashes/x.msgpack: field "readerModule.path": expected a path, ${ONE_LINE}`,
      );
    }
    const tab = 'a\tb';
    const kept: CrashFile = {
      ...sample,
      scenario: reduced,
      readerModule: { ...module, path: tab },
      signature: tab,
      engine: tab,
      seed: tab,
      tool: tab,
      verdict: { ...consumer, detail: tab },
    };
    expect(decodeCrash(encodeCrash(kept), 'f')).toEqual(kept);
  });
  test("readerModule.sha256: a module source's sha256", () => {
    const p = new Packr({ useRecords: false });
    for (const sha256 of ['', 'ab'.repeat(31), 'AB'.repeat(32), 'ab'.repeat(32) + '\n'])
      expect(err(p.pack({ ...sample, readerModule: { path: 'r.js', sha256 } }))).toBe(
        'crashes/x.msgpack: field "readerModule.sha256": expected 64 lowercase hex digits (the sha256 of the module source)',
      );
  });
  test('a timeout: step a non-negative safe integer, cpu ≥ -1, step 0 before the first step', () => {
    const p = new Packr({ useRecords: false });
    const timeout = { kind: 'timeout', class: 'timeout', seconds: 1, step: 3, cpu: 0, detail: 'x' };
    const bad = (v: object): string => err(p.pack({ ...sample, version: 3, verdict: { ...timeout, ...v } }));
    for (const step of [-1, 1.5, 2 ** 53, Infinity, '3'])
      expect(bad({ step }), String(step)).toBe(
        'crashes/x.msgpack: field "verdict.step": expected a non-negative safe integer',
      );
    expect(bad({ cpu: -2 })).toBe('crashes/x.msgpack: field "verdict.cpu": expected an integer ≥ -1');
    expect(bad({ cpu: -1, step: 4 })).toBe(
      'crashes/x.msgpack: field "verdict.step": expected 0 with cpu -1 (a hang before the first step)',
    );
    expect(
      decodeCrash(p.pack({ ...sample, version: 3, verdict: { ...timeout, cpu: -1, step: 0 } }), 'f').verdict,
    ).toEqual({ ...timeout, cpu: -1, step: 0 });
  });
  test('a field of the wrong type', () => {
    const p = new Packr({ useRecords: false });
    expect(err(p.pack({ ...sample, trace: ['a'] }))).toBe(
      'crashes/x.msgpack: field "trace": expected an array of non-negative integers',
    );
  });
});
