import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinReaders } from '../../src/kernel';
import { UsageError, selectTargets } from '../../src/campaign';
import { ROOT } from '../support/cli';

/**
 * campaign/select.ts distinctScenarios: targets, their counters and the summary's rows, corpus subfolders and crash
 * file names are keyed by scenario name. An audit ran `fuzz --scenario s2-pae-zap-reestablish --scenario
 * corpus/mailing-list/s2-pae-zap-reestablish.scn` (the corpus copy of the built-in): 6 targets whose rows each
 * showed the executions of both copies (the rows summed to twice `Done:`'s count), one corpus folder and one crash
 * name for both.
 */
const COPY = join(ROOT, 'corpus', 'mailing-list', 's2-pae-zap-reestablish.scn');
const text = (file: string) => ({ name: file, text: readFileSync(file, 'utf8'), file });
const names = (scenarios: NonNullable<Parameters<typeof selectTargets>[0]['scenarios']>) =>
  selectTargets({ scenarios }, builtinReaders()).map((t) => `${t.scenario.name} ${t.reader.name} ${t.model}`);

describe('two scenarios of one name in one selection', () => {
  test('a built-in and a file of its name: a usage error naming both and the fix', () => {
    let err: unknown;
    try {
      names(['s2-pae-zap-reestablish', text(COPY)]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      `--scenario: two scenarios are named s2-pae-zap-reestablish (the built-in and ${COPY}); campaigns, corpus ` +
        'folders and crash files are keyed by scenario name — rename one (its `scenario` line)',
    );
  });

  test('one scenario given twice (a built-in by name, a file by two spellings of its path) counts once', () => {
    const once = names(['s2-pae-zap-reestablish']);
    expect(once.length).toBe(3);
    expect(names(['s2-pae-zap-reestablish', 's2-pae-zap-reestablish'])).toEqual(once);
    const other = relative(process.cwd(), COPY);
    expect(names([text(COPY), text(other)])).toEqual(names([text(COPY)]));
  });

  test('scenarios of different names are all kept, in order', () => {
    expect(names(['s2-pae-zap-reestablish', 's1-pae-double-refault']).map((n) => n.split(' ')[0])).toEqual([
      ...Array<string>(3).fill('s2-pae-zap-reestablish'),
      ...Array<string>(3).fill('s1-pae-double-refault'),
    ]);
  });
});
