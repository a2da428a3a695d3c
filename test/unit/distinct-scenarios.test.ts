import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinReaders } from '../../src/kernel';
import { UsageError, selectTargets } from '../../src/campaign';
import { loadScenarioFile } from '../../src/cli/scenario-files';
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

/**
 * cli/scenario-files.ts: a `.scn` file may use a built-in's name only for the built-in's program. The audit's case: a
 * file named s1-pae-double-refault with another program; its campaign was told its finding was in a crash file that
 * held the built-in's witness (same name, same fingerprint), and its own was never written.
 */
describe('a .scn file named like a built-in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-builtin-name-'));
  const copy = readFileSync(COPY, 'utf8');
  const write = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  test('the corpus copy, and a copy with other comments, title and source: loaded', () => {
    expect(loadScenarioFile(COPY, builtinReaders()).kind).toBe('kernel');
    const prose = copy
      .replace(/^# DOMAIN/m, '# my notes. DOMAIN')
      .replace(/^title ".*"$/m, 'title "mine"')
      .replace(/^(\s*set_pte\(.*\)) # .*$/m, '$1');
    expect(prose).not.toBe(copy);
    expect(loadScenarioFile(write('prose.scn', prose), builtinReaders()).kind).toBe('kernel');
  });
  test('another program under the name: one line naming the file and the fix', () => {
    const edited = copy.replace('set_pte(pte, {0x00010002:0x00020067})', 'set_pte(pte, {0x00010003:0x00020067})');
    expect(edited).not.toBe(copy);
    const f = write('edited.scn', edited);
    expect(() => loadScenarioFile(f, builtinReaders())).toThrow(
      new UsageError(
        `${f}: scenario s2-pae-zap-reestablish is the name of a built-in scenario with another program (crash files, ` +
          'corpus folders and campaigns are keyed by scenario name): give it a name of its own in its `scenario` line',
      ),
    );
    // renamed, it loads
    const renamed = edited.replace(/^scenario s2-pae-zap-reestablish$/m, 'scenario s2-mine');
    expect(loadScenarioFile(write('renamed.scn', renamed), builtinReaders()).kind).toBe('kernel');
  });
});
