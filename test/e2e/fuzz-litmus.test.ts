/**
 * Issue 6: litmus files as fuzz seeds. `ptefuzz fuzz --scenario FILE.litmus`
 * runs the test's programs under a fuzz engine; an execution reaching the
 * `exists` outcome is a witness (exit 1), and its trace replays to that state.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { TraceSource, execute, DEFAULT_BOUNDS } from '../../src/machine';
import { parseLitmus, rawHolds, rawMachine } from '../../src/scenario';
import { ROOT, cli, cliInProcess, hasStackTrace } from '../support/cli';

const MP = 'corpus/litmus/MP.litmus';
const MP_FENCED = 'corpus/litmus/MP+wmb+rmb.litmus';

interface Result {
  test: string;
  model: string;
  executions: number;
  witnesses: number;
  first?: { execution: number; state: string; trace: number[] };
}

/** `fuzz … --json` in this process (the first test runs a litmus campaign as a process) */
async function fuzz(args: string[]) {
  const r = await cliInProcess(['fuzz', ...args, '--json']);
  expect(hasStackTrace(r.stderr)).toBe(false);
  return { ...r, tests: r.code === 2 ? [] : (JSON.parse(r.stdout) as { tests: Result[] }).tests };
}

describe('fuzz --scenario FILE.litmus', () => {
  test('LB+poonce-xchgrelaxed+mb under weak: no witness, and a warning that LKMM may have some; none under sc', () => {
    const r = cli(
      [
        'fuzz',
        '--scenario',
        'test/fixtures/LB+poonce-xchgrelaxed+mb.litmus',
        '--model',
        'sc',
        '--model',
        'weak',
      ].concat(['--engine', 'random', '--seed', '1', '--runs', '50']),
    );
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    const weak = lines.findIndex((l) => l.startsWith('LB+poonce-xchgrelaxed+mb weak: no execution reached'));
    expect(weak).toBeGreaterThan(-1);
    expect(lines[weak + 1]).toBe(
      "  warning: P0's READ_ONCE(*x) and its later xchg_relaxed(y, …) are unordered under LKMM, but weak runs a store " +
        'ahead of an earlier read only past plain loads, relaxed RMWs, stores, smp_rmb(), smp_wmb() and ifs of its block: LKMM outcomes that ' +
        'need this store ahead (LB-shaped) are missing here (README Limitations); LKMM may have witnesses here',
    );
    expect(lines.filter((l) => l.includes('warning'))).toHaveLength(1);
  });
  test('LB under weak: witnesses (a store run ahead of its read), no warning; none under sc', () => {
    const r = cli(
      ['fuzz', '--scenario', 'corpus/litmus/LB.litmus', '--model', 'sc', '--model', 'weak', '--json'].concat([
        '--engine',
        'random',
        '--seed',
        '1',
        '--runs',
        '200',
      ]),
    );
    expect(r.code).toBe(1);
    const tests = (JSON.parse(r.stdout) as { tests: { model: string; witnesses: number }[] }).tests;
    expect(tests.map((t) => [t.model, t.witnesses > 0])).toEqual([
      ['sc', false],
      ['weak', true],
    ]);
    expect(r.stderr).not.toContain('warning');
  });
  test('MP under weak: witnesses found (exit 1), the first one replays to the exists outcome; none under sc', async () => {
    const r = await fuzz([
      '--scenario',
      MP,
      '--model',
      'sc',
      '--model',
      'weak',
      '--engine',
      'random',
      '--runs',
      '2000',
      '--seed',
      '1',
    ]);
    expect(r.code).toBe(1);
    const [sc, weak] = r.tests;
    expect(sc).toMatchObject({ test: 'MP', model: 'sc', executions: 2000, witnesses: 0 });
    expect(weak).toMatchObject({ test: 'MP', model: 'weak', executions: 2000 });
    expect(weak!.witnesses).toBeGreaterThan(0);
    expect(weak!.first!.state).toBe('1:r0=1; 1:r1=0;');
    expect(r.stderr).toContain('MP weak: WITNESS');
    expect(r.stderr).toContain(`exhaustive answer: npx ptefuzz litmus ${MP} --model weak`);
    expect(r.stderr).toMatch(
      /^MP sc: no execution reached the outcome of exists \(1:r0=1 \/\\ 1:r1=0\) — engine random, seed 1: 2000 executions, 0 bound-hit$/m,
    );
    // the trace is a real witness: replayed on the test's machine it ends in the exists state
    const t = parseLitmus(readFileSync(join(ROOT, MP), 'utf8'), MP);
    const exec = execute(rawMachine(t), 'weak', new TraceSource(weak!.first!.trace), DEFAULT_BOUNDS);
    expect(rawHolds(t, exec)).toBe(true);
  });

  test('MP+wmb+rmb under weak, pct and coverage: no witness, exit 0, and the line says what was explored', async () => {
    for (const engine of ['pct', 'coverage']) {
      const r = await fuzz(['--scenario', MP_FENCED, '--engine', engine, '--runs', '1500', '--seed', '2']);
      expect(r.code).toBe(0);
      expect(r.tests).toMatchObject([{ test: 'MP+wmb+rmb', model: 'weak', executions: 1500, witnesses: 0 }]);
      expect(r.stderr).toContain(`MP+wmb+rmb weak: no execution reached the outcome of`);
      expect(r.stderr).toContain(`engine ${engine}, seed 2: 1500 executions`);
    }
  });

  test('same seed, same runs: the same witnesses and traces', async () => {
    const args = ['--scenario', 'corpus/litmus/SB.litmus', '--model', 'tso', '--runs', '1000', '--seed', '7'];
    expect((await fuzz(args)).tests).toEqual((await fuzz(args)).tests);
  });

  test('a litmus test with a kernel scenario, or with --reader: one line, exit 2', async () => {
    const mixed = await fuzz(['--scenario', MP, '--scenario', 's2-pae-zap-reestablish', '--runs', '1']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(
      /^ptefuzz: --scenario: litmus tests .* cannot share a campaign with kernel scenarios/m,
    );
    const reader = await fuzz(['--scenario', MP, '--reader', 'ptep_get', '--runs', '1']);
    expect(reader.code).toBe(2);
    expect(reader.stderr.trim()).toBe(`ptefuzz: --reader does not apply to litmus tests (${MP}): they have no reader`);
    const timeout = await fuzz(['--scenario', MP, '--timeout', '3', '--runs', '1']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr.trim()).toBe(
      `ptefuzz: --timeout does not apply to litmus tests (${MP}): they have no reader`,
    );
    const crashes = await fuzz(['--scenario', MP, '--crashes', 'out', '--runs', '1']);
    expect(crashes.code).toBe(2);
    expect(crashes.stderr.trim()).toBe(
      `ptefuzz: --crashes does not apply to litmus tests (${MP}): a litmus campaign counts the executions reaching the condition and writes no crash file`,
    );
    expect((await fuzz(['--scenario', MP, '--runs', '1'])).code).not.toBe(2);
  });
});
