import type { ReaderRegistry } from '../kernel';
import { ARCHES } from '../kernel';
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
    const s = resolveScenario(c.scenario.name);
    const arch = ARCHES[s.arch];
    if (!arch) throw new UsageError(`no encoding for architecture ${s.arch}`);
    return makeTarget(s, resolveReader(c.reader, registry), resolveContract(c.contract), resolveModel(c.model), arch);
  } catch (e) {
    if (e instanceof UsageError) throw new CrashFileError(file, e.message);
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
