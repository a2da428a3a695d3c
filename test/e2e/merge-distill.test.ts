/**
 * `ptefuzz merge --distill OUT IN…`: two shards' corpora of one target distilled
 * into fewer entries, whatever the order of the IN folders (byte for byte); a
 * campaign restarted on the result loads every entry and reaches the coverage of
 * the undistilled union; crash files merge as without --distill; a corrupt entry is
 * one line; entries whose target cannot be replayed are merged whole, with a warning.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { beforeAll, describe, expect, test } from 'vitest';
import { ROOT, cli, hasStackTrace } from '../support/cli';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-distill-'));

/** every file below dir, as relative paths */
const tree = (dir: string, pre = ''): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? tree(join(dir, e.name), `${pre}${e.name}/`) : [`${pre}${e.name}`]))
    .sort();

const FOLDER = 's1-pae-double-refault.ptep_get.non-torn.sc';
const TARGET = ['--scenario', 's1-pae-double-refault', '--reader', 'ptep_get', '--model', 'sc'];

/** `fuzz --json`'s coverage figures (cov, ft, corpus, seeds) and the INFO: corpus line */
function fuzzJson(args: string[]): { coverage: { ft: number; seeds: number }; stderr: string } {
  const r = cli(['fuzz', ...TARGET, '--json', ...args]);
  expect(r.code === 0 || r.code === 1).toBe(true);
  return { coverage: (JSON.parse(r.stdout) as { coverage: { ft: number; seeds: number } }).coverage, stderr: r.stderr };
}

