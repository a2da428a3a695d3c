/**
 * The persistent corpus through the CLI: `fuzz --corpus DIR` writes one
 * msgpack file per entry under DIR/<scenario>.<reader>.<contract>.<model>/,
 * the same seed and runs write byte-identical corpus folders and crash files,
 * a restart replays the saved corpus, and a corrupt or unknown file is one
 * warning line naming it, then skipped.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { describe, expect, test } from 'vitest';
import type { CliResult } from '../support/cli';
import { cli, hasStackTrace } from '../support/cli';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-corpus-'));
const FOLDER = 's1-pae-double-refault.ptep_get_lockless.non-torn.tso';
const ARGS = ['--scenario', 's1-pae-double-refault', '--reader', 'ptep_get_lockless', '--model', 'tso', '--seed', '42'];

interface Summary {
  coverage: { cov: number; ft: number; corpus: number; seeds: number };
}

function fuzz(corpus: string, crashes: string, runs: number, jobs: string[] = []) {
  const r = cli(['fuzz', ...ARGS, '--runs', String(runs), ...jobs, '--corpus', corpus, '--crashes', crashes, '--json']);
  expect(hasStackTrace(r.stderr)).toBe(false);
  return { ...r, summary: JSON.parse(r.stdout) as Summary };
}

/** The runs of the campaign below. */
const RUNS = 1500;
let first: (ReturnType<typeof fuzz> & { corpus: string; crashes: string }) | undefined;
/**
 * `fuzz ARGS --runs 1500 --jobs 1` on fresh folders, run once for the four tests that start from it (each of the
 * CLI runs costs its start-up, far more than its runs): it is the first run of the byte-identity test, the saved
 * corpus the restart tests load, and the one-job stability figures. Its folders are never changed: a test that
 * writes to the corpus works on a copy (corpusCopy).
 */
function firstCampaign(): ReturnType<typeof fuzz> & { corpus: string; crashes: string } {
  if (first === undefined) {
    const corpus = tmp();
    const crashes = tmp();
    first = { ...fuzz(corpus, crashes, RUNS, ['--jobs', '1']), corpus, crashes };
  }
  return first;
}

/** A fresh copy of firstCampaign's corpus folder. */
function corpusCopy(): string {
  const copy = tmp();
  cpSync(firstCampaign().corpus, copy, { recursive: true });
  return copy;
}

