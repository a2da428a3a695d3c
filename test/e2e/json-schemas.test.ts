/**
 * The `--json` outputs scripts read (README, *JSON outputs*): every object's exact keys, in order, for
 * `fuzz` (random, pct with --jobs and --shard, coverage, a litmus test), `matrix` (random, pct,
 * exhaustive) and `list`; and no `null` where the schema has none — JSON.stringify writes NaN and
 * ±Infinity as null and drops undefined, so a value that went wrong would show here. Lean: fixed seeds and
 * run counts, one or two targets each.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cliInProcess } from '../support/cli';

type Json = Record<string, unknown>;
const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-json-'));
const keys = (o: unknown): string[] => Object.keys(o as Json);
const obj = (o: unknown, k: string): Json => (o as Json)[k] as Json;
const arr = (o: unknown, k: string): Json[] => (o as Json)[k] as Json[];

/** every path below `v` whose value is null (JSON's NaN, Infinity) */
function nulls(v: unknown, path = '$'): string[] {
  if (v === null) return [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => nulls(x, `${path}[${i}]`));
  if (typeof v === 'object') return Object.entries(v as Json).flatMap(([k, x]) => nulls(x, `${path}.${k}`));
  return [];
}

/** The JSON a command prints (run in this process: these tests are about what it prints). */
async function json(args: readonly string[], code: number): Promise<Json> {
  const r = await cliInProcess(args);
  expect(r.code, r.stderr).toBe(code);
  const j = JSON.parse(r.stdout) as Json;
  expect(nulls(j)).toEqual([]);
  return j;
}

const TARGET = ['scenario', 'reader', 'contract', 'model'];
const STATS = ['executions', 'races', 'verdicts'];
const VERDICTS = ['agree', 'divergence', 'boundHit'];
const WATCHDOG = ['timeout', 'timeouts', 'restarts', 'dropped', 'minimizeHangs'];
const S2 = ['--scenario', 's2-pae-zap-reestablish'];

describe('fuzz --json', () => {
  test('random: top level, readers, targets, expectations, divergences', async () => {
    // prettier-ignore
    const j = await json(['fuzz', ...S2, '--reader', 'ptep_get', '--engine', 'random', '--runs', '300', '--seed', '1', '--crashes', tmp(), '--json'], 1);
    // prettier-ignore
    expect(keys(j)).toEqual([
      'executions', 'runs', 'seconds', 'execsPerSec', 'seed', 'engine', 'interrupted',
      'readers', 'targets', 'expectations', 'divergences', ...WATCHDOG,
    ]);
    expect(j.seed).toBe('1');
    expect(j.engine).toBe('random');
    expect(keys(j.readers)).toEqual(['ptep_get']);
    expect(keys(obj(j.readers, 'ptep_get'))).toEqual([...STATS, 'verdict']);
    const [t] = arr(j, 'targets');
    expect(keys(t)).toEqual([...TARGET, ...STATS, 'verdict']);
    expect(keys(t!.verdicts)).toEqual(VERDICTS);
    const [e] = arr(j, 'expectations');
    expect(keys(e)).toEqual(['scenario', 'reader', 'contract', 'expect', 'verdict', 'status', 'detail', 'models']);
    const [d] = arr(j, 'divergences');
    expect(keys(d)).toEqual([...TARGET, 'class', 'file', 'hits', 'first']);
    expect(keys(d!.first)).toEqual(['executions', 'seconds']);
  });

  test('pct, --jobs 2 --shard 1/2: engine, depth, jobs, shard and the pct bound', async () => {
    // prettier-ignore
    const j = await json(['fuzz', ...S2, '--reader', 'ptep_get', '--model', 'sc', '--engine', 'pct', '--runs', '200', '--seed', '1', '--jobs', '2', '--shard', '1/2', '--crashes', tmp(), '--json'], 1);
    // prettier-ignore
    expect(keys(j)).toEqual([
      'executions', 'runs', 'seconds', 'execsPerSec', 'seed', 'engine', 'depth', 'jobs', 'shard', 'interrupted',
      'readers', 'targets', 'pct', 'expectations', 'divergences', ...WATCHDOG,
    ]);
    expect([j.engine, j.depth, j.jobs, j.shard]).toEqual(['pct', 3, 2, '1/2']);
    const [p] = arr(j, 'pct');
    expect(keys(p)).toEqual([...TARGET, 'depth', 'cpus', 'steps', 'runs', 'counted', 'perRun', 'miss']);
  });

  test('coverage: coverage and stability, in total and per target', async () => {
    // prettier-ignore
    const j = await json(['fuzz', ...S2, '--reader', 'ptep_get_atomic64', '--model', 'sc', '--runs', '100', '--seed', '1', '--crashes', tmp(), '--json'], 0);
    // prettier-ignore
    expect(keys(j)).toEqual([
      'executions', 'runs', 'coverage', 'stability', 'seconds', 'execsPerSec', 'seed', 'engine', 'interrupted',
      'readers', 'targets', 'expectations', 'divergences', ...WATCHDOG,
    ]);
    expect(keys(j.coverage)).toEqual(['cov', 'ft', 'corpus', 'seeds']);
    expect(keys(j.stability)).toEqual(['checked', 'stable', 'percent']);
    const [t] = arr(j, 'targets');
    expect(keys(t)).toEqual([...TARGET, ...STATS, 'verdict', 'coverage', 'stability']);
    expect(keys(t!.coverage)).toEqual(['cov', 'ft', 'corpus', 'seeds']);
    expect(keys(t!.stability)).toEqual(['checked', 'stable', 'percent']);
    expect(arr(j, 'divergences')).toEqual([]);
  });

  test('a litmus test: seed, engine, one record per test and model', async () => {
    // prettier-ignore
    const j = await json(['fuzz', '--scenario', 'corpus/litmus/MP+wmb+rmb.litmus', '--model', 'sc', '--model', 'weak', '--engine', 'random', '--runs', '50', '--seed', '2', '--json'], 0);
    expect(keys(j)).toEqual(['seed', 'engine', 'tests']);
    const tests = arr(j, 'tests');
    expect(tests.map((t) => t.model)).toEqual(['sc', 'weak']);
    for (const t of tests)
      expect(keys(t)).toEqual(['test', 'file', 'model', 'condition', 'executions', 'boundHits', 'witnesses']);
  });
});

