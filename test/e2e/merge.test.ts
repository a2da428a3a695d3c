/**
 * `ptefuzz merge OUT IN…`: union of crash and corpus folders by content-addressed
 * name; duplicates collapse; a corrupt file is one line on stderr and skipped.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { describe, expect, test } from 'vitest';
import { ROOT, cli, cliInProcess, hasStackTrace } from '../support/cli';
import { decodeCrash, encodeCrash } from '../../src/crash';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-merge-'));
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A corpus entry in the format fixed for the coverage engine, written by hand. */
function corpusEntry(dir: string, trace: number[]): string {
  const bytes = new Packr({ useRecords: false }).pack({
    format: 'ptefuzz-corpus',
    version: 1,
    scenario: 's2-pae-zap-reestablish',
    reader: 'ptep_get',
    contract: 'non-torn',
    model: 'sc',
    trace,
  });
  const rel = `s2-pae-zap-reestablish.ptep_get.non-torn.sc/${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.msgpack`;
  mkdirSync(join(dir, 's2-pae-zap-reestablish.ptep_get.non-torn.sc'), { recursive: true });
  writeFileSync(join(dir, rel), bytes);
  return rel;
}

/** every file below dir, as relative paths */
const tree = (dir: string, pre = ''): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tree(join(dir, e.name), `${pre}${e.name}/`) : [`${pre}${e.name}`],
  );