/** Every file under a folder (one level of subfolders), with its bytes. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory())
      for (const f of readdirSync(join(dir, e.name))) out.set(`${e.name}/${f}`, readFileSync(join(dir, e.name, f)));
    else out.set(e.name, readFileSync(join(dir, e.name)));
  }
  return out;
}

describe('fuzz --corpus', () => {
  test('same seed and runs ⇒ byte-identical corpus folders and crash files; the file format', () => {
    const ra = firstCampaign();
    const a = { corpus: ra.corpus, crashes: ra.crashes };
    const b = { corpus: tmp(), crashes: tmp() };
    fuzz(b.corpus, b.crashes, RUNS, ['--jobs', '1']);
    const corpusA = tree(a.corpus);
    expect(corpusA.size).toBe(ra.summary.coverage.corpus);
    expect([...corpusA.keys()].every((k) => new RegExp(`^${FOLDER}/[0-9a-f]{16}\\.msgpack$`).test(k))).toBe(true);
    const corpusB = tree(b.corpus);
    expect([...corpusB.keys()]).toEqual([...corpusA.keys()]);
    for (const [k, v] of corpusA) expect(corpusB.get(k)!.equals(v)).toBe(true);
    const crashesA = tree(a.crashes);
    expect(crashesA.size).toBeGreaterThan(0);
    for (const [k, v] of crashesA) expect(tree(b.crashes).get(k)?.equals(v)).toBe(true);

    const [name, bytes] = [...corpusA][0]!;
    const entry = new Packr({ useRecords: false }).unpack(bytes) as Record<string, unknown>;
    expect(Object.keys(entry)).toEqual(['format', 'version', 'scenario', 'reader', 'contract', 'model', 'trace']);
    expect(entry).toMatchObject({
      format: 'ptefuzz-corpus',
      version: 1,
      scenario: 's1-pae-double-refault',
      reader: 'ptep_get_lockless',
      contract: 'non-torn',
      model: 'tso',
    });
    expect(Array.isArray(entry['trace'])).toBe(true);
    expect(ra.stderr).toMatch(
      /^#\d+\tNEW\tcov: \d+ ft: \d+ corp: \d+ stab: 100\.00% exec\/s: \d+ crashes: \d+ rss: \d+ MB$/m,
    );
    expect(name).toMatch(/\.msgpack$/);
    // the replay commands follow their header at once; the corpus and stability lines come after them
    const tail = ra.stderr.slice(ra.stderr.lastIndexOf('distinct divergence(s); replay with:')).split('\n');
    expect(tail.slice(1, 1 + crashesA.size).every((l) => l.startsWith('  npx ptefuzz replay '))).toBe(true);
    expect(tail[1 + crashesA.size]).toMatch(/^INFO: corpus /);
  });

  test('a restart replays the saved corpus; corrupt and unknown files are one warning each, then skipped', () => {
    const first = firstCampaign();
    const corpus = corpusCopy();
    const saved = tree(corpus).size;
    expect(saved).toBeGreaterThan(3);
    const bad = join(corpus, FOLDER, '00000000000000aa.msgpack');
    const future = join(corpus, FOLDER, '00000000000000bb.msgpack');
    writeFileSync(bad, 'not msgpack at all \xff\xfe');
    writeFileSync(future, new Packr({ useRecords: false }).pack({ format: 'ptefuzz-corpus', version: 99, trace: [1] }));
    const second = fuzz(corpus, tmp(), saved);
    expect(second.summary.coverage.seeds).toBe(saved);
    expect([second.summary.coverage.cov, second.summary.coverage.ft]).toEqual([
      first.summary.coverage.cov,
      first.summary.coverage.ft,
    ]);
    const warnings = second.stderr.split('\n').filter((l) => l.startsWith('ptefuzz: warning:'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(bad);
    expect(warnings[0]).toMatch(/skipped$/);
    expect(warnings[1]).toContain(future);
    expect(warnings[1]).toContain('version 99');
    expect(second.stderr).toContain(`${saved} entries loaded`);
  });

  test('--jobs 2 on a corpus with many damaged files: each named once, the first 10 only, then one line; counted once', () => {
    const corpus = tmp();
    mkdirSync(join(corpus, FOLDER));
    const files = Array.from({ length: 14 }, (_, i) =>
      join(corpus, FOLDER, `${i.toString(16).padStart(16, '0')}.msgpack`),
    );
    for (const f of files) writeFileSync(f, 'truncated'); // as a killed `cp` or a full disk leaves them
    const r = cli(['fuzz', ...ARGS, '--runs', '20', '--jobs', '2', '--corpus', corpus, '--crashes', tmp()]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('ptefuzz: warning:'));
    // was: every file once per worker (28 lines), and `28 unreadable files skipped`
    const named = warnings
      .slice(0, 10)
      .map((l) => /^ptefuzz: warning: (\S+): not a readable corpus entry .*; skipped$/.exec(l)?.[1]);
    expect(new Set(named).size).toBe(10);
    for (const f of named) expect(files).toContain(f);
    expect(warnings.slice(10)).toEqual([
      `ptefuzz: warning: ${corpus}/: more corpus files do not load; they are skipped without a line each (the INFO: corpus line at the end counts them; \`ptefuzz merge SCRATCH-FOLDER ${corpus}\` names every one)`,
    ]);
    expect(r.stderr).toMatch(
      /^INFO: corpus .*: 0 entries loaded, \d+ new entries saved, 14 unreadable files skipped$/m,
    );
  });

  test("--jobs 2 reports the union of the workers' maps: both replaying a saved corpus cover what it covered", () => {
    const first = firstCampaign();
    const corpus = corpusCopy();
    const saved = tree(corpus).size;
    // 2 × saved runs of one scenario: each job's share is exactly the saved entries, every one replayed by both
    const r = cli([
      'fuzz',
      ...ARGS,
      '--runs',
      String(2 * saved),
      '--jobs',
      '2',
      '--corpus',
      corpus,
      '--crashes',
      tmp(),
      '--json',
    ]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    const sum = JSON.parse(r.stdout) as Summary & { targets: { coverage: Summary['coverage'] }[] };
    expect(sum.coverage.seeds).toBe(2 * saved);
    // a sum over the workers would count every feature twice
    expect([sum.coverage.cov, sum.coverage.ft]).toEqual([first.summary.coverage.cov, first.summary.coverage.ft]);
    expect(sum.targets[0]!.coverage).toEqual(sum.coverage);
    // both workers load the folder, and each the entries its sibling wrote: counted once, the sibling's not at all
    // (was: 2 × saved and more)
    expect(r.stderr).toMatch(
      new RegExp(`^INFO: corpus ${corpus}/: ${saved} entries loaded, \\d+ new entries saved$`, 'm'),
    );
    const { cov, ft, corpus: corp } = sum.coverage;
    expect(r.stderr).toMatch(
      new RegExp(`^#${2 * saved}\tDONE\tcov: ${cov} ft: ${ft} corp: ${corp} stab: 100\\.00% exec/s: `, 'm'),
    );
  });

  test('--corpus on a file, or with an engine that keeps no corpus: one line, exit 2', () => {
    const file = join(tmp(), 'f');
    writeFileSync(file, '');
    for (const args of [
      ['--corpus', file],
      ['--engine', 'random', '--corpus', tmp()],
    ]) {
      const r = cli(['fuzz', '--runs', '1', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--corpus/);
    }
  });
});

describe('fuzz --jobs 2, stability', () => {
  test('the main thread adds up the workers’ re-executions: 100 % over more checks than one job makes', () => {
    const run = (r: CliResult) => {
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.stderr).not.toMatch(/unstable corpus entry/);
      return JSON.parse(r.stdout) as { stability: { checked: number; stable: number; percent: number } };
    };
    // the same campaign with one job (firstCampaign) and with two
    const one = run(firstCampaign());
    const two = run(fuzz(tmp(), tmp(), RUNS, ['--jobs', '2']));
    expect(one.stability.percent).toBe(100);
    expect(two.stability.percent).toBe(100);
    expect(two.stability.stable).toBe(two.stability.checked);
    // each worker admits (and re-executes) its own corpus and makes its own final sample
    expect(two.stability.checked).toBeGreaterThan(one.stability.checked);
  });
});
