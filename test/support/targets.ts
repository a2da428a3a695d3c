import { expect } from 'vitest';
import type { ModelKind } from '../../src/machine';
import { TraceSource } from '../../src/machine';
import type { ReaderRegistry } from '../../src/kernel';
import { ARCHES, builtinOperations, builtinReaders } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import { builtinScenario, loadScn } from '../../src/scenario';
import type { Target } from '../../src/campaign';
import { makeTarget, runCampaign, runTarget } from '../../src/campaign';
import type { ScriptSource } from './script';

const registry = builtinReaders();

/** A built-in scenario with one reader, under the reader's declared contract (or `contract`). */
export function target(scenario: string, reader: string, model: ModelKind = 'sc', contract?: string): Target {
  const s = builtinScenario(scenario);
  if (s === undefined) throw new Error(`no scenario ${scenario}`);
  const r = registry.get(reader)!;
  return makeTarget(s, r, contractByName(contract ?? r.contract)!, model, ARCHES[s.arch]!);
}

/**
 * A kernel scenario given as `.scn` text (named `file` in its errors, as a scenario file is) with one reader — a
 * built-in, or one of `o.readers` —, under the reader's declared contract (or `o.contract`).
 */
export function scnTarget(
  text: string,
  file: string,
  reader: string,
  model: ModelKind,
  o: { readonly contract?: string; readonly readers?: ReaderRegistry } = {},
): Target {
  const readers = o.readers ?? registry;
  const l = loadScn(text, file, { readers, operations: builtinOperations() });
  if (l.kind !== 'kernel') throw new Error(`${file}: not a kernel scenario`);
  const r = readers.get(reader)!;
  return makeTarget(
    { ...l.scenario, file },
    r,
    contractByName(o.contract ?? r.contract)!,
    model,
    ARCHES[l.scenario.arch]!,
  );
}

/** Run a scripted witness; check the script was followed; replaying the recorded trace gives the same verdict. */
export function scripted(t: Target, script: ScriptSource): ReturnType<typeof runTarget> {
  const run = runTarget(t, script);
  const cpus = run.exec.events.filter((e) => e.kind !== 'drain').map((e) => e.cpu);
  expect(cpus.slice(0, script.expected.length)).toEqual(script.expected);
  const again = runTarget(t, new TraceSource(run.exec.trace));
  expect(again.judgement.verdict).toEqual(run.judgement.verdict);
  return run;
}

/** A fixed-seed, fixed-count random campaign (no files written). */
export function fuzz(targets: Target[], seed: string, runs: number): ReturnType<typeof runCampaign> {
  return runCampaign({
    targets,
    engine: 'random',
    seed,
    runs,
    clock: () => 0,
    onWitness: (f) => ({ id: `${f.target.key} ${f.class} ${f.trace.join(',')}`, fresh: true }),
  });
}
