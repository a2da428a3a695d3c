import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinReaders } from '../../src/kernel';
import { loadCrash } from '../../src/crash';
import { replayCrash } from '../../src/campaign';
import { droppedText, runReport } from '../../src/cli/render';
import { cliInProcess } from '../support/cli';

/**
 * A witness whose program the minimizer reduced is not the named scenario: its report says so on
 * the title line (the title describes the full scenario, e.g. S1's "two zap → re-establish cycles"
 * on a witness that kept one) and lists what was dropped; an unreduced witness's head is unchanged.
 */
const dir = join(__dirname, '..', '..', 'crashes');
const S1_GET = 's1-pae-double-refault.ptep_get.non-torn.sc.torn.03f505568fbd.msgpack'; // reader + B's zap: C and D dropped
const S2_GET = 's2-pae-zap-reestablish.ptep_get.non-torn.sc.torn.22b9400becc7.msgpack'; // B's set_pte dropped
const S1_GUP = 's1-pae-gup-fast-broadcast.ptep_get_lockless.non-torn.sc.torn.f7a520228163.msgpack'; // a CPU and an operation
const S2_SAMELOW = 's2-pae-zap-reestablish-samelow.ptep_get_lockless.non-torn.sc.torn.2887ce7ba67e.msgpack'; // not reduced

function head(file: string): string[] {
  const r = replayCrash(loadCrash(join(dir, file)), file, builtinReaders());
  expect(r.reproduced).toBe(true);
  return runReport(r.target, r.run).split('\n').slice(0, 4);
}

describe('the report of a reduced witness says it is a reduction', () => {
  test('S1 reduced to two CPUs: the title line counts the dropped CPUs, the third line names them', () => {
    expect(head(S1_GET)).toEqual([
      's1-pae-double-refault (reduced: 2 CPUs dropped): PAE: two zap → re-establish cycles inside one lockless read (S1, ABA)',
      expect.stringMatching(/^model sc; source: Jann Horn, /),
      `reduced by the minimizer from built-in s1-pae-double-refault (the title above is the full scenario's): dropped cpu C "fault, MADV_DONTNEED"; dropped cpu D "fault"`,
      '',
    ]);
  });

  test('operations and CPUs are counted apart', () => {
    expect(head(S2_GET)[0]).toBe(
      's2-pae-zap-reestablish (reduced: 1 operation dropped): PAE: one zap → re-establish cycle racing the reader (S2)',
    );
    expect(head(S1_GUP)[0]).toMatch(/^s1-pae-gup-fast-broadcast \(reduced: 1 CPU and 1 operation dropped\): PAE: /);
  });

  test('a dropped CPU and an operation dropped from another CPU read apart', () => {
    expect(head(S1_GUP)[2]).toBe(
      `reduced by the minimizer from built-in s1-pae-gup-fast-broadcast (the title above is the full scenario's): ` +
        `dropped cpu B "MADV_DONTNEED"; dropped from cpu C "fault, MADV_DONTNEED": do_anonymous_page(pte)`,
    );
    expect(head(S2_GET)[2]).toMatch(/: dropped from cpu B "zap \+ re-establish": set_pte\(pte, /);
  });

  test('operations dropped from one CPU share its name, whatever its label holds', () => {
    // the stored lines, sorted, as minimizeProgram writes them (the S6 remap's clear and make go together)
    expect(
      droppedText([
        'cpu B "remap FolioB at pte0": __ptep_get_and_clear(pte[0])',
        'cpu B "remap FolioB at pte0": __set_pte(pte[0], 0x0068000000080fc3)',
        'cpu B "remap FolioB at pte0": spin_lock(ptl)',
        'cpu B "remap FolioB at pte0": spin_unlock(ptl)',
        'cpu C "write: \\"dirty\\""',
        'cpu D: hw_access(pte[0])',
        'cpu D: tlb_use(0)',
        'cpu E "fault: then zap": do_anonymous_page(pte)',
      ]),
    ).toBe(
      'dropped from cpu B "remap FolioB at pte0": __ptep_get_and_clear(pte[0]), ' +
        '__set_pte(pte[0], 0x0068000000080fc3), spin_lock(ptl), spin_unlock(ptl); ' +
        'dropped cpu C "write: \\"dirty\\""; dropped from cpu D: hw_access(pte[0]), tlb_use(0); ' +
        'dropped from cpu E "fault: then zap": do_anonymous_page(pte)',
    );
  });

  test('an unreduced witness: name and title, model and source, then the report', () => {
    const h = head(S2_SAMELOW);
    expect(h[0]).toBe('s2-pae-zap-reestablish-samelow: PAE: S2 re-establishing a pte with the same low half (finding)');
    expect(h[1]).toMatch(/^model sc; source: /);
    expect(h[2]).toBe('');
  });

  test('show --html: the page heading and notes say the same', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ptefuzz-reduced-')), 'r.html');
    const r = await cliInProcess(['show', join(dir, S1_GET), '--html', out]);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/<h1>s1-pae-double-refault \(reduced: 2 CPUs dropped\): PAE: two zap /);
    expect(html).toContain('reduced by the minimizer from built-in s1-pae-double-refault');
    expect(html).toContain('dropped cpu C &quot;fault, MADV_DONTNEED&quot;; dropped cpu D &quot;fault&quot;');
  });
});
