import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { arm64, builtinOperations, builtinReaders } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import { builtinScenario, loadScn } from '../../src/scenario';
import { makeTarget } from '../../src/campaign';
import { scenarioHead } from '../../src/cli/render';
import { ROOT } from '../support/cli';

/** cli/render.ts scenarioHead: the lines that open every report (show, explore's witnesses, fuzz's diagrams). */
describe('scenarioHead', () => {
  const reader = builtinReaders().get('contpte_ptep_get_lockless')!;
  test('a scenario without a source line says so (was: "source: " and nothing)', () => {
    const file = join(ROOT, 'test', 'fixtures', 'lockless-two-accesses.scn');
    const l = loadScn(readFileSync(file, 'utf8'), file, { readers: builtinReaders(), operations: builtinOperations() });
    if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
    const t = makeTarget(l.scenario, reader, contractByName('exact')!, 'sc', arm64);
    expect(scenarioHead(t)[1]).toBe('model sc; source: (none: the scenario has no source line)');
  });
  test('a scenario with one prints it', () => {
    const s = builtinScenario('s9-contpte-fold-unfold')!;
    const t = makeTarget(s, reader, contractByName('exact')!, 'weak', arm64);
    expect(s.source.length).toBeGreaterThan(0);
    expect(scenarioHead(t)[1]).toBe(`model weak; source: ${s.source}`);
  });
});
