/**
 * The contract `gup-no-false-dirty` leaves the reads of a GUP-fast that returned no page unjudged: `explore` counts them and
 * `fuzz` says so under its table, so a "no divergence" under it says what it did not judge.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cliInProcess, hasStackTrace } from '../support/cli';

const SCN = join('corpus', 'mailing-list', 's6-contpte-remap-false-dirty-gup.scn');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-gated-'));

/** explore S6 inside GUP-fast with contpte_ptep_get under sc at bound 2 (and `more` flags), crash files in a fresh folder */
const explore = (...more: string[]): ReturnType<typeof cliInProcess> =>
  cliInProcess([
    'explore',
    '--scenario',
    SCN,
    '--reader',
    'contpte_ptep_get',
    '--model',
    'sc',
    '--bound',
    '2',
    '--crashes',
    join(tmp(), 'crashes'),
    ...more,
  ]);

describe('gup-no-false-dirty on S6 inside GUP-fast', () => {
  test('explore: no divergence within the bound, and how many reads it did not judge', async () => {
    const r = await explore();
    expect(r.code).toBe(0);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout).toContain('reader contpte_ptep_get, contract gup-no-false-dirty, model sc, preemption bound 2');
    expect(r.stdout).toContain('Executions 1844 (traces)');
    expect(r.stdout).toMatch(
      /^Not judged \(contract gup-no-false-dirty\): 1544 reads in a GUP-fast that returned no page, in 842 of 1844 executions$/m,
    );
    expect(r.stdout).toMatch(/^no divergence within bound 2$/m);
    // the executions whose every read was left unjudged are a state of their own, not "no completed read"
    expect(r.stdout).toMatch(/^842 {2}no judged read \(GUP-fast returned no page\) {2}no read$/m);
  });

  test('explore under no-false-dirty: the same search judges those reads and finds the false dirty', async () => {
    const r = await explore('--contract', 'no-false-dirty');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('Not judged');
    expect(r.stdout).toContain('false-dirty');
  });

  test('fuzz: the table is followed by what the contract does not judge', async () => {
    const dir = tmp();
    const r = await cliInProcess([
      'fuzz',
      '--scenario',
      SCN,
      '--reader',
      'contpte_ptep_get',
      '--runs',
      '50',
      '--seed',
      '1',
      '--crashes',
      join(dir, 'crashes'),
      '--corpus',
      join(dir, 'corpus'),
    ]);
    expect(r.code).toBe(0);
    // the campaign's summary is on stderr
    expect(r.stderr).toMatch(
      /^contract gup-no-false-dirty: a read inside a GUP-fast that returned no page is not judged \(races and verdicts above are of the reads judged; `explore` counts the others\)$/m,
    );
  });
});
