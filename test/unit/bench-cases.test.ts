/**
 * The bench's cases (src/bench/cases.ts): every built-in reader expected buggy, or those of the scenarios given —
 * `--scenario` takes a `.scn` file too, whose cases are judged under the contract the file gives the reader.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { knownBugCases } from '../../src/bench/cases';
import { benchMain } from '../../src/bench/main';
import { loadScenarioFile } from '../../src/cli/scenario-files';
import { builtinReaders } from '../../src/kernel';
import { builtinScenarios } from '../../src/scenario';

const ROOT = join(__dirname, '..', '..');

describe('knownBugCases', () => {
  test('without a selection: one case per built-in reader with a bug clause', () => {
    const want = builtinScenarios().flatMap((s) =>
      s.readers.filter((r) => s.expect[r]?.some((c) => c.verdict === 'bug')).map((r) => `${s.name} ${r}`),
    );
    expect(knownBugCases().map((c) => `${c.scenario} ${c.reader}`)).toEqual(want);
    expect(knownBugCases().every((c) => c.file === undefined)).toBe(true);
  });

  test('a scenario file: its readers expected buggy, under the contract its reader lines give, with its path', () => {
    const file = join(ROOT, 'corpus', 'mailing-list', 's6-contpte-aba-gup.scn');
    const l = loadScenarioFile(file, builtinReaders());
    if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
    const cases = knownBugCases([l.scenario]);
    expect(cases.map((c) => c.label)).toEqual([
      's6-contpte-aba-gup contpte_ptep_get weak',
      's6-contpte-aba-gup contpte_ptep_get@2025 weak',
    ]);
    for (const c of cases) {
      expect(c.file).toBe(file);
      expect(c.target.contract.name).toBe('gup-no-false-dirty');
    }
    // a built-in by name beside it keeps its declared contracts
    const both = knownBugCases(['s7-arm64-fault-norecency', l.scenario]);
    expect(both.map((c) => `${c.scenario} ${c.target.contract.name}`)).toEqual([
      's7-arm64-fault-norecency ad-relaxed',
      's7-arm64-fault-norecency ad-relaxed',
      's6-contpte-aba-gup gup-no-false-dirty',
      's6-contpte-aba-gup gup-no-false-dirty',
    ]);
  });
});

/** benchMain with stderr captured: its exit code and what it wrote */
async function bench(args: string[]): Promise<{ code: number; stderr: string }> {
  const writes: string[] = [];
  const was = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => (writes.push(s), true)) as typeof process.stderr.write;
  try {
    return { code: await benchMain(args), stderr: writes.join('') };
  } finally {
    process.stderr.write = was;
  }
}

describe('npm run bench -- --scenario', () => {
  test('a litmus file is one line and exit 2', async () => {
    const r = await bench(['--scenario', join(ROOT, 'corpus', 'litmus', 'MP+wmb+rmb.litmus'), '--quick']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ptefuzz bench: --scenario .*MP\+wmb\+rmb\.litmus: a litmus test, not a kernel scenario/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  test('a scenario file that does not lower is one line naming file:line:col, exit 2 (was: a stack trace)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ptefuzz-bench-')), 'bad.scn');
    writeFileSync(file, 'scenario bad\narch arm64\npte pte = 0x1\nreader bogus\ncpu A {\n  reader(pte)\n}\n');
    const r = await bench(['--scenario', file, '--quick']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ptefuzz bench: .*bad\.scn:4:1: expected a reader .*found 'bogus'/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