describe('ptefuzz merge --distill', () => {
  const root = tmp();
  const shard = (i: number): string => join(root, `shard-${i}`);
  beforeAll(() => {
    for (const i of [1, 2]) {
      const r = cli([
        'fuzz',
        ...TARGET,
        '--runs',
        '400',
        '--seed',
        '3',
        '--shard',
        `${i}/2`,
        '--corpus',
        join(shard(i), 'corpus'),
        '--crashes',
        join(shard(i), 'crashes'),
      ]);
      expect(r.code).toBe(1); // the torn read under sc
    }
  });

  test('two shards: fewer entries than the union, the same bytes whatever the IN order, crash files as a plain merge', () => {
    const union = join(root, 'union');
    const plain = cli(['merge', union, shard(1), shard(2)]);
    expect(plain.code).toBe(0);
    const a = join(root, 'distilled-12');
    const b = join(root, 'distilled-21');
    const ra = cli(['merge', '--distill', a, shard(1), shard(2)]);
    const rb = cli(['merge', '--distill', b, shard(2), shard(1)]);
    for (const r of [ra, rb]) {
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
    }
    const entries = (dir: string): string[] => tree(dir).filter((f) => f.startsWith(`${FOLDER}/`));
    const unionEntries = entries(union);
    const kept = entries(a);
    expect(kept.length).toBeLessThan(unionEntries.length);
    expect(kept.every((f) => unionEntries.includes(f))).toBe(true);
    // byte-identical whatever the order of the IN folders
    expect(tree(b)).toEqual(tree(a));
    for (const f of tree(a)) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f)))).toBe(true);
    // crash files: exactly those of the plain merge
    const crashes = (dir: string): string[] => tree(dir).filter((f) => !f.startsWith(`${FOLDER}/`));
    expect(crashes(a)).toEqual(crashes(union));
    expect(crashes(a).length).toBeGreaterThan(0);
    // the report: one line per target, the totals, the merge line
    const lines = ra.stdout.trim().split('\n');
    const dropped = unionEntries.length - kept.length;
    expect(lines[0]).toMatch(
      new RegExp(`^distill ${FOLDER}: ${kept.length} of ${unionEntries.length} kept, ${dropped} dropped; ft \\d+$`),
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^distilled 1 target\\(s\\): ${kept.length} of ${unionEntries.length} new corpus entries kept, ${dropped} dropped; ${unionEntries.length} entries replayed in \\d+\\.\\d s$`,
      ),
    );
    expect(lines[2]).toMatch(
      new RegExp(
        `corpus entries: ${kept.length} new, \\d+ duplicate, ${dropped} dropped as redundant by --distill\\)$`,
      ),
    );
    expect(lines).toHaveLength(3);

    // a campaign restarted on it loads every entry and, replaying them, reaches the union's coverage
    const ft = Number(/; ft (\d+)$/.exec(lines[0]!)![1]);
    const onDistilled = fuzzJson(['--runs', String(kept.length), '--seed', '5', '--corpus', a, '--crashes', tmp()]);
    expect(onDistilled.stderr).toContain(`INFO: corpus ${a}/: ${kept.length} entries loaded, 0 new entries saved`);
    expect(onDistilled.stderr).not.toContain('warning');
    expect(onDistilled.coverage.seeds).toBe(kept.length);
    expect(onDistilled.coverage.ft).toBe(ft);
    const onUnion = fuzzJson([
      '--runs',
      String(unionEntries.length),
      '--seed',
      '5',
      '--corpus',
      union,
      '--crashes',
      tmp(),
    ]);
    expect(onUnion.coverage.seeds).toBe(unionEntries.length);
    expect(onUnion.coverage.ft).toBe(ft);

    // distilling into OUT again adds nothing and removes nothing
    const again = cli(['merge', '--distill', a, shard(1), shard(2)]);
    expect(again.code).toBe(0);
    expect(tree(a)).toEqual(tree(b));
  });

  test('corrupt entries are one line each and skipped (exit 2), the rest is distilled', () => {
    const input = join(root, 'with-corrupt');
    cpSync(join(shard(1), 'corpus'), input, { recursive: true });
    const files = readdirSync(join(input, FOLDER)).sort();
    const truncated = join(input, FOLDER, files[0]!);
    writeFileSync(truncated, readFileSync(truncated).subarray(0, 9));
    const pk = new Packr({ useRecords: false });
    const badTrace = join(input, FOLDER, files[1]!);
    writeFileSync(badTrace, pk.pack({ ...(pk.unpack(readFileSync(badTrace)) as object), trace: [0, -1] }));
    const out = join(root, 'out-corrupt');
    const r = cli(['merge', '--distill', out, input]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')).toEqual([
      `ptefuzz: ${truncated}: not a readable ptefuzz crash file or corpus entry (msgpack: Unexpected end of MessagePack data); skipped`,
      `ptefuzz: ${badTrace}: field "trace": expected an array of non-negative integers; skipped`,
      '',
    ]);
    expect(r.stdout).toMatch(new RegExp(`^distill ${FOLDER}: \\d+ of ${files.length - 2} kept`));
    expect(r.stdout).toContain(', 2 rejected');
  });

  test('an unreadable file in OUT under a new entry’s name is replaced (repaired) and counts as OUT’s', () => {
    const files = readdirSync(join(shard(1), 'corpus', FOLDER)).sort();
    const out = join(root, 'out-repair');
    mkdirSync(join(out, FOLDER), { recursive: true });
    writeFileSync(join(out, FOLDER, files[0]!), '');
    const r = cli(['merge', '--distill', out, join(shard(1), 'corpus')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^ptefuzz: warning: .*: not a readable corpus entry .*; replaced by .*\n$/);
    expect(readFileSync(join(out, FOLDER, files[0]!))).toEqual(
      readFileSync(join(shard(1), 'corpus', FOLDER, files[0]!)),
    );
    expect(r.stdout).toMatch(
      new RegExp(`^distill ${FOLDER}: \\d+ of ${files.length - 1} kept, \\d+ dropped \\(1 already in OUT, kept\\)`),
    );
  });

  test('a file in OUT that no new entry replaces and that is no entry of its folder: one warning line each, counted, left as it is, never replayed', () => {
    // Was: read past in silence (not replayed, not counted, nothing said) — OUT looked whole.
    const files = readdirSync(join(shard(1), 'corpus', FOLDER)).sort();
    const out = join(root, 'out-unreadable');
    mkdirSync(join(out, FOLDER), { recursive: true });
    // names no IN entry has: a truncated copy of a real entry, and another target's entry put in this folder
    const truncated = join(out, FOLDER, 'ffffffffffffff01.msgpack');
    const bytes = readFileSync(join(shard(1), 'corpus', FOLDER, files[0]!));
    writeFileSync(truncated, bytes.subarray(0, 9));
    const pk = new Packr({ useRecords: false });
    const stranger = join(out, FOLDER, 'ffffffffffffff02.msgpack');
    writeFileSync(stranger, pk.pack({ ...(pk.unpack(bytes) as object), model: 'tso' }));
    const r = cli(['merge', '--distill', out, join(shard(1), 'corpus')]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    // nothing of the merge was lost: the warnings say what to do, the exit status stays 0
    expect(r.code).toBe(0);
    const left = `; left in ${out} as it is, not replayed (no merged entry has its name; a campaign skips it as well)`;
    expect(r.stderr.split('\n')).toEqual([
      `ptefuzz: warning: ${truncated}: not a readable corpus entry (msgpack: Unexpected end of MessagePack data)${left}`,
      `ptefuzz: warning: ${stranger}: entry of s1-pae-double-refault.ptep_get.non-torn.tso, not of its folder ${FOLDER}${left}`,
      '',
    ]);
    // not counted as OUT's entries (none of OUT's loads), but on the merge line
    expect(r.stdout).toMatch(
      new RegExp(`^distill ${FOLDER}: \\d+ of ${files.length} kept, \\d+ dropped; ft \\d+$`, 'm'),
    );
    expect(r.stdout).toContain(`; 2 unreadable file(s) in ${out} left as they are (see the warnings)\n`);
    // left as they were, byte for byte
    expect(readFileSync(truncated)).toEqual(bytes.subarray(0, 9));
    expect(readdirSync(join(out, FOLDER))).toContain('ffffffffffffff02.msgpack');
  });

  test('a .scn scenario’s entries: merged whole with a warning naming the file, distilled with --scenario FILE.scn', () => {
    const scn = join(ROOT, 'test', 'fixtures', 'pae-fault-ptl.scn');
    const corpus = join(root, 'scn-corpus');
    cli([
      'fuzz',
      '--scenario',
      scn,
      '--reader',
      'ptep_get',
      '--runs',
      '300',
      '--seed',
      '1',
      '--corpus',
      corpus,
      '--crashes',
      tmp(),
    ]);
    const folder = 'pae-fault-ptl.ptep_get.non-torn.weak';
    const entries = readdirSync(join(corpus, folder)).sort();
    expect(entries.length).toBeGreaterThan(5);
    // a copy of every entry under another name: redundant by construction
    const twin = join(root, 'scn-twin');
    mkdirSync(join(twin, folder), { recursive: true });
    for (const f of entries) copyFileSync(join(corpus, folder, f), join(twin, folder, `copy-${f}`));

    const whole = join(root, 'scn-whole');
    const r = cli(['merge', '--distill', whole, corpus]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `ptefuzz: warning: ${join(corpus, folder, entries[0]!)}: cannot distill ${folder} (scenario "pae-fault-ptl" is not built in (a .scn scenario's corpus entries record only its name: give the file with --scenario FILE.scn)); its ${entries.length} new entries are merged whole\n`,
    );
    expect(tree(whole)).toEqual(entries.map((f) => `${folder}/${f}`));
    // merged whole, none replayed: the totals line does not count them as replayed
    expect(r.stdout).toMatch(/; 0 entries replayed in \d+\.\d s$/m);

    const distilled = join(root, 'scn-distilled');
    const d = cli(['merge', '--distill', '--scenario', scn, distilled, corpus]);
    expect(d.code).toBe(0);
    expect(d.stderr).toBe('');
    expect(d.stdout).toMatch(new RegExp(`^distill ${folder}: \\d+ of ${entries.length} kept`));
    expect(d.stdout).toMatch(new RegExp(`; ${entries.length} entries replayed in \\d+\\.\\d s$`, 'm'));
    // OUT's entries are kept; the same entries again add nothing
    const more = cli(['merge', '--distill', '--scenario', scn, whole, twin]);
    expect(more.code).toBe(0);
    expect(more.stdout).toContain(`, ${entries.length} duplicate`);
    expect(tree(whole)).toEqual(entries.map((f) => `${folder}/${f}`));
  });

  test('--scenario without --distill, or naming a built-in scenario: one line, exit 2', () => {
    const scn = join(ROOT, 'test', 'fixtures', 'pae-fault-ptl.scn');
    const r = cli(['merge', '--scenario', scn, tmp(), tmp()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'ptefuzz: --scenario: only with --distill (it names the .scn scenarios whose corpus entries are replayed)\n',
    );
    const b = cli(['merge', '--distill', '--scenario', 's1-pae-double-refault', tmp(), tmp()]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^ptefuzz: --scenario s1-pae-double-refault: expected a \.scn file .*\n$/);
  });
});
