import { createHash } from 'node:crypto';
import type { CrashFile } from './format';

/**
 * Identity of a divergence: (scenario, model, reader, contract, class, witness
 * signature) — the signature is what the minimized witness does (which
 * logical value each load of the reader read), because many different choice
 * sequences minimize to the same race. Engine, seed and tool version are not
 * part of it, so the same bug found twice — by any engine — is one file.
 * What the minimizer dropped from the scenario is not part of it either:
 * witnesses that reduce to different programs but read the same logical
 * values in the same class are one bug (S2's naive tear reduces to "the
 * reader and the zap" or to "the reader and the re-establish" — low from v0,
 * high from v1 in both), and a campaign keeps one file for it, the lightest
 * witness. The program a scenario file's CPUs run is (CrashScenario.program): two
 * versions of one file — an edited value, CPU or operation — are two programs
 * under one name, and a finding on the new one must not be reported in the file
 * that holds the old.
 */
export function fingerprint(
  c: Pick<CrashFile, 'scenario' | 'model' | 'reader' | 'contract' | 'verdict' | 'signature'>,
): string {
  const id = [c.scenario.name, c.model, c.reader, c.contract, c.verdict.class, c.signature];
  // a scenario file's program (CrashScenario.program): an edited program's finding is not the old one's
  const key = JSON.stringify(c.scenario.program === undefined ? id : [...id, c.scenario.program]);
  return createHash('sha256').update(key).digest('hex');
}

/**
 * `<scenario>.<reader>.<contract>.<model>.<class>.<fingerprint[0:12]>.msgpack` — the target in the
 * order of corpus folders (`<scenario>.<reader>.<contract>.<model>/`), so `ls crashes/` says under
 * which contract a reader diverged: `exact` flags the atomic reader's intermediate value, which
 * `ad-relaxed` allows. Timeout files are named the same way (class `timeout`).
 */
export function crashFileName(c: Parameters<typeof fingerprint>[0]): string {
  return `${c.scenario.name}.${c.reader}.${c.contract}.${c.model}.${c.verdict.class}.${fingerprint(c).slice(0, 12)}.msgpack`;
}

/**
 * The name ptefuzz gave the same crash file before names carried the contract:
 * `<scenario>.<reader>.<model>.<class>.<fingerprint[0:12]>.msgpack` (same fingerprint).
 * Files under it still load (loading is by content); writers look for it so that a
 * finding already kept under its legacy name is a duplicate, not a second file (legacyTwin).
 */
export function legacyCrashFileName(c: Parameters<typeof fingerprint>[0]): string {
  return `${c.scenario.name}.${c.reader}.${c.model}.${c.verdict.class}.${fingerprint(c).slice(0, 12)}.msgpack`;
}
