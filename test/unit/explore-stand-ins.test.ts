/**
 * An interrupted `explore` writes the first witness of each divergence found so far unminimized
 * (saveUnminimized) before it minimizes them, so that a second signal — which then ends the process at
 * once — leaves a replayable file for every divergence; the minimized files then replace or remove
 * those stand-ins (saveExploreCrashes). S2 `ptep_get` under `sc`, bound 2: two torn states, one race.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Run } from '../../src/campaign';
import { replayCrash, runTarget, selectTargets } from '../../src/campaign';
import { crashFileName, encodeCrash, loadCrash } from '../../src/crash';
import { enumerate } from '../../src/engines';
import { builtinReaders } from '../../src/kernel';
import type { StateWitness } from '../../src/cli/commands/explore-crashes';
import { saveExploreCrashes, saveUnminimized } from '../../src/cli/commands/explore-crashes';

const registry = builtinReaders();
const [t] = selectTargets({ scenarios: ['s2-pae-zap-reestablish'], readers: ['ptep_get'], models: ['sc'] }, registry);
const target = t!;

/** The first divergent execution of each observed value, in DFS order (what explore keeps as witnesses). */
function witnesses(): StateWitness[] {
  const first = new Map<string, Run>();
  let last: Run | undefined;
  enumerate(
    (source) => (last = runTarget(target, source)).exec,
    () => {
      const v = last!.judgement.verdict;
      if (v.kind !== 'divergence') return;
      const state = target.arch.format(v.observed);
      if (!first.has(state)) first.set(state, last!);
    },
    { preemptionBound: 2 },
  );
  return [...first].map(([state, run]) => ({ state, label: 'torn', run }));
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-stand-ins-'));

describe('the unminimized stand-ins of an interrupted explore', () => {
  const ws = witnesses();

  test('one whole crash file per fingerprint, each replaying its recorded verdict on the full trace', () => {
    expect(ws).toHaveLength(2);
    const dir = tmp();
    const saved = saveUnminimized(target, ws, dir, 2);
    expect(saved.length).toBeGreaterThan(0);
    expect(readdirSync(dir).sort()).toEqual(saved.map((s) => basename(s.path)).sort());
    for (const s of saved) {
      expect(s.fresh).toBe(true);
      const c = loadCrash(s.path);
      expect(c.engine).toBe('exhaustive');
      expect(c.seed).toBe('bound 2');
      // the trace as found, not minimized: the witness execution's own choices
      expect(ws.some((w) => JSON.stringify(w.run.exec.trace) === JSON.stringify(c.trace))).toBe(true);
      expect(replayCrash(c, s.path, registry).reproduced).toBe(true);
    }
  });

  test('once the minimized files are written, the folder holds exactly them, as an uninterrupted explore writes', () => {
    const plain = tmp();
    const expected = saveExploreCrashes(target, ws, plain, 2, registry).map((c) => basename(c.file));
    const dir = tmp();
    const standIns = saveUnminimized(target, ws, dir, 2);
    // the unminimized witnesses are not the minimized files: some stand-in has to go
    expect(standIns.some((s) => !expected.includes(basename(s.path)))).toBe(true);
    const crashes = saveExploreCrashes(target, ws, dir, 2, registry, standIns);
    expect(crashes.map((c) => basename(c.file))).toEqual(expected);
    expect(readdirSync(dir).sort()).toEqual([...expected].sort());
    for (const f of expected)
      expect(encodeCrash(loadCrash(join(dir, f))).equals(encodeCrash(loadCrash(join(plain, f))))).toBe(true);
  });

  test('a stand-in under the name of the minimized file is replaced by it; a file already there before is kept', () => {
    const plain = tmp();
    const [min] = saveExploreCrashes(target, ws, plain, 2, registry);
    const minimized = loadCrash(min!.file);
    const name = crashFileName(minimized);
    // a stand-in this process wrote under the minimized file's name (same fingerprint): replaced
    const dir = tmp();
    const stale = { ...minimized, trace: ws[0]!.run.exec.trace };
    writeFileSync(join(dir, name), encodeCrash(stale));
    saveExploreCrashes(target, ws, dir, 2, registry, [{ path: join(dir, name), fresh: true }]);
    expect(loadCrash(join(dir, name)).trace).toEqual(minimized.trace);
    // the same file found there by saveUnminimized (fresh: false, an earlier campaign's): kept, not removed
    const other = tmp();
    writeFileSync(join(other, name), encodeCrash(stale));
    saveExploreCrashes(target, ws, other, 2, registry, [{ path: join(other, name), fresh: false }]);
    expect(loadCrash(join(other, name)).trace).toEqual(stale.trace);
  });
});
