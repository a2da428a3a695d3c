import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { TraceSource } from '../../src/machine';
import { ARCHES, builtinReaders } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import { makeTarget, runTarget } from '../../src/campaign';
import { builtinScenario } from '../../src/scenario';
import type { CliResult } from '../support/cli';
import { cli, cliInProcess, hasStackTrace } from '../support/cli';

const registry = builtinReaders();
function target(scenario: string, reader: string, contract?: string) {
  const s = builtinScenario(scenario)!;
  const r = registry.get(reader)!;
  return makeTarget(s, r, contractByName(contract ?? r.contract)!, s.model, ARCHES[s.arch]!);
}
const run = (scenario: string, reader: string, trace: number[], contract?: string) =>
  runTarget(target(scenario, reader, contract), new TraceSource(trace)).judgement.verdict;

interface Summary {
  targets: { reader: string; executions: number; races: number; verdicts: Record<string, number>; verdict: string }[];
  divergences: { class: string; reader: string }[];
}
/** `fuzz ARGS --json` into a fresh crash folder: in this process, unless `run` is the built binary (cli). */
async function fuzz(
  args: string[],
  run: (args: string[]) => Promise<CliResult> = cliInProcess,
): Promise<{ code: number; s: Summary }> {
  const r = await run(['fuzz', ...args, '--crashes', mkdtempSync(join(tmpdir(), 'ptefuzz-arm64-')), '--json']);
  expect(hasStackTrace(r.stderr)).toBe(false);
  return { code: r.code, s: JSON.parse(r.stdout) as Summary };
}

describe('hand-written witnesses (DOMAIN §C, arm64)', () => {
  test('S8 pre-fix: the DBM CPU dirties pte3 first (pick 3, then schedule it) → the SMMU walker livelocks', () => {
    const v = run('s8-contpte-set-access-flags', 'contpte_ptep_get_lockless', [3, 1]);
    expect(v.kind === 'divergence' && v.class).toBe('livelock');
    expect(v.kind === 'divergence' && v.detail).toMatch(/per-descriptor walker .* retried 65 times/);
  });

  test('S8 fixed: the same schedule terminates and agrees', () => {
    expect(run('s8-contpte-set-access-flags-fixed', 'contpte_ptep_get_lockless', [3, 1])).toEqual({ kind: 'agree' });
  });

  test('extended SW bits: reader reads HW, the zap + refault runs, reader reads the new SW word → torn', () => {
    const v = run('ext-sw-bits-zap-refault', 'ptep_get_ext_sw', [0, 1]);
    expect(v.kind === 'divergence' && v.class).toBe('torn');
  });

  test('S6: plain gather reads pte3 CONT, then the remap and the FolioB write run, then the gather → false-dirty', () => {
    const v = run('s6-contpte-remap-false-dirty', 'contpte_ptep_get', [0, 1], 'no-false-dirty');
    expect(v.kind === 'divergence' && v.class).toBe('false-dirty');
    // the same schedule against the validating reader: it retries and agrees
    expect(run('s6-contpte-remap-false-dirty', 'contpte_ptep_get_lockless', [0, 1], 'no-false-dirty')).toEqual({
      kind: 'agree',
    });
  });
});

