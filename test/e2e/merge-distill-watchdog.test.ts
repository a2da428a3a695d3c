/**
 * `merge --distill` replays corpus entries under fuzz's hang watchdog: a
 * reader module that hangs on one entry no longer hangs the nightly merge.
 * The entry is kept (written, or left in OUT), named on one warning line,
 * counted in the totals, and the folder's other entries are distilled by a
 * fresh worker (exit 0: nothing was lost). After 3 hung replays in a folder
 * its entries not replayed yet are kept whole. Hand-made entries of S2 under
 * sc, where the trace [1] runs the writer first; --timeout 1.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { corpusFileName, encodeCorpusEntry } from '../../src/crash';
import type { CliResult } from '../support/cli';
import { ROOT, cli, hasStackTrace } from '../support/cli';
import { HANG, HANG_NEW } from '../support/hang-readers';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-distill-wd-'));
const KEY = { scenario: 's2-pae-zap-reestablish', reader: 'ptep_get_hang_new', contract: 'non-torn', model: 'sc' };
const FOLDER = 's2-pae-zap-reestablish.ptep_get_hang_new.non-torn.sc';

function modules(): { hang: string; fixed: string } {
  const dir = tmp();
  const hang = join(dir, 'hang-new.js');
  const fixed = join(dir, 'fixed.js');
  writeFileSync(hang, HANG_NEW);
  writeFileSync(fixed, HANG_NEW.replace(HANG, ''));
  return { hang, fixed };
}

/** A corpus folder holding one entry per trace; the file name of each, in the order given. */
function corpus(dir: string, traces: readonly (readonly number[])[]): string[] {
  mkdirSync(join(dir, FOLDER), { recursive: true });
  return traces.map((t) => {
    const bytes = encodeCorpusEntry(KEY, t);
    const name = corpusFileName(bytes);
    writeFileSync(join(dir, FOLDER, name), bytes);
    return name;
  });
}

/** cli(), but a merge that hangs (as it did before the watchdog) fails the test after 60 s instead of hanging it. */
function merge(args: readonly string[]): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'ptefuzz.js'), 'merge', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const entries = (out: string): string[] => readdirSync(join(out, FOLDER)).sort();
const hungLine = (file: string, then: string): RegExp =>
  new RegExp(
    `^ptefuzz: warning: ${file}: its replay did not return within 1 s \\(CPU 0 \\(A: ptep_get_hang_new\\) did not yield again after its step \\d+ in ptep_get_hang_new, having read pte_low=0x20067\\); ${then}$`,
  );

