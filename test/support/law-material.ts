/**
 * The scenarios the reference laws run over (test/laws/single-load-readers.test.ts,
 * test/laws/reference-final-state.test.ts): every built-in kernel scenario and every kernel scenario of
 * corpus/mailing-list and test/fixtures, once each.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { builtinOperations, builtinReaders } from '../../src/kernel';
import type { Scenario } from '../../src/scenario';
import { BUILTIN_NAMES, builtinScenario, loadScn } from '../../src/scenario';
import { ROOT } from './cli';

/** test/fixtures scenarios written to break the reference's contract (test/fixtures/README.md) */
export const REFUSED: ReadonlySet<string> = new Set([
  'remap-no-clear',
  's2-my-variant',
  'access-flags-then-tlbi',
  'access-flags-then-tlbi-block',
  'contpte-remap-no-unfold',
  'unlocked-get-and-clear',
  'set-pte-over-present',
]);

/** The kernel scenarios of the architectures `keep` accepts. */
export function lawMaterial(keep: (arch: string) => boolean): Scenario[] {
  const out: Scenario[] = BUILTIN_NAMES.map((n) => builtinScenario(n)!);
  for (const dir of ['corpus/mailing-list', 'test/fixtures']) {
    for (const f of readdirSync(join(ROOT, dir))
      .filter((n) => n.endsWith('.scn'))
      .sort()) {
      const file = join(ROOT, dir, f);
      const l = loadScn(readFileSync(file, 'utf8'), file, {
        readers: builtinReaders(),
        operations: builtinOperations(),
      });
      if (l.kind === 'kernel') out.push(l.scenario);
    }
  }
  // the S8 built-ins are the text of their corpus files: once each
  const seen = new Set<string>();
  return out.filter((s) => keep(s.arch) && !seen.has(s.name) && seen.add(s.name));
}