describe('fixed-seed fuzz runs find the bugs', () => {
  test('S8 pre-fix: livelock in 200 runs; fixed form: no divergence, no bound hit in 500', async () => {
    const pre = await fuzz(
      [
        '--scenario',
        's8-contpte-set-access-flags',
        '--reader',
        'contpte_ptep_get_lockless',
        '--runs',
        '200',
        '--seed',
        '1',
      ],
      async (args) => cli(args),
    );
    expect(pre.code).toBe(1);
    expect(new Set(pre.s.divergences.map((d) => d.class))).toEqual(new Set(['livelock']));
    const fixed = await fuzz(['--scenario', 's8-contpte-set-access-flags-fixed', '--runs', '500', '--seed', '1']);
    expect(fixed.code).toBe(0);
    for (const t of fixed.s.targets) expect(t.verdicts).toEqual({ agree: 500, divergence: 0, boundHit: 0 });
  });

  test('extended SW bits: torn in 500 runs', async () => {
    const r = await fuzz(['--scenario', 'ext-sw-bits-zap-refault', '--runs', '500', '--seed', '1']);
    expect(r.code).toBe(1);
    expect(new Set(r.s.divergences.map((d) => d.class))).toEqual(new Set(['torn']));
  });

  test('S6 (pct, 2000 runs): plain gather false-dirty under no-false-dirty; the lockless readers agree and raced', async () => {
    const r = await fuzz([
      '--scenario',
      's6-contpte-remap-false-dirty',
      '--contract',
      'no-false-dirty',
      '--engine',
      'pct',
      '--runs',
      '2000',
      '--seed',
      '1',
    ]);
    expect(r.code).toBe(1);
    const by = Object.fromEntries(r.s.targets.map((t) => [t.reader, t]));
    expect(by['contpte_ptep_get']!.verdict).toBe('divergence');
    expect(by['contpte_ptep_get_lockless']!.verdict).toBe('agree');
    expect(by['contpte_ptep_get_lockless@2025']!.verdict).toBe('agree');
    expect(by['contpte_ptep_get_lockless']!.races).toBeGreaterThan(100);
    expect(new Set(r.s.divergences.map((d) => d.class))).toEqual(new Set(['false-dirty']));
  });
});

describe('S5 / S9 per contract (coverage engine, seed 1, 1500 runs each)', () => {
  const verdicts = async (scenario: string, contract: string): Promise<Record<string, string>> => {
    const r = await fuzz(['--scenario', scenario, '--contract', contract, '--runs', '1500', '--seed', '1']);
    return Object.fromEntries(r.s.targets.map((t) => [t.reader, t.verdict]));
  };
  test('S5: the plain gather and __ptep_get are false-clean under exact only; the lockless forms hold all three', async () => {
    expect(await verdicts('s5-contpte-unfold-gather', 'exact')).toEqual({
      contpte_ptep_get: 'divergence',
      'contpte_ptep_get@2025': 'divergence',
      contpte_ptep_get_lockless: 'agree',
      'contpte_ptep_get_lockless@2025': 'agree',
      __ptep_get: 'divergence',
    });
    for (const c of ['ad-relaxed', 'no-false-dirty']) {
      expect(new Set(Object.values(await verdicts('s5-contpte-unfold-gather', c)))).toEqual(new Set(['agree']));
    }
  });
  test('S9 (TLBI and BBML2): the lockless gathers hold ad-relaxed and no-false-dirty; the plain gather only ad-relaxed', async () => {
    // The coverage engine finds what the random one did not: contpte_ptep_get (documented PTL-held, no
    // validation) read locklessly ORs in the dirty bit that DBM set on pte0 after the unfold — pte0 then
    // maps another page — while its stale read of pte1 still said CONT: a false-positive dirty, S6's bug.
    const lockless = ['contpte_ptep_get_lockless', 'contpte_ptep_get_lockless@2025'];
    const plainClasses = new Set<string>();
    for (const s of ['s9-contpte-fold-unfold', 's9-contpte-fold-unfold-bbml2']) {
      expect(new Set(Object.values(await verdicts(s, 'ad-relaxed')))).toEqual(new Set(['agree']));
      const r = await fuzz(['--scenario', s, '--contract', 'no-false-dirty', '--runs', '1500', '--seed', '1']);
      for (const t of r.s.targets) if (lockless.includes(t.reader)) expect(t.verdict, t.reader).toBe('agree');
      for (const d of r.s.divergences) {
        expect(lockless).not.toContain(d.reader);
        plainClasses.add(d.class);
      }
    }
    expect(plainClasses).toEqual(new Set(['false-dirty']));
  });
});
