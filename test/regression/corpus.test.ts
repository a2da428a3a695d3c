/**
 * Every corpus/mailing-list/*.scn file parses, runs, and matches its golden
 * `.expected` beside it; its hand-written expectations (reader … expect,
 * expect MODEL …, from the thread) agree with what was explored.
 * PTEFUZZ_UPDATE=1 rewrites the goldens (atomically) instead of comparing.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinOperations, builtinReaders } from '../../src/kernel';
import { loadScn } from '../../src/scenario';
import { writeFileAtomic } from '../../src/crash';
import { goldenText, kernelGolden, rawGolden } from '../support/golden';

const dir = join(__dirname, '..', '..', 'corpus', 'mailing-list');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.scn'))
  .sort();
const update = process.env['PTEFUZZ_UPDATE'] === '1';
const ctx = { readers: builtinReaders(), operations: builtinOperations() };

describe('corpus/mailing-list: every scenario matches its .expected', () => {
  test('the corpus holds S1–S12 (S2: + -nowmb, -samelow), Jason Gunthorpe’s ordering and Ryan Roberts’ ptdesc case', () => {
    for (const f of [
      's1-pae-double-refault',
      's2-pae-zap-reestablish',
      'jgg-004-ordering',
      's3-pae-fault-garbage',
      's5-contpte-unfold-gather',
      's7-arm64-fault-norecency',
      's7-arm64-fault-pte-same',
      's9-contpte-fold-unfold',
      's12-arm64-khugepaged-gup-fast',
      's12-arm64-khugepaged-gup-fast-ipi',
      'ext-sw-bits-zap-refault',
      's4-pae-gup-fast-recheck-plain',
      's4-pae-gup-fast-recheck-ptep-get',
      's4-pae-gup-fast-recheck-lockless',
      's6-contpte-remap-false-dirty',
      's6-kvm-dirty-check',
      's8-contpte-set-access-flags',
      's10-pae-dontneed-refault',
      's10-pae-dontneed-refault-free-before-flush',
      's11-pae-file-zap-early-rmap',
      's11-pae-file-zap-delayed-rmap',
      's1-pae-gup-fast-broadcast',
      's1-pae-gup-fast-broadcast-forceflush',
      's1-pae-gup-fast-ipi',
      's1-pae-gup-fast-ipi-forceflush',
    ]) {
      expect(files).toContain(`${f}.scn`);
    }
  });
  for (const f of files) {
    test(f, () => {
      const path = join(dir, f);
      const l = loadScn(readFileSync(path, 'utf8'), `corpus/mailing-list/${f}`, ctx);
      expect(l.text).toContain('source "');
      const golden = join(dir, f.replace(/\.scn$/, '.expected'));
      let body: string;
      if (l.kind === 'kernel') {
        const g = kernelGolden(l);
        body = g.text;
        for (const [reader, clauses] of Object.entries(l.scenario.expect)) {
          for (const c of clauses) {
            // nesting, SC ⊆ TSO ⊆ weak: `bug under M` holds on M and weaker models, `correct under M` on M and stronger
            const strength = (m: string): number => ['sc', 'tso', 'weak'].indexOf(m);
            const judged = g.outcomes.filter(
              (o) =>
                o.target.reader.name === reader &&
                (c.model === undefined ||
                  (c.verdict === 'bug'
                    ? strength(o.target.model) >= strength(c.model)
                    : strength(o.target.model) <= strength(c.model))),
            );
            expect(
              judged.length,
              `${reader}: ${c.verdict} under ${c.model ?? 'any model'} was explored`,
            ).toBeGreaterThan(0);
            const diverged = judged.some((o) => o.diverged);
            const what = `${reader} is expected to be a ${c.verdict}${c.model !== undefined ? ` under ${c.model}` : ''}`;
            if (c.verdict === 'bug') expect(diverged, what).toBe(true);
            if (c.verdict === 'correct') expect(diverged, what).toBe(false);
          }
        }
      } else {
        const g = rawGolden(l.test);
        body = g.text;
        for (const [model, want] of l.test.expect) {
          expect(g.observations.get(model as 'sc')?.toLowerCase(), `expect ${model} ${want}`).toBe(want);
        }
      }
      const text = goldenText(`corpus/mailing-list/${f}`, body);
      if (update) writeFileAtomic(golden, text);
      else {
        expect(existsSync(golden), `${golden} is missing: run PTEFUZZ_UPDATE=1 npx vitest run test/regression`).toBe(
          true,
        );
        expect(text).toBe(readFileSync(golden, 'utf8'));
      }
    });
  }
});
