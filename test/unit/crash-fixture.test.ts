import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Packr } from 'msgpackr';
import { CRASH_VERSION, CrashFileError, decodeCrash, encodeCrash } from '../../src/crash';
import { replayCrash } from '../../src/campaign';
import { builtinReaders } from '../../src/kernel';
import { cli, cliInProcess, hasStackTrace } from '../support/cli';

const FIXTURE = join(__dirname, '..', 'fixtures', 'crash-v1.msgpack');
const bytes = readFileSync(FIXTURE);

/** Format stability (issue 5): a version-1 crash file written by an earlier ptefuzz keeps working. */
describe('crash file fixture, format version 1', () => {
  test('decodes', () => {
    const c = decodeCrash(bytes, FIXTURE);
    expect(c.format).toBe('ptefuzz-crash');
    expect(c.version).toBe(1);
    expect(CRASH_VERSION).toBe(2); // a bump needs a new fixture and a migration, not an edit of this one
    expect(c.scenario).toEqual({ name: 's1-pae-double-refault', source: 'builtin' });
    expect([c.reader, c.contract, c.model, c.verdict.class]).toEqual(['ptep_get_lockless', 'non-torn', 'sc', 'torn']);
    expect(c.trace.length).toBeGreaterThan(0);
  });
  test('replays its recorded verdict', () => {
    const c = decodeCrash(bytes, FIXTURE);
    const r = replayCrash(c, FIXTURE, builtinReaders());
    expect(c.verdict.kind === 'divergence' && r.observed).toBe(c.verdict.kind === 'divergence' && c.verdict.observed);
    expect(r.reproduced).toBe(true);
  });
  test('re-encodes to the same bytes', () => {
    expect(Buffer.compare(encodeCrash(decodeCrash(bytes, FIXTURE)), bytes)).toBe(0);
  });
  test('a newer version is refused with one line naming the file', () => {
    const p = new Packr({ useRecords: false });
    const newer = p.pack({ ...(p.unpack(bytes) as object), version: 4 });
    expect(() => decodeCrash(newer, 'crashes/future.msgpack')).toThrow(CrashFileError);
    expect(() => decodeCrash(newer, 'crashes/future.msgpack')).toThrow(
      'crashes/future.msgpack: unsupported crash file format version 4 (this ptefuzz reads versions 1, 2 and 3)',
    );
  });
  test('the CLI replays the fixture (exit 0)', () => {
    const r = cli(['replay', FIXTURE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('REPRODUCED');
    // the value in the notation of the diagram (PAE {hi:lo}), not the file's bare hex (0x10067)
    expect(r.stdout).toContain(`REPRODUCED ${FIXTURE}: torn {0x00000000:0x00010067} — ptep_get_lockless`);
    expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
  });
  // the replay above as a process; the other commands of this file in this process
  test('the CLI refuses a newer version: one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-fixture-'));
    try {
      const p = new Packr({ useRecords: false });
      const file = join(dir, 'future.msgpack');
      writeFileSync(file, p.pack({ ...(p.unpack(bytes) as object), version: 4 }));
      const r = await cliInProcess(['replay', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `ptefuzz: ${file}: unsupported crash file format version 4 (this ptefuzz reads versions 1, 2 and 3)\n`,
      );
      expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const FIXTURE_V2 = join(__dirname, '..', 'fixtures', 'crash-v2.msgpack');
const bytesV2 = readFileSync(FIXTURE_V2);

/** Format version 2: the crash file stores the printed .scn scenario. */
describe('crash file fixture, format version 2', () => {
  test('decodes, with the printed scenario text', () => {
    const c = decodeCrash(bytesV2, FIXTURE_V2);
    expect(c.version).toBe(2);
    expect(c.scenario.name).toBe('s1-pae-double-refault');
    expect(c.scenario.source).toBe('builtin');
    expect(c.scenario.text).toContain('cpu D "fault" {\n  do_anonymous_page_pae(pte, {0x00010003:0x00010067})');
  });
  test('replays its recorded verdict from the stored text, and re-encodes to the same bytes', () => {
    const c = decodeCrash(bytesV2, FIXTURE_V2);
    const r = replayCrash(c, FIXTURE_V2, builtinReaders());
    expect(r.reproduced).toBe(true);
    expect(r.target.scenario.text).toBe(c.scenario.text);
    expect(Buffer.compare(encodeCrash(c), bytesV2)).toBe(0);
  });
  test('the stored scenario wins over the built-in of the same name (a renamed operation is reported)', () => {
    const p = new Packr({ useRecords: false });
    const o = p.unpack(bytesV2) as { scenario: { text: string } } & Record<string, unknown>;
    const edited = {
      ...o,
      scenario: { ...o.scenario, text: o.scenario.text.replace('madv_dontneed_pae(pte)', 'madv_dontneed(pte)') },
    };
    expect(() => replayCrash(decodeCrash(p.pack(edited), 'x.msgpack'), 'x.msgpack', builtinReaders())).toThrow(
      /^x\.msgpack: stored scenario: x\.msgpack \(stored scenario\):\d+:3: expected an operation \(did you mean madv_dontneed_pae/,
    );
  });
  test('a version-2 file from a scenario file without the scenario text is refused, naming the field', () => {
    const p = new Packr({ useRecords: false });
    const o = p.unpack(bytesV2) as { scenario: Record<string, unknown> } & Record<string, unknown>;
    const { text: _text, ...noText } = o.scenario;
    expect(() => decodeCrash(p.pack({ ...o, scenario: { ...noText, source: 'file' } }), 'y.msgpack')).toThrow(
      'y.msgpack: field "scenario.text": expected the printed .scn scenario',
    );
    expect(() => decodeCrash(p.pack({ ...o, scenario: { ...o.scenario, text: 7 } }), 'y.msgpack')).toThrow(
      'y.msgpack: field "scenario.text": expected the printed .scn scenario',
    );
  });
  test('a version-2 built-in without text (a TypeScript built-in) loads and replays by name', () => {
    const p = new Packr({ useRecords: false });
    const o = p.unpack(bytesV2) as { scenario: Record<string, unknown> } & Record<string, unknown>;
    const { text: _text, ...noText } = o.scenario;
    const c = decodeCrash(p.pack({ ...o, scenario: noText }), 'y.msgpack');
    expect(c.scenario).toEqual({ name: 's1-pae-double-refault', source: 'builtin' });
    expect(replayCrash(c, 'y.msgpack', builtinReaders()).reproduced).toBe(true);
  });
  test('a file written from a .scn without a scenario line, whose file name is not a scenario name, still replays', () => {
    // before the name rule, `ptefuzz fuzz --scenario ./2-cpu.scn` stored the text without a scenario line and
    // the file name as the name: that name is the file's record, not a file name to check
    const p = new Packr({ useRecords: false });
    const o = p.unpack(bytesV2) as { scenario: { text: string } } & Record<string, unknown>;
    const text = o.scenario.text.replace(/^scenario s1-pae-double-refault\n/m, '');
    expect(text).not.toBe(o.scenario.text);
    const old = { ...o, scenario: { ...o.scenario, name: '2-cpu refault', source: 'file', text } };
    const c = decodeCrash(p.pack(old), 'z.msgpack');
    const r = replayCrash(c, 'z.msgpack', builtinReaders());
    expect(r.reproduced).toBe(true);
    expect(r.target.scenario.name).toBe('2-cpu refault');
  });
  test('ptefuzz show prints the stored scenario', async () => {
    const r = await cliInProcess(['show', FIXTURE_V2]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('scenario (builtin, as stored in the crash file):\n  # DOMAIN §C S1');
    expect(r.stdout).toMatch(/^recorded: torn \{0x[0-9a-f]{8}:0x[0-9a-f]{8}\} \(engine /m);
  });
});

const FIXTURE_V3 = join(__dirname, '..', 'fixtures', 'crash-v3-timeout.msgpack');
const bytesV3 = readFileSync(FIXTURE_V3);

/**
 * Format version 3: a timeout (issue 8), written by `ptefuzz fuzz --reader-module
 * harness/readers/pae-spin.js --scenario s2-pae-zap-reestablish --reader ptep_get_lockless_spin
 * --reader ptep_get --engine random --runs 200 --seed 1 --timeout 1`.
 */
describe('crash file fixture, format version 3 (timeout)', () => {
  test('decodes as a timeout and re-encodes to the same bytes', () => {
    const c = decodeCrash(bytesV3, FIXTURE_V3);
    expect(c.version).toBe(3);
    expect(c.verdict).toEqual({
      kind: 'timeout',
      class: 'timeout',
      seconds: 1,
      step: 9,
      cpu: 0,
      detail:
        'CPU 0 (A: ptep_get_lockless_spin) did not yield again after its step 9 in ptep_get_lockless_spin, having read pte_low=0x10067 pte_high=0x0',
    });
    expect(c.readerModule?.path).toBe('harness/readers/pae-spin.js');
    expect(Buffer.compare(encodeCrash(c), bytesV3)).toBe(0);
  });
  test('ptefuzz show draws the execution up to the hang (it does not run into it)', async () => {
    const r = await cliInProcess(['show', '--reader-module', 'harness/readers/pae-spin.js', FIXTURE_V3]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('8                                      smp_wmb()');
    expect(r.stdout).toContain('timeout: the execution did not return within 1 s: it hung in step 9 on CPU 0');
  });
});

const FIXTURE_BY_NAME = join(__dirname, '..', 'fixtures', 'crash-builtin-by-name.msgpack');
const bytesByName = readFileSync(FIXTURE_BY_NAME);

/** A built-in's crash file written while the built-in was TypeScript: no text, replayed by name on its .scn form. */
describe('crash file fixture, a built-in stored by name only', () => {
  test('decodes without a scenario text', () => {
    const c = decodeCrash(bytesByName, FIXTURE_BY_NAME);
    expect(c.scenario).toEqual({ name: 'ext-sw-bits-zap-refault', source: 'builtin' });
    expect([c.reader, c.contract, c.model, c.verdict.class]).toEqual(['ptep_get_ext_sw', 'ad-relaxed', 'weak', 'torn']);
  });
  test('replays its recorded verdict on the built-in, now lowered from its .scn text, unreduced', () => {
    const c = decodeCrash(bytesByName, FIXTURE_BY_NAME);
    const r = replayCrash(c, FIXTURE_BY_NAME, builtinReaders());
    expect(r.target.scenario.ast).toBeDefined();
    expect(r.target.scenario.reduced).toBeUndefined();
    expect(r.run.exec.steps).toBe(8);
    expect(c.verdict.kind === 'divergence' && r.observed).toBe(c.verdict.kind === 'divergence' && c.verdict.observed);
    expect(r.reproduced).toBe(true);
  });
  test('re-encodes to the same bytes', () => {
    expect(Buffer.compare(encodeCrash(decodeCrash(bytesByName, FIXTURE_BY_NAME)), bytesByName)).toBe(0);
  });
});
