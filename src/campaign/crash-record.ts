import type { CrashFile, CrashScenario } from '../crash';
import type { Scenario } from '../scenario';
import { builtinScenario } from '../scenario';
import { CRASH_FORMAT, CRASH_VERSION, toHex } from '../crash';
import { TOOL_VERSION } from '../version';
import type { Finding } from './campaign';
import { witnessSignature } from './signature';

/** The scenario as a crash file stores it: its name and printed `.scn` text. */
export function crashScenario(s: Scenario): CrashScenario {
  const builtin = builtinScenario(s.name);
  const source = builtin !== undefined && builtin.text === s.text ? 'builtin' : 'file';
  if (s.reduced !== undefined) {
    if (s.text === undefined) throw new Error(`[ptefuzz internal bug] reduced scenario ${s.name} has no printed text`);
    return { name: s.name, source: s.reduced.source, text: s.text, dropped: s.reduced.dropped };
  }
  if (s.text === undefined) {
    // a TypeScript built-in (consumer and arm64 scenarios): no .scn form yet, replayed by name
    if (builtin === s) return { name: s.name, source: 'builtin' };
    throw new Error(`[ptefuzz internal bug] scenario ${s.name} has no printed text`);
  }
  return { name: s.name, source, text: s.text };
}

/** The crash file of a minimized witness. */
export function crashRecord(f: Finding, engine: string, seed: string): CrashFile {
  const v = f.judgement.verdict;
  if (v.kind !== 'divergence') throw new Error('[ptefuzz internal bug] a finding without a divergence');
  return {
    format: CRASH_FORMAT,
    version: CRASH_VERSION,
    scenario: crashScenario(f.target.scenario),
    reader: f.target.reader.name,
    ...(f.target.reader.module ? { readerModule: { ...f.target.reader.module } } : {}),
    contract: f.target.contract.name,
    model: f.target.model,
    trace: [...f.trace],
    signature: witnessSignature(f.exec, f.judgement, f.target.built),
    verdict: {
      kind: 'divergence',
      class: v.class,
      observed: toHex(v.observed),
      allowed: v.allowed.map(toHex),
      ...(v.detail === undefined ? {} : { detail: v.detail }),
    },
    engine,
    seed,
    tool: TOOL_VERSION,
  };
}
