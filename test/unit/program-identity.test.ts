/**
 * `scenario.program` (crash/format.ts): a scenario file's program is part of its findings' fingerprint, so a
 * finding on an edited program is not reported in a file that holds the old one. What counts as the program
 * (scenario/print.ts programIdentity), what a crash file records (campaign/crash-record.ts programId), and the
 * files written before the field existed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { describe, expect, test } from 'vitest';
import { crashScenario, programId, replayCrash } from '../../src/campaign';
import { CrashFileError, crashFileName, decodeCrash, encodeCrash, fingerprint } from '../../src/crash';
import { builtinReaders } from '../../src/kernel';
import { builtinScenario, parseScn, programIdentity } from '../../src/scenario';
import { loadScenarioFile } from '../../src/cli/scenario-files';
import { ROOT } from '../support/cli';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'pae-fault-ptl.scn');
const SRC = readFileSync(FIXTURE, 'utf8');
const id = (src: string): string => programIdentity(parseScn(src, 'x.scn'));
/** `SRC` with `from` replaced by `to`, which must occur */
const edit = (from: string | RegExp, to: string): string => {
  const out = SRC.replace(from, to);
  expect(out).not.toBe(SRC);
  return out;
};

describe('programIdentity: what a scenario file runs', () => {
  test('prose, reader and model lines and the spelling of numbers are not the program', () => {
    const same = [
      edit(/^# Two anonymous/m, '# An edited comment. Two anonymous'),
      edit(/^title .*$/m, 'title "another title"'),
      edit('reader ptep_get expect bug', 'reader ptep_get expect correct'),
      edit('reader ptep_get_lockless expect correct\n', ''),
      edit('model weak', 'model tso'),
      edit('{0x00010002:0x00020067}', '{0x10002:0x20067}'),
      edit('{0x00010002:0x00020067}', '{65538:131175}'),
      edit('{0x00010002:0x00020067})\n', '{0x00010002:0x00020067})  # a trailing comment\n  # a line of its own\n\n'),
    ];
    for (const src of same) expect(id(src)).toBe(id(SRC));
  });

  test('a value, a location, an operation, a CPU are', () => {
    const other = [
      edit('{0x00010002:0x00020067}', '{0x00010002:0x00040067}'),
      edit('pte pte = {0x00000000:0x00000000}', 'pte pte = {0x00000000:0x00000001}'),
      edit(
        '  do_anonymous_page_pae(pte, {0x00010003:0x00030067})\n',
        '  do_anonymous_page_pae(pte, {0x00010003:0x00030067})\n  do_anonymous_page_pae(pte, {0x00010004:0x00040067})\n',
      ),
      edit(/\ncpu C "fault" \{\n.*\n\}\n/, '\n'),
      edit('arch x86-pae', 'arch arm64'),
    ];
    const ids = other.map(id);
    for (const x of ids) expect(x).not.toBe(id(SRC));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('programId: what a crash file records', () => {
  const readers = builtinReaders();

  test('a scenario file: 16 hex digits of the sha256 of its programIdentity, computed here independently', async () => {
    const { createHash } = await import('node:crypto');
    const l = loadScenarioFile(FIXTURE, readers);
    if (l.kind !== 'kernel') throw new Error('a kernel scenario');
    const want = createHash('sha256').update(id(SRC)).digest('hex').slice(0, 16);
    expect(programId(l.scenario)).toBe(want);
    expect(crashScenario(l.scenario)).toMatchObject({ name: 'pae-fault-ptl', source: 'file', program: want });
  });

  test('a built-in and its corpus/mailing-list copy: none (the copy must run the built-in’s program)', () => {
    const b = builtinScenario('s2-pae-zap-reestablish')!;
    expect(programId(b)).toBeUndefined();
    expect('program' in crashScenario(b)).toBe(false);
    const copy = loadScenarioFile(join(ROOT, 'corpus', 'mailing-list', 's2-pae-zap-reestablish.scn'), readers);
    if (copy.kind !== 'kernel') throw new Error('a kernel scenario');
    expect(programId(copy.scenario)).toBeUndefined();
  });
});

describe('the fingerprint', () => {
  const NEW = 'pae-fault-ptl.ptep_get.non-torn.weak.torn.b47329d78591.msgpack';
  const committed = readFileSync(join(ROOT, 'crashes', NEW));

  test('counts the program: the committed file is named by it, and another program is another name', () => {
    const c = decodeCrash(committed, NEW);
    expect(c.scenario.program).toMatch(/^[0-9a-f]{16}$/);
    expect(crashFileName(c)).toBe(NEW);
    const other = { ...c, scenario: { ...c.scenario, program: '0123456789abcdef' } };
    expect(fingerprint(other)).not.toBe(fingerprint(c));
    expect(Buffer.compare(encodeCrash(c), committed)).toBe(0);
  });

  test('a file written before `program` keeps its name and replays', () => {
    const file = join(ROOT, 'test', 'fixtures', 'crash-file-no-program.msgpack');
    const old = decodeCrash(readFileSync(file), file);
    expect(old.scenario.source).toBe('file');
    expect('program' in old.scenario).toBe(false);
    // the name it was committed under in crashes/ until the field existed
    expect(crashFileName(old)).toBe('pae-fault-ptl.ptep_get.non-torn.weak.torn.8211e1bd37ec.msgpack');
    expect(replayCrash(old, file, builtinReaders()).reproduced).toBe(true);
    // the same witness as the committed file, which only adds its program
    const now = decodeCrash(committed, NEW);
    expect({ ...now, scenario: { ...now.scenario, program: undefined } }).toEqual({
      ...old,
      scenario: { ...old.scenario, program: undefined },
    });
  });

  test('a malformed program is one line naming the field', () => {
    const p = new Packr({ useRecords: false });
    const raw = p.unpack(committed) as Record<string, Record<string, unknown>>;
    for (const [program, source] of [
      ['B47329D78591', 'file'],
      ['xyz', 'file'],
      [7, 'file'],
      ['0123456789abcdef', 'builtin'],
    ] as const) {
      const bytes = p.pack({ ...raw, scenario: { ...raw['scenario'], program, source } });
      expect(() => decodeCrash(bytes, 'crashes/x.msgpack')).toThrow(CrashFileError);
      expect(() => decodeCrash(bytes, 'crashes/x.msgpack')).toThrow(
        'crashes/x.msgpack: field "scenario.program": expected 16 lowercase hex digits, in a scenario from a file',
      );
    }
  });
});
