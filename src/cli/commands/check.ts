import type { ReaderRegistry } from '../../kernel';
import { counted } from '../render';
import { ScenarioError, expectText, rawConditionText } from '../../scenario';
import { UsageError, expectationFor } from '../../campaign';
import { EXIT_OK, EXIT_USAGE } from '../errors';
import type { LoadedFile } from '../scenario-files';
import { loadScenarioFile } from '../scenario-files';

export interface CheckOptions {
  /** print each file's canonical text (what crash files store) */
  readonly print?: boolean;
}

/**
 * `ptefuzz check FILE…`: parse and lower each `.scn` / `.litmus` file
 * without running it. One line per file; a bad file gets its
 * `file:line:col: expected …, found …` line on stderr. Exit 0 iff all are good.
 */
export function checkCommand(files: readonly string[], registry: ReaderRegistry, o: CheckOptions = {}): number {
  let bad = 0;
  for (const file of files) {
    let l: LoadedFile;
    try {
      l = loadScenarioFile(file, registry);
    } catch (e) {
      if (!(e instanceof ScenarioError || e instanceof UsageError)) throw e;
      bad++;
      process.stderr.write(`ptefuzz: ${e.message}\n`);
      continue;
    }
    process.stdout.write(`OK ${file}: ${describe(l)}\n`);
    if (o.print) process.stdout.write(l.text + (l.text.endsWith('\n') ? '' : '\n'));
  }
  return bad > 0 ? EXIT_USAGE : EXIT_OK;
}

function describe(l: LoadedFile): string {
  if (l.kind === 'kernel') {
    const s = l.scenario;
    const readers = s.readers
      .map((r) => {
        const clauses = expectationFor(s, r);
        return clauses ? `${r} (expect ${expectText(clauses)})` : r;
      })
      .join(', ');
    return `scenario ${s.name} — ${s.arch}, model ${s.model}, ${counted(l.cpus.length, 'CPU')} (${l.cpus.join(' ')}); readers ${readers}`;
  }
  const t = l.test;
  return `test ${t.name} — ${t.cpus.length} CPUs, locations ${t.locations.map((x) => `${x.name}:u${x.width}`).join(' ')}; ${rawConditionText(t)}`;
}