describe('matrix --json', () => {
  const cell = [...TARGET.slice(0, 3), 'declared', 'model', ...STATS, 'classes', 'verdict', 'explored'];
  const expectation = ['scenario', 'reader', 'contract', 'expect', 'verdict', 'status', 'detail'];

  test('random with --crashes, pct', async () => {
    // prettier-ignore
    const m = await json(['matrix', ...S2, '--reader', 'ptep_get', '--model', 'sc', '--contract', 'non-torn', '--runs', '100', '--crashes', tmp(), '--json'], 0);
    // prettier-ignore
    expect(keys(m)).toEqual(['engine', 'seed', 'runs', 'contracts', 'models', 'cells', 'expectations', 'failed', 'seconds']);
    const [c] = arr(m, 'cells');
    expect(keys(c)).toEqual([...cell, 'crashes']);
    expect(keys(c!.classes)).toEqual(['torn']);
    expect(keys(c!.crashes)).toEqual(['torn']);
    expect(keys(c!.explored)).toEqual(['engine', 'seed', 'runs']);
    expect(keys(arr(m, 'expectations')[0])).toEqual(expectation);

    // prettier-ignore
    const p = await json(['matrix', ...S2, '--reader', 'ptep_get_atomic64', '--model', 'sc', '--contract', 'non-torn', '--engine', 'pct', '--runs', '50', '--json'], 0);
    // prettier-ignore
    expect(keys(p)).toEqual(['engine', 'seed', 'runs', 'depth', 'contracts', 'models', 'cells', 'expectations', 'failed', 'seconds']);
    const [pc] = arr(p, 'cells');
    expect(keys(pc)).toEqual(cell);
    expect(keys(pc!.classes)).toEqual([]);
    expect(keys(pc!.explored)).toEqual(['engine', 'seed', 'runs', 'depth']);
  });

  test('exhaustive', async () => {
    // prettier-ignore
    const m = await json(['matrix', ...S2, '--reader', 'ptep_get', '--model', 'sc', '--contract', 'non-torn', '--engine', 'exhaustive', '--bound', '1', '--json'], 0);
    // prettier-ignore
    expect(keys(m)).toEqual(['engine', 'bound', 'maxExecutions', 'contracts', 'models', 'cells', 'expectations', 'failed', 'seconds']);
    const [c] = arr(m, 'cells');
    expect(keys(c)).toEqual(cell);
    expect(keys(c!.explored)).toEqual(['engine', 'bound', 'complete', 'boundCut', 'truncated']);
  });
});

describe('list --json', () => {
  test('the catalogue', async () => {
    const j = await json(['list', '--json'], 0);
    // prettier-ignore
    expect(keys(j)).toEqual(['scenarios', 'readers', 'operations', 'contracts', 'models', 'engines', 'instructions']);
    const s2 = arr(j, 'scenarios').find((s) => s.name === 's2-pae-zap-reestablish')!;
    // prettier-ignore
    expect(keys(s2)).toEqual(['name', 'title', 'arch', 'model', 'readers', 'expect', 'expectClauses', 'source', 'claim']);
    const s3 = arr(j, 'scenarios').find((s) => s.name === 's3-pae-fault-garbage')!;
    // prettier-ignore
    expect(keys(s3)).toEqual(['name', 'title', 'arch', 'model', 'readers', 'expect', 'expectClauses', 'source', 'claim', 'consumer', 'settings']);
    const nowmb = arr(j, 'scenarios').find((s) => s.name === 's2-pae-zap-reestablish-nowmb')!;
    expect(obj(nowmb.expectClauses, 'ptep_get_lockless')).toEqual([
      { verdict: 'correct', model: 'tso' },
      { verdict: 'bug', model: 'weak' },
    ]);
    for (const r of arr(j, 'readers')) expect(keys(r)).toEqual(['name', 'arch', 'contract', 'summary', 'source']);
    for (const o of arr(j, 'operations')) expect(keys(o)).toEqual(['name', 'arch', 'signature', 'summary', 'source']);
    for (const c of arr(j, 'contracts')) expect(keys(c)).toEqual(['name', 'summary', 'source']);
    for (const e of arr(j, 'engines')) expect(keys(e)).toEqual(['name', 'summary']);
    expect(j.models).toEqual(['sc', 'tso', 'weak']);
  });
});
