import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayCrash } from '../../src/campaign';
import { loadCrash } from '../../src/crash';
import { builtinReaders } from '../../src/kernel';
import { renderDiagram, renderVerdictReport } from '../../src/report';
import type { FoldRow } from '../../src/report/fold';
import { findFolds } from '../../src/report/fold';
import { reportInput } from '../../src/cli/render';

const rows = (keys: string): FoldRow[] => [...keys].map((key, i) => ({ key, steps: [i] }));

describe('findFolds', () => {
  it('folds a block repeated identically, after its first copy', () => {
    // x, then "abcd" 6 times, then y: 20 rows hidden
    expect(findFolds(rows('x' + 'abcd'.repeat(6) + 'y'))).toEqual([{ start: 1, length: 4, copies: 6 }]);
  });
  it('keeps short natural repeats (three loads of one pte) and a block seen only twice', () => {
    expect(findFolds(rows('xaaay'))).toEqual([]);
    expect(findFolds(rows('x' + 'abcdefghijklmnopq'.repeat(2)))).toEqual([]);
  });
});

describe('a livelock witness (S8) reads as one iteration and "repeats"', () => {
  const file = 's8-contpte-set-access-flags.contpte_ptep_get_lockless.ad-relaxed.weak.livelock.878d25e700dd.msgpack';
  const r = replayCrash(loadCrash(join(__dirname, '../../crashes', file)), file, builtinReaders());
  const t = r.target;
  const text = renderVerdictReport(reportInput(t, r.run));
  const lines = text.split('\n');

  it('reproduces a 1236-step bound hit: the hw write (step 0), then 65 identical 19-step fault iterations', () => {
    expect(r.reproduced).toBe(true);
    expect(r.run.exec.steps).toBe(1 + 19 * 65);
  });
  it('shows steps 0..19 and folds steps 20..1235 into one line', () => {
    expect(lines.filter((l) => /^ +19 {2}/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^ +20 {2}/.test(l))).toHaveLength(0);
    expect(text).toContain('⋮ steps 1..19 repeat 64 more times, identically');
    expect(text).toContain('(steps 20..1235 not shown)');
  });
  it('without the step gutter the fold line names no step: lines above, and the 64 × 19 steps hidden', () => {
    const plain = renderDiagram({ ...reportInput(t, r.run), stepNumbers: false });
    // one note, wrapped at the width of the two columns (66 characters), every line of it marked ⋮
    const folds = plain.split('\n').filter((l) => l.startsWith('⋮'));
    expect(folds.length).toBeGreaterThan(1);
    for (const l of folds) expect(l.length).toBeLessThanOrEqual(2 * 34 - 2);
    expect(folds.map((l, k) => (k === 0 ? l : l.slice(1))).join('')).toMatch(
      /^⋮ the \d+ lines above repeat 64 more times, identically: same operations, same values read \(1216 steps not shown\)$/,
    );
  });
  it('prints the 65 identical set_access_flags entries of the history as one line, and the 65 reads as one', () => {
    expect(lines.filter((l) => l.startsWith('  v2..v66  0x00f8000000040f43 '))).toHaveLength(1);
    expect(text).toContain('65 times: steps 14..18, 33..37, …, 1230..1234');
    expect(text).toContain('contpte_ptep_get_lockless on CPU 0 64 more times (steps 21..26, 40..45, …, 1218..1223)');
    expect(lines.length).toBeLessThan(120);
  });
});