describe('ptefuzz merge', () => {
  const crashes = readdirSync(join(ROOT, 'crashes'))
    .filter((f) => f.endsWith('.msgpack'))
    .sort()
    .slice(0, 3);

  test('two shards’ folders: the union, a duplicate counted once, a corrupt file rejected in one line', async () => {
    const [c1, c2, c3] = crashes as [string, string, string];
    const a = tmp();
    const b = tmp();
    copyFileSync(join(ROOT, 'crashes', c1), join(a, c1));
    copyFileSync(join(ROOT, 'crashes', c2), join(a, c2));
    copyFileSync(join(ROOT, 'crashes', c2), join(b, c2)); // duplicate
    copyFileSync(join(ROOT, 'crashes', c3), join(b, 'renamed-by-hand.msgpack')); // goes under its fingerprint name
    const bad = join(b, 'truncated.msgpack');
    writeFileSync(bad, readFileSync(join(ROOT, 'crashes', c1)).subarray(0, 20));
    const e1 = corpusEntry(join(a, 'corpus'), [1, 0, 2]);
    const e2 = corpusEntry(join(b, 'corpus'), [1, 0, 2]); // same bytes, same name: duplicate
    const e3 = corpusEntry(join(b, 'corpus'), [3, 3]);
    expect(e2).toBe(e1);

    const out = join(tmp(), 'merged');
    // as a process (the others in this process)
    const r = cli(['merge', out, a, b]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^ptefuzz: .*truncated\.msgpack: .*; skipped$/),
    ]);
    expect(r.stdout).toBe(
      `merged 2 folder(s) into ${out}: 5 new, 2 duplicate, 1 rejected (crash files: 3 new, 1 duplicate; corpus entries: 2 new, 1 duplicate)\n`,
    );
    expect(tree(out).sort()).toEqual([c1, c2, c3, e1, e3].sort());
    for (const c of [c1, c2, c3])
      expect(readFileSync(join(out, c)).equals(readFileSync(join(ROOT, 'crashes', c)))).toBe(true);
    expect((await cliInProcess(['replay', out])).code).toBe(0);

    // merging again adds nothing
    const again = await cliInProcess(['merge', out, a]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(': 0 new, 3 duplicate, 0 rejected');
    expect(tree(out)).toHaveLength(5);
  });

  test('names that would leave OUT (a crafted crash file or corpus entry) are rejected; nothing is written outside', async () => {
    const pk = new Packr({ useRecords: false });
    const crash = new Packr({ useRecords: false }).unpack(readFileSync(join(ROOT, 'crashes', crashes[0]!))) as object;
    const root = tmp();
    const input = join(root, 'in');
    mkdirSync(input);
    writeFileSync(join(input, 'a.msgpack'), pk.pack({ ...crash, reader: '../../escaped' }));
    const entry = { format: 'ptefuzz-corpus', version: 1, scenario: 's', reader: 'r', contract: 'c', trace: [1] };
    writeFileSync(join(input, 'b.msgpack'), pk.pack({ ...entry, model: '../../escaped' }));
    const out = join(root, 'a', 'b', 'out');
    const r = await cliInProcess(['merge', out, input]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `ptefuzz: ${join(input, 'a.msgpack')}: field "reader": expected a name (not empty, no "/", "\\" or control character: it is part of a file name); skipped`,
      `ptefuzz: ${join(input, 'b.msgpack')}: field "model": expected a name (not empty, no "/", "\\" or control character: it is part of a file name); skipped`,
    ]);
    expect(tree(root)).toEqual(['in/a.msgpack', 'in/b.msgpack']);
  });

  test('a well-formed crash file that replay would refuse is rejected too, in replay’s words (was: merged)', async () => {
    // an audit's crash files, each one field changed: merge took all five (exit 0) and `replay` of the merged folder
    // called four unreadable and one NOT REPRODUCED ("recorded weird")
    const pk = new Packr({ useRecords: false });
    const template = 's2-pae-zap-reestablish-nowmb.ptep_get.non-torn.sc.torn.8d393c148811.msgpack';
    const rec = pk.unpack(readFileSync(join(ROOT, 'crashes', template))) as { verdict: object };
    const input = tmp();
    const edits: [string, object][] = [
      ['reader', { reader: 'nope_reader' }],
      ['arch', { reader: 'contpte_ptep_get' }],
      ['contract', { contract: 'bogus' }],
      ['model', { model: 'psc' }],
      ['class', { verdict: { ...rec.verdict, class: 'weird' } }],
    ];
    for (const [name, edit] of edits) writeFileSync(join(input, `${name}.msgpack`), pk.pack({ ...rec, ...edit }));
    copyFileSync(join(ROOT, 'crashes', template), join(input, 'good.msgpack'));
    const out = join(tmp(), 'merged');
    const r = await cliInProcess(['merge', out, input]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(': 1 new, 0 duplicate, 5 rejected');
    const lines = r.stderr.trim().split('\n');
    const at = (name: string): string => `ptefuzz: ${join(input, `${name}.msgpack`)}: `;
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(`^${esc(at('arch'))}reader "contpte_ptep_get" reads arm64 ptes, scenario .* is x86-pae`),
      ),
      expect.stringMatching(
        new RegExp(`^${esc(at('class'))}field "verdict.class": expected one of torn, .*, got "weird"; skipped$`),
      ),
      expect.stringMatching(new RegExp(`^${esc(at('contract'))}unknown contract "bogus"; valid: exact, .*; skipped$`)),
      expect.stringMatching(
        new RegExp(`^${esc(at('model'))}unknown memory model "psc"; valid: sc, tso, weak; skipped$`),
      ),
      expect.stringMatching(new RegExp(`^${esc(at('reader'))}unknown reader "nope_reader"; valid: .*; skipped$`)),
    ]);
    expect(tree(out)).toEqual([template]);
    // and replay says the same of the class it used to call NOT REPRODUCED
    const replay = await cliInProcess(['replay', join(input, 'class.msgpack')]);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toContain('field "verdict.class": expected one of torn');
  });

  test('an input that is not a folder: one line, exit 2', async () => {
    const r = await cliInProcess(['merge', tmp(), join(tmp(), 'missing')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ptefuzz: .*missing: no such folder\n$/);
  });
  test('a truncated file in OUT under a merged name is replaced (not a "duplicate" that swallows the good one); a folder there is rejected', async () => {
    const [c1, c2] = crashes as [string, string];
    const a = tmp();
    copyFileSync(join(ROOT, 'crashes', c1), join(a, c1));
    copyFileSync(join(ROOT, 'crashes', c2), join(a, c2));
    const e1 = corpusEntry(join(a, 'corpus'), [0, 1, 1]);
    const out = tmp();
    // what a `cp` killed mid-copy, or a full disk under a non-atomic copy, leaves behind
    writeFileSync(join(out, c1), readFileSync(join(ROOT, 'crashes', c1)).subarray(0, 40));
    mkdirSync(join(out, e1.split('/')[0]!));
    writeFileSync(join(out, e1), '');
    mkdirSync(join(out, c2)); // a folder under a crash file's name
    const r = await cliInProcess(['merge', out, a]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(
      `merged 1 folder(s) into ${out}: 2 new, 0 duplicate, 1 rejected (crash files: 1 new, 0 duplicate; corpus entries: 1 new, 0 duplicate); 2 unreadable file(s) in ${out} replaced\n`,
    );
    // inputs are read in name order: the corpus folder, then the crash files
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      `ptefuzz: warning: ${join(out, e1)}: not a readable corpus entry (msgpack: Unexpected end of MessagePack data); replaced by ${join(a, 'corpus', e1)}`,
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^ptefuzz: warning: ${join(out, c1).replace(/\./g, '\\.')}: not a readable ptefuzz crash file .*; replaced by ${join(a, c1).replace(/\./g, '\\.')}$`,
      ),
    );
    expect(lines[2]).toBe(
      `ptefuzz: ${join(a, c2)}: not merged: ${join(out, c2)}: a folder is in the way (expected a crash file or nothing); skipped`,
    );
    expect(readFileSync(join(out, c1))).toEqual(readFileSync(join(ROOT, 'crashes', c1)));
    expect(readFileSync(join(out, e1))).toEqual(readFileSync(join(a, 'corpus', e1)));
    expect((await cliInProcess(['replay', join(out, c1)])).code).toBe(0);
  });

  test('a file of a newer crash format under the name is kept (the same fingerprint: the same bug), as a duplicate', async () => {
    const [c1] = crashes as [string];
    const a = tmp();
    copyFileSync(join(ROOT, 'crashes', c1), join(a, c1));
    const out = tmp();
    const newer = new Packr({ useRecords: false }).pack({ format: 'ptefuzz-crash', version: 99, future: true });
    writeFileSync(join(out, c1), newer);
    const r = await cliInProcess(['merge', out, a]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(': 0 new, 1 duplicate, 0 rejected');
    expect(readFileSync(join(out, c1))).toEqual(newer);
  });

  test('witnesses of one fingerprint in several INs: the lightest is kept, whatever the order of the INs (was: the first)', async () => {
    // the committed S2-nowmb sc tear (trace [0,1]: 1 preemption); [0,1,0,1] tears the same way (same values
    // read: same signature, same fingerprint) with 2 preemptions; provenance (seed) differs, so do the bytes
    const name = 's2-pae-zap-reestablish-nowmb.ptep_get.non-torn.sc.torn.8d393c148811.msgpack';
    const pk = new Packr({ useRecords: false });
    const light = readFileSync(join(ROOT, 'crashes', name));
    const rec = pk.unpack(light) as { trace: number[]; seed: string };
    expect(rec.trace).toEqual([0, 1]);
    const heavy = pk.pack({ ...rec, trace: [0, 1, 0, 1] });
    const light2 = pk.pack({ ...rec, seed: `${rec.seed}0` }); // as light, other bytes
    const [a, b, c] = [tmp(), tmp(), tmp()];
    writeFileSync(join(a, name), heavy);
    writeFileSync(join(b, name), light);
    writeFileSync(join(c, name), light2);
    expect((await cliInProcess(['replay', a])).code).toBe(0); // the heavy witness is a whole crash file that reproduces
    const lightest = Buffer.compare(light, light2) < 0 ? light : light2;
    for (const order of [
      [a, b, c],
      [c, b, a],
      [b, a, c],
    ]) {
      const out = join(tmp(), 'merged');
      const r = await cliInProcess(['merge', out, ...order]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(': 1 new, 2 duplicate, 0 rejected');
      expect(tree(out)).toEqual([name]);
      expect(readFileSync(join(out, name)).equals(lightest)).toBe(true);
    }
  });
});

describe('ptefuzz merge ranks two files of one fingerprint as replay judges them', () => {
  /** S5's two committed bugs of one class and value (test/unit/crash-replay.test.ts): two signatures */
  const A = 's5-contpte-unfold-gather.contpte_ptep_get.exact.weak.false-clean.2ac40aec3610.msgpack';
  const B = 's5-contpte-unfold-gather.contpte_ptep_get.exact.weak.false-clean.d4062f0273a4.msgpack';
  test("a file carrying the other bug's trace (same class and value, another signature) loses to the genuine one", async () => {
    const genuine = readFileSync(join(ROOT, 'crashes', A));
    const a = decodeCrash(genuine, A);
    const b = decodeCrash(readFileSync(join(ROOT, 'crashes', B)), B);
    // the damaged file is the lighter witness: was kept, as the class was all a merge checked
    const damaged = encodeCrash({ ...a, trace: b.trace });
    expect(b.trace.length).toBeLessThan(a.trace.length);
    const [x, y] = [tmp(), tmp()];
    writeFileSync(join(x, A), genuine);
    writeFileSync(join(y, A), damaged);
    for (const ins of [
      [x, y],
      [y, x],
    ]) {
      const dest = join(tmp(), 'out');
      const r = await cliInProcess(['merge', dest, ...ins]);
      expect(r.code).toBe(0);
      expect(readFileSync(join(dest, A)).equals(genuine)).toBe(true);
    }
  });
});
