import { describe, expect, test } from 'vitest';
import { builtinOperations, builtinReaders } from '../../src/kernel';
import { runTarget, selectTargets, specOf } from '../../src/campaign';
import { createEngine } from '../../src/engines';
import { execute } from '../../src/machine';
import { StatementRecorder } from '../../src/minimize';
import type { Call } from '../../src/scenario';
import { parseScn } from '../../src/scenario';

/**
 * `OperationDef.locks` is written by hand — the locks an operation's program takes itself — and lowering refuses a
 * call of such an operation while its CPU holds one of them (a deadlock). Checked here against what the programs
 * do: every built-in scenario target runs RUNS random schedules; each `spin_lock` a CPU executes is traced back
 * (statement probe, as the minimizer maps steps) to the scenario call it ran inside. A call of an operation other
 * than `spin_lock` itself that took a lock must declare it, and every lock an operation declares must be taken by
 * some call of it (every operation that declares one is called by some built-in).
 */
const RUNS = 8;

describe('OperationDef.locks: the locks each operation takes, against its program', () => {
  const ops = builtinOperations();
  const taken = new Map<string, Set<string>>();
  const called = new Set<string>();
  for (const t of selectTargets({}, builtinReaders())) {
    const file = parseScn(t.scenario.text!, t.scenario.name);
    const bodies = file.items.flatMap((it) =>
      it.kind === 'cpu' ? [it.body.filter((s): s is Call => s.kind === 'call')] : [],
    );
    for (const b of bodies) for (const c of b) called.add(c.name);
    const engine = createEngine('random', { cpus: t.built.cpus.length });
    for (let seed = 1; seed <= RUNS; seed++) {
      const { exec } = runTarget(t, engine.source(`locks-${seed}`));
      const rec = new StatementRecorder(exec.trace);
      const built = t.scenario.build(t.reader, t.arch, { onStatement: rec.onStatement });
      const replay = execute(specOf(built), t.model, rec);
      for (const ev of replay.events) {
        if (ev.kind !== 'lock') continue;
        const at = rec.steps[ev.step]!;
        const call = bodies[at.cpu]?.[at.stmt];
        if (call === undefined || call.name === 'spin_lock') continue;
        const lock = built.locations.locs[ev.locs[0]!]!.name;
        if (!taken.has(call.name)) taken.set(call.name, new Set());
        taken.get(call.name)!.add(lock);
      }
    }
  }

  test('the programs take locks inside some calls (the check sees them)', () => {
    expect(taken.size).toBeGreaterThanOrEqual(4);
  });

  test('an operation that takes a lock itself declares it', () => {
    for (const [name, locks] of taken) {
      const declared = ops.get(name)?.locks ?? [];
      expect(
        [...locks].filter((l) => !declared.includes(l as never)),
        name,
      ).toEqual([]);
    }
  });

  test('an operation that declares a lock takes it', () => {
    for (const def of ops.all()) {
      if (def.locks === undefined) continue;
      expect(called.has(def.name), `${def.name} is called by a built-in scenario`).toBe(true);
      expect([...(taken.get(def.name) ?? [])].sort(), def.name).toEqual([...def.locks].sort());
    }
  });
});
