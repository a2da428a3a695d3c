import type { CrashFile, CrashScenario } from '../crash';
import type { Scenario } from '../scenario';
import { createHash } from 'node:crypto';
import { builtinScenario, programIdentity } from '../scenario';
import { CRASH_FORMAT, CRASH_VERSION, toHex } from '../crash';
import { TOOL_VERSION } from '../version';
import type { Finding } from './campaign';
import type { Target } from './target';
import { witnessSignature } from './signature';

/**
 * Where a scenario came from: a built-in (its text unchanged), or a file; a reduced one keeps its original's, and
 * one loaded from a crash file what the file says (`Scenario.origin`).
 */
export function scenarioSource(s: Scenario): 'builtin' | 'file' {
  if (s.reduced !== undefined) return s.reduced.source;
  if (s.origin !== undefined) return s.origin;
  const builtin = builtinScenario(s.name);
  return builtin !== undefined && builtin.text === s.text ? 'builtin' : 'file';
}

/**
 * The identity of a scenario file's program (CrashScenario.program): sha256[0:16] of its programIdentity; what a
 * reduced or stored scenario carries (`Scenario.program`); undefined for a built-in's program — a file under a
 * built-in's name runs the built-in's program (refused otherwise, cli/scenario-files.ts), so its findings are the
 * built-in's files.
 */
export function programId(s: Scenario): string | undefined {
  if (s.reduced !== undefined || s.origin !== undefined) return s.program;
  if (s.ast === undefined || builtinScenario(s.name) !== undefined) return undefined;
  return createHash('sha256').update(programIdentity(s.ast.file)).digest('hex').slice(0, 16);
}

/** The scenario as a crash file stores it: its name and printed `.scn` text. */
export function crashScenario(s: Scenario): CrashScenario {
  const program = programId(s);
  const id = program === undefined ? {} : { program };
  if (s.reduced !== undefined) {
    if (s.text === undefined) throw new Error(`[ptefuzz internal bug] reduced scenario ${s.name} has no printed text`);
    return { name: s.name, source: s.reduced.source, text: s.text, dropped: s.reduced.dropped, ...id };
  }
  if (s.text === undefined) {
    // a built-in without a .scn text (none since every built-in became one): replayed by name
    if (builtinScenario(s.name) === s) return { name: s.name, source: 'builtin' };
    throw new Error(`[ptefuzz internal bug] scenario ${s.name} has no printed text`);
  }
  return { name: s.name, source: scenarioSource(s), text: s.text, ...id };
}

/** What every crash file says of its target, trace and campaign (crashRecord, timeoutRecord). */
export function crashHeader(
  t: Target,
  trace: readonly number[],
  engine: string,
  seed: string,
): Pick<
  CrashFile,
  'format' | 'scenario' | 'reader' | 'readerModule' | 'contract' | 'model' | 'trace' | 'engine' | 'seed' | 'tool'
> {
  return {
    format: CRASH_FORMAT,
    scenario: crashScenario(t.scenario),
    reader: t.reader.name,
    ...(t.reader.module ? { readerModule: { ...t.reader.module } } : {}),
    contract: t.contract.name,
    model: t.model,
    trace: [...trace],
    engine,
    seed,
    tool: TOOL_VERSION,
  };
}

/** The crash file of a minimized witness. */
export function crashRecord(
  f: Pick<Finding, 'target' | 'trace' | 'exec' | 'judgement'>,
  engine: string,
  seed: string,
): CrashFile {
  const v = f.judgement.verdict;
  if (v.kind !== 'divergence') throw new Error('[ptefuzz internal bug] a finding without a divergence');
  return {
    ...crashHeader(f.target, f.trace, engine, seed),
    version: CRASH_VERSION,
    signature: witnessSignature(f.exec, f.judgement, f.target.built),
    verdict: {
      kind: 'divergence',
      class: v.class,
      observed: toHex(v.observed),
      allowed: v.allowed.map(toHex),
      ...(v.detail === undefined ? {} : { detail: v.detail }),
    },
  };
}