describe('merge --distill under the watchdog (--timeout)', () => {
  test('an entry whose replay hangs is kept and named; the others are distilled as without it; exit 0', () => {
    const { hang, fixed } = modules();
    const input = tmp();
    // replay order (length, then name): [0], [1] (hangs), then the others by the fresh worker; [0, 0, 0] is the
    // execution of [0] (the reader first, then the writer), so it is dropped
    const traces = [[0], [1], [1, 1], [0, 1], [0, 0, 0], [1, 1, 1]];
    const names = corpus(input, traces);
    const hung = names[1]!;
    const out = join(tmp(), 'out');
    const r = merge(['--distill', '--timeout', '1', '--reader-module', hang, out, input]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(hungLine(join(input, FOLDER, hung), 'kept, not distilled'));
    expect(readFileSync(join(out, FOLDER, hung))).toEqual(readFileSync(join(input, FOLDER, hung)));
    expect(entries(out)).not.toContain(names[4]);

    // the reference: the other entries distilled by the reader that does not hang
    const others = tmp();
    corpus(
      others,
      traces.filter((_, i) => i !== 1),
    );
    const ref = join(tmp(), 'ref');
    const f = merge(['--distill', '--reader-module', fixed, ref, others]);
    expect(f.code).toBe(0);
    expect(entries(out)).toEqual([...entries(ref), hung].sort());
    const kept = entries(ref).length + 1;
    const ft = /; ft (\d+)$/m.exec(f.stdout)![1];
    expect(r.stdout.split('\n')).toEqual([
      `distill ${FOLDER}: ${kept} of 6 kept, ${6 - kept} dropped; 1 replay(s) hung (kept, not distilled: see the warnings); ft ${ft}`,
      expect.stringMatching(
        new RegExp(
          `^distilled 1 target\\(s\\): ${kept} of 6 new corpus entries kept, ${6 - kept} dropped; 6 entries replayed in \\d+\\.\\d s; 1 replay\\(s\\) hung, each stopped after 1 s \\(kept, not distilled\\)$`,
        ),
      ),
      `merged 1 folder(s) into ${out}: ${kept} new, 0 duplicate, 0 rejected (crash files: 0 new, 0 duplicate; corpus entries: ${kept} new, 0 duplicate, ${6 - kept} dropped as redundant by --distill)`,
      '',
    ]);
  });

  test('OUT’s own entry hangs too; after 3 hung replays the folder’s entries not replayed yet are kept whole', () => {
    const { hang } = modules();
    const out = join(tmp(), 'out');
    const seed = tmp();
    const [inOut] = corpus(seed, [[1]]);
    expect(cli(['merge', out, seed]).code).toBe(0); // a plain merge: no replay
    const input = tmp();
    // replay order: OUT's [1] (hangs), [0], [1, 0] (hangs), [1, 0, 0] (hangs: the 3rd), then none
    const names = corpus(input, [[0], [1, 0], [1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0, 0]]);
    const r = merge(['--distill', '--timeout', '1', '--reader-module', hang, out, input]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(hungLine(join(out, FOLDER, inOut!), 'it stays in OUT, not distilled'));
    expect(lines[1]).toMatch(hungLine(join(input, FOLDER, names[1]!), 'kept, not distilled'));
    expect(lines[2]).toMatch(
      hungLine(
        join(input, FOLDER, names[2]!),
        `kept, not distilled; ${FOLDER}: 3 replays hung, so its new entries not replayed yet are kept whole, undistilled`,
      ),
    );
    // every entry is there: [0] distilled (kept: the first), the hung ones, and the two not replayed
    expect(entries(out)).toEqual([inOut!, ...names].sort());
    expect(r.stdout).toMatch(
      new RegExp(
        `^distill ${FOLDER}: 5 of 5 kept, 0 dropped \\(1 already in OUT, kept\\); 3 replay\\(s\\) hung \\(kept, not distilled: see the warnings\\), 2 new entries not replayed after them \\(kept whole, undistilled\\); ft \\d+\\n` +
          `distilled 1 target\\(s\\): 5 of 5 new corpus entries kept, 0 dropped \\(1 already in OUT, kept\\); 4 entries replayed in \\d+\\.\\d s; 3 replay\\(s\\) hung, each stopped after 1 s \\(kept, not distilled\\)\\n`,
      ),
    );
  });

  test('a replay that ends its worker thread (process.exit in the reader) is set aside the same way', () => {
    const dir = tmp();
    const exits = join(dir, 'exit3.js');
    writeFileSync(exits, HANG_NEW.replace(HANG, '    process.exit(3);\n'));
    const input = tmp();
    const names = corpus(input, [[0], [1], [0, 0, 0]]);
    const out = join(tmp(), 'out');
    const r = merge(['--distill', '--reader-module', exits, out, input]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `ptefuzz: warning: ${join(input, FOLDER, names[1]!)}: its replay ended its worker thread (exited with code 3); kept, not distilled\n`,
    );
    // [0, 0, 0], replayed by the fresh worker after [0], adds nothing
    expect(entries(out)).toEqual([names[0]!, names[1]!].sort());
    expect(r.stdout).toMatch(
      new RegExp(`^distill ${FOLDER}: 2 of 3 kept, 1 dropped; 1 replay\\(s\\) hung \\(kept, not distilled`),
    );
  });

  test('--timeout without --distill: one line, exit 2', () => {
    const r = cli(['merge', '--timeout', '1', tmp(), tmp()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ptefuzz: --timeout: only with --distill (it limits each replay of a corpus entry)\n');
  });
});
