import { describe, expect, test } from 'vitest';
import { ARCHES, builtinReaders } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import { makeTarget, runTarget } from '../../src/campaign';
import { createEngine, deriveSeed } from '../../src/engines';
import { builtinScenario } from '../../src/scenario';

// A break-before-make writer (contpte_unfold) clears pte3 with an xchg, then repaints it with a plain store;
// under tso the repaint may still sit in the writer's store buffer after the writer finished, so a later
// single READ_ONCE of pte3 reads the clear (none). The reader's floor is the clear's message: the window
// must reach back to the writer's transient (none), not only to its final value (was a false `stale 0x0`).
describe('reference: a floor on a break-before-make writer’s message reaches its transient', () => {
  test('s6 __ptep_get under tso: 300 pct runs (seed 1, depth 3) agree, and some read the buffered break', () => {
    const s = builtinScenario('s6-contpte-remap-false-dirty')!;
    const t = makeTarget(s, builtinReaders().get('__ptep_get')!, contractByName('ad-relaxed')!, 'tso', ARCHES.arm64!);
    const engine = createEngine('pct', { cpus: t.built.cpus.length, depth: 3 });
    const kinds = new Set<string>();
    let none = 0;
    for (let i = 0; i < 300; i++) {
      const r = runTarget(t, engine.source(deriveSeed('1', i)));
      engine.observe(r.exec);
      kinds.add(r.judgement.verdict.kind);
      const ret = r.exec.ops.find((o) => o.mark.role === 'reader')?.result;
      if (ret === 0n) none++;
    }
    expect([...kinds]).toEqual(['agree']);
    expect(none).toBeGreaterThan(0);
  });
});
