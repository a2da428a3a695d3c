import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadReaderModule } from '../../src/cli/reader-modules';
import type { ReaderDef } from '../../src/kernel';
import { paeMk, pte_clear, set_pte, x86Pae } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import { makeTarget, runTarget } from '../../src/campaign';
import { RandomSource, deriveSeed } from '../../src/engines';
import type { Scenario } from '../../src/scenario';
import { paeMemory } from '../../src/scenario/builtin/pae-common';
import { ROOT } from '../support/cli';

const HLHL = join(ROOT, 'harness', 'readers', 'pae-hlhl.ts');
const BUGGY = join(ROOT, 'harness', 'readers', 'pae-buggy.js');

describe('loading the worked examples', () => {
  test('pae-hlhl.ts: one reader, recorded with the sha256 of its source', () => {
    const [r, ...rest] = loadReaderModule(HLHL, ROOT);
    expect(rest).toHaveLength(0);
    expect(r!.name).toBe('ptep_get_lockless_hlhl');
    expect(r!.arch).toBe('x86-pae');
    expect(r!.contract).toBe('non-torn');
    expect(r!.module).toEqual({
      path: join('harness', 'readers', 'pae-hlhl.ts'),
      sha256: createHash('sha256').update(readFileSync(HLHL)).digest('hex'),
    });
  });

  test('pae-buggy.js: the readers array, in order', () => {
    expect(loadReaderModule(BUGGY, ROOT).map((r) => r.name)).toEqual([
      'ptep_get_lockless_normb',
      'ptep_get_recheck_high',
    ]);
  });
});

/**
 * Why pae-hlhl.ts is not correct in general (its header says so): two
 * refaults with the same low half l inside one read — zap, {h2:l}, zap,
 * {h3:l} — let it read hi1 = 0, lo1 = l, hi2 = 0, lo2 = l and return
 * {0x00000000:l}: present, a value the pte never held. Derived by hand; the
 * writers are the kernel's pte_clear (low, wmb, high) and set_pte (high, wmb, low).
 */
describe('a module whose path holds a control character', () => {
  test('is refused, one line: its path goes into crash files, whose loader refuses it', () => {
    // was: loaded, and recorded as readerModule.path, which `show` prints in its replay line
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-rm-'));
    const file = join(dir, 'pae\u001b[31m.js');
    writeFileSync(file, readFileSync(BUGGY, 'utf8'));
    expect(() => loadReaderModule(file, dir)).toThrow(
      'pae\\u{001B}[31m.js: its path holds a control character: rename the file (or a folder above it)',
    );
  });
});

describe('pae-hlhl.ts under a double refault with the same low half', () => {
  const initial = paeMk(0x10001_00010n);
  const refault1 = paeMk(0x10002_00010n);
  const refault2 = paeMk(0x10003_00010n);
  const torn = initial & 0xffff_ffffn; // {0x00000000:l}
  const scenario: Scenario = {
    name: 'test-pae-double-refault-samelow',
    title: 'zap, refault {h2:l}, zap, refault {h3:l} racing the reader',
    arch: 'x86-pae',
    model: 'sc',
    readers: [],
    source: 'test/unit/reader-modules.test.ts',
    claim: 'hand-derived: a two-load re-validation cannot see an ABA of the zero high half',
    expect: {},
    build(reader: ReaderDef) {
      const m = paeMemory(initial);
      return {
        locations: m.locations,
        subject: m.subject,
        cpus: [
          { name: reader.name, program: () => reader.read(m.pte) },
          {
            name: 'zap, refault, zap, refault',
            program: function* () {
              yield* pte_clear(m.pte, { barriers: true });
              yield* set_pte(m.pte, refault1, { barriers: true });
              yield* pte_clear(m.pte, { barriers: true });
              yield* set_pte(m.pte, refault2, { barriers: true });
            },
          },
        ],
      };
    },
  };

  test('the torn value {0x00000000:l} is reachable under sc (random engine, seed 1)', () => {
    const [hlhl] = loadReaderModule(HLHL, ROOT);
    const t = makeTarget(scenario, hlhl!, contractByName('non-torn')!, 'sc', x86Pae);
    const observed = new Set<bigint>();
    for (let i = 0; i < 20000 && !observed.has(torn); i++) {
      const v = runTarget(t, new RandomSource(deriveSeed('1', i))).judgement.verdict;
      if (v.kind === 'divergence') {
        expect(v.class).toBe('torn');
        observed.add(v.observed);
      }
    }
    expect([...observed].map((v) => x86Pae.format(v))).toEqual([x86Pae.format(torn)]);
  });
});
