import type { CrashFile } from '../crash';
import { CRASH_FORMAT, CRASH_VERSION, toHex } from '../crash';
import { TOOL_VERSION } from '../version';
import type { Finding } from './campaign';
import { witnessSignature } from './signature';

/** The crash file of a minimized witness. */
export function crashRecord(f: Finding, engine: string, seed: string): CrashFile {
  const v = f.judgement.verdict;
  if (v.kind !== 'divergence') throw new Error('[ptefuzz internal bug] a finding without a divergence');
  return {
    format: CRASH_FORMAT,
    version: CRASH_VERSION,
    scenario: { name: f.target.scenario.name, source: 'builtin' },
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
