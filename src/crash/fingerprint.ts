import { createHash } from 'node:crypto';
import type { CrashFile } from './format';

/**
 * Identity of a divergence: (scenario, model, reader, contract, class, witness
 * signature) — the signature is what the minimized witness does (which
 * logical value each load of the reader read), because many different choice
 * sequences minimize to the same race. Engine, seed and tool version are not
 * part of it, so the same bug found twice — by any engine — is one file.
 * A scenario the minimizer reduced adds what it dropped: the signature's
 * v0, v1, … count the reduced program's pte history, and the reduced program
 * is the original minus that list.
 */
export function fingerprint(
  c: Pick<CrashFile, 'scenario' | 'model' | 'reader' | 'contract' | 'verdict' | 'signature'>,
): string {
  const base = [c.scenario.name, c.model, c.reader, c.contract, c.verdict.class, c.signature];
  const dropped = c.scenario.dropped ?? [];
  const key = JSON.stringify(dropped.length > 0 ? [...base, dropped] : base);
  return createHash('sha256').update(key).digest('hex');
}

export function crashFileName(c: Parameters<typeof fingerprint>[0]): string {
  return `${c.scenario.name}.${c.reader}.${c.model}.${c.verdict.class}.${fingerprint(c).slice(0, 12)}.msgpack`;
}
