import type { ReaderRegistry } from '../kernel';
import { ARCHES, builtinOperations } from '../kernel';
import type { Scenario } from '../scenario';
import { ScenarioError, loadScn } from '../scenario';
import type { CrashFile } from '../crash';
import { CrashFileError, toHex } from '../crash';
import { TraceSource } from '../machine';
import type { Run, Target } from './target';
import { makeTarget, runTarget } from './target';
import { UsageError, resolveContract, resolveModel, resolveReader, resolveScenario } from './select';

export interface ReplayResult {
  readonly target: Target;
  readonly run: Run;
  /** the verdict recorded in the file was reproduced exactly (kind, class, observed value) */
  readonly reproduced: boolean;
  readonly observed: string;
}

/** Rebuild the target a crash file names; an unknown name is an error about the file. */
export function crashTarget(c: CrashFile, file: string, registry: ReaderRegistry): Target {
  try {
    const s = c.scenario.text === undefined ? resolveScenario(c.scenario.name) : storedScenario(c, file, registry);
    const arch = ARCHES[s.arch];
    if (!arch) throw new UsageError(`no encoding for architecture ${s.arch}`);
    return makeTarget(s, resolveReader(c.reader, registry), resolveContract(c.contract), resolveModel(c.model), arch);
  } catch (e) {
    if (e instanceof UsageError) throw new CrashFileError(file, e.message);
    throw e;
  }
}

/** A version-2 crash file's own scenario, lowered from the printed text it stores. */
function storedScenario(c: CrashFile, file: string, registry: ReaderRegistry): Scenario {
  try {
    const ctx = { readers: registry, operations: builtinOperations() };
    const l = loadScn(c.scenario.text!, `${file} (stored scenario)`, ctx, c.scenario.name);
    if (l.kind !== 'kernel') throw new CrashFileError(file, 'the stored scenario has no pte and no reader');
    if (l.scenario.name !== c.scenario.name) {
      throw new CrashFileError(
        file,
        `the stored scenario is named ${l.scenario.name}, the file says ${c.scenario.name}`,
      );
    }
    return l.scenario;
  } catch (e) {
    if (e instanceof ScenarioError) throw new CrashFileError(file, `stored scenario: ${e.message}`);
    throw e;
  }
}

export function replayCrash(c: CrashFile, file: string, registry: ReaderRegistry): ReplayResult {
  const target = crashTarget(c, file, registry);
  const run = runTarget(target, new TraceSource(c.trace));
  const v = run.judgement.verdict;
  const observed = v.kind === 'divergence' ? toHex(v.observed) : v.kind;
  const reproduced = v.kind === 'divergence' && v.class === c.verdict.class && observed === c.verdict.observed;
  return { target, run, reproduced, observed };
}
