import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cli, cliInProcess, hasStackTrace } from '../support/cli';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-matrix-'));

interface Cell {
  scenario: string;
  reader: string;
  contract: string;
  declared: boolean;
  model: string;
  executions: number;
  races: number;
  verdicts: { agree: number; divergence: number; boundHit: number };
  classes: Record<string, number>;
  verdict: string;
  explored: Record<string, unknown>;
  crashes?: Record<string, string>;
}
interface Matrix {
  cells: Cell[];
  expectations: { scenario: string; reader: string; expect: string; status: string }[];
  failed: number;
  seconds: number;
}

/** `matrix ARGS --json`, in this process. */
async function matrix(args: string[]): Promise<{ code: number; json: Matrix; stderr: string }> {
  const r = await cliInProcess(['matrix', ...args, '--json']);
  expect(hasStackTrace(r.stderr)).toBe(false);
  return { code: r.code, json: JSON.parse(r.stdout) as Matrix, stderr: r.stderr };
}

const S2 = ['--scenario', 's2-pae-zap-reestablish'];
const cell = (m: Matrix, reader: string, contract: string, model: string): Cell =>
  m.cells.find((c) => c.reader === reader && c.contract === contract && c.model === model)!;

describe('ptefuzz matrix', async () => {
  test('S2, 300 runs: ptep_get diverges (torn), ptep_get_lockless agrees under non-torn with races, every model', async () => {
    const r = await matrix([...S2, '--runs', '300']);
    expect(r.code).toBe(0);
    for (const model of ['sc', 'tso', 'weak']) {
      const bad = cell(r.json, 'ptep_get', 'non-torn', model);
      expect(bad.verdict).toBe('divergence');
      expect(Object.keys(bad.classes)).toEqual(['torn']);
      const good = cell(r.json, 'ptep_get_lockless', 'non-torn', model);
      expect(good).toMatchObject({ verdict: 'agree', declared: true, executions: 300 });
      expect(good.verdicts.divergence).toBe(0);
      expect(good.races).toBeGreaterThan(200);
      expect(good.explored).toEqual({ engine: 'random', seed: '1', runs: 300 });
    }
    // every contract of src/compare/contracts.ts, every model, every reader the scenario names
    const contracts = JSON.parse((await cliInProcess(['list', '--json'])).stdout).contracts.map(
      (c: { name: string }) => c.name,
    );
    expect(r.json.cells).toHaveLength(3 * contracts.length * 3);
    expect(r.json.expectations.map((e) => [e.reader, e.expect, e.status])).toEqual([
      ['ptep_get_lockless', 'correct', 'met'],
      ['ptep_get', 'bug', 'met'],
      ['ptep_get_atomic64', 'correct', 'met'],
    ]);
    expect(r.json.failed).toBe(0);
  });

  test('a contract judges the same executions: exact rejects the non-present values non-torn accepts', async () => {
    const r = await matrix([...S2, '--runs', '200', '--reader', 'ptep_get_lockless', '--model', 'sc']);
    const exact = cell(r.json, 'ptep_get_lockless', 'exact', 'sc');
    const nonTorn = cell(r.json, 'ptep_get_lockless', 'non-torn', 'sc');
    expect(exact.executions).toBe(nonTorn.executions);
    expect(exact.races).toBe(nonTorn.races);
    expect(exact.verdicts.divergence).toBeGreaterThan(0);
    expect(nonTorn.verdicts.divergence).toBe(0);
  });

  test('text: aligned table with the header columns, and the expectations', () => {
    const r = cli(['matrix', ...S2, '--runs', '100']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const header = lines.find((l) => l.trimStart().startsWith('reader'))!;
    expect(header.trim().split(/\s+/)).toEqual([
      'reader',
      'contract',
      'model',
      'execs',
      'raced',
      'diverged',
      'bound-hit',
      'verdict',
      'expected',
    ]);
    const row = lines.find((l) => /^\s+ptep_get_lockless\s+non-torn\*\s+sc\s/.test(l))!;
    expect(row.indexOf('agree')).toBe(header.indexOf('verdict'));
    expect(row.trim().split(/\s+/)).toEqual([
      'ptep_get_lockless',
      'non-torn*',
      'sc',
      '100',
      expect.any(String),
      '0',
      '0',
      'agree',
      'correct',
    ]);
    expect(r.stdout).toContain('engine random, seed 1, 100 runs per scenario');
    expect(r.stdout).toContain('All 3 expectation(s) borne out.');
  });

  test('determinism: the same command twice gives the same JSON (minus seconds) and the same crash files', async () => {
    const [a, b] = [tmp(), tmp()];
    const args = [...S2, '--runs', '150', '--seed', '9', '--model', 'sc', '--model', 'weak'];
    const one = (await matrix([...args, '--crashes', a])).json;
    const two = (await matrix([...args, '--crashes', b])).json;
    const norm = (m: Matrix, dir: string): string =>
      JSON.stringify({ ...m, seconds: 0 })
        .split(dir)
        .join('DIR');
    expect(norm(one, a)).toBe(norm(two, b));
    expect(readdirSync(a).sort()).toEqual(readdirSync(b).sort());
    for (const f of readdirSync(a)) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(true);
  });

  test('--crashes: one file per divergent cell and class, each replays', async () => {
    const dir = tmp();
    const r = await matrix([
      ...S2,
      ...['--runs', '200', '--model', 'sc', '--contract', 'non-torn', '--crashes', dir],
      ...['--reader-module', 'harness/readers/pae-buggy.js'],
    ]);
    const divergent = r.json.cells.filter((c) => c.verdict === 'divergence');
    expect(divergent.map((c) => c.reader)).toEqual(['ptep_get', 'ptep_get_recheck_high']);
    const files = divergent.flatMap((c) => Object.values(c.crashes!));
    expect(
      readdirSync(dir)
        .map((f) => join(dir, f))
        .sort(),
    ).toEqual(files.sort());
    const rep = await cliInProcess(['replay', '--reader-module', 'harness/readers/pae-buggy.js', dir]);
    expect(rep.code).toBe(0);
    expect(rep.stdout).toContain(`${files.length} crash file(s): ${files.length} reproduced`);
  });

  test('"correct under tso, bug under weak" (S2 without the wmbs): each clause on its models; one not run is unchecked', async () => {
    const nowmb = ['matrix', '--scenario', 's2-pae-zap-reestablish-nowmb', '--reader', 'ptep_get_lockless'];
    // tso only: correct under tso is confirmed, the weak clause cannot be judged — not a mismatch, exit 0
    const tso = await cliInProcess([...nowmb, '--model', 'tso', '--runs', '200']);
    expect(tso.code).toBe(0);
    expect(tso.stdout).toMatch(
      /ptep_get_lockless\s+non-torn\s+correct under tso\s+ok\s+agree under tso \(200 executions/,
    );
    expect(tso.stdout).toMatch(
      /ptep_get_lockless\s+non-torn\s+bug under weak\s+unchecked\s+weak not run \(the models run: tso; bug under weak is judged under weak\)/,
    );
    expect(tso.stdout).toContain(
      'All 1 judged expectation(s) borne out; 1 unchecked: ptep_get_lockless on s2-pae-zap-reestablish-nowmb, bug under weak.',
    );
    // every model: the tso cell is expected correct, the weak one a bug — and both are borne out
    const all = await cliInProcess([...nowmb, '--runs', '200']);
    expect(all.code).toBe(0);
    const expected = (model: string): string | undefined =>
      all.stdout
        .split('\n')
        .find((l) => new RegExp(`^\\s+ptep_get_lockless\\s+non-torn\\*\\s+${model}\\s`).test(l))
        ?.trim()
        .split(/\s+/)
        .at(-1);
    expect(['sc', 'tso', 'weak'].map(expected)).toEqual(['correct', 'correct', 'bug']);
    expect(all.stdout).toMatch(/bug under weak\s+ok\s+divergence: torn under weak/);
    expect(all.stdout).toContain('All 2 expectation(s) borne out.');
    // a weak run too short to find the tear: that clause is contradicted, and named
    const short = await cliInProcess([...nowmb, '--model', 'weak', '--runs', '1']);
    expect(short.code).toBe(1);
    expect(short.stdout).toMatch(/bug under weak\s+MISMATCH\s+no divergence under weak \(1 executions/);
    expect(short.stdout).toContain(
      '1 of 2 expectation(s) NOT borne out: ptep_get_lockless on s2-pae-zap-reestablish-nowmb, bug under weak (MISMATCH)',
    );
  });

  test('--engine exhaustive counts what explore enumerates, and says whether the bound cut the search', async () => {
    const r = await matrix([...S2, '--engine', 'exhaustive', '--bound', '1', '--model', 'tso', '--reader', 'ptep_get']);
    const c = cell(r.json, 'ptep_get', 'non-torn', 'tso');
    const crashes = join(mkdtempSync(join(tmpdir(), 'ptefuzz-matrix-explore-')), 'crashes');
    const x = await cliInProcess([
      'explore',
      ...S2,
      '--bound',
      '1',
      '--model',
      'tso',
      '--reader',
      'ptep_get',
      '--crashes',
      crashes,
    ]);
    expect(x.stdout).toContain(`Executions ${c.executions} (traces); the preemption bound 1 cut the search`);
    expect(c.explored).toEqual({ engine: 'exhaustive', bound: 1, complete: true, boundCut: true, truncated: false });
    expect(c.verdict).toBe('divergence');
  });

  test('bad usage: one line, exit 2', async () => {
    for (const [args, msg] of [
      [['--bound', '2'], '--bound applies to --engine exhaustive only'],
      [['--engine', 'exhaustive', '--runs', '5'], '--runs does not apply to --engine exhaustive'],
      [['--engine', 'coverage'], 'unknown engine "coverage"'],
      [['--contract', 'linear'], 'unknown contract "linear"'],
      [['--scenario', 'nope'], 'unknown scenario "nope"'],
    ] as const) {
      const r = await cliInProcess(['matrix', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(msg);
    }
  });
});

describe('a scenario that judges a reader by its own contract (`reader NAME contract C expect …`)', () => {
  const scn = join(__dirname, '..', '..', 'corpus', 'mailing-list', 'contpte-refold-other-folio.scn');
  const common = ['--scenario', scn, '--reader', 'contpte_ptep_get_lockless', '--model', 'sc', '--seed', '1'];

  test('matrix checks the expectation under that contract (not "unchecked" under the reader’s declared ad-relaxed)', async () => {
    const r = await cliInProcess(['matrix', ...common, '--runs', '60']);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout).toMatch(/contpte_ptep_get_lockless +no-false-dirty\* +sc .* agree +correct$/m);
    expect(r.stdout).not.toContain('unchecked');
    expect(r.code).toBe(0);
  });

  test('fuzz shows the expectation in its table and counts it borne out', async () => {
    const r = await cliInProcess(['fuzz', ...common, '--runs', '60', '--engine', 'random', '--crashes', tmp()]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/contpte_ptep_get_lockless +no-false-dirty +sc .* agree +correct$/m);
    expect(r.stderr).toContain('1 of 1 borne out (bug found 0, correct confirmed 1)');
  });
});
