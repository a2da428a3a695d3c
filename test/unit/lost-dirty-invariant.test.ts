import { describe, expect, test } from 'vitest';
import type { Execution, OpRecord } from '../../src/machine';
import type { WriterSpec } from '../../src/kernel';
import { PAE, paeMk, x86Pae } from '../../src/kernel';
import { checkInvariants } from '../../src/compare';
import { buildHistory } from '../../src/reference';

/**
 * DESIGN §6 / invariants.ts rule 4: a dirty bit, once set, is cleared only by
 * an explicit clean operation — a store that turns a dirty pte of a page into
 * a clean present pte of the same page is `lost-dirty` unless its
 * specification says `cleans: true`. A writer spec that says nothing about
 * cleaning is not a clean operation. Hand-built: one writer, dirty → clean.
 */
const DIRTY = paeMk(0x10n);
const CLEAN = DIRTY & ~PAE.DIRTY;

function exec(spec: WriterSpec): Execution {
  const w: OpRecord = {
    id: 0,
    cpu: 0,
    mark: { name: 'ptep_set_wrprotect', role: 'writer', subject: 'pte', spec },
    parent: -1,
    start: 0,
    end: 1,
    done: true,
    retries: 0,
  };
  return {
    outcome: { kind: 'complete' },
    events: [],
    ops: [w],
    choices: [],
    trace: [],
    results: [],
    final: [],
    steps: 2,
    model: 'sc',
    flush: 'ipi',
    pages: new Map(),
  };
}

const judgeOf = (spec: WriterSpec) => {
  const e = exec(spec);
  return checkInvariants(e, buildHistory(e, 'pte', DIRTY), 'pte', x86Pae);
};

describe('lost-dirty: only an explicit clean operation may clear dirty', () => {
  test('a writer whose spec does not declare `cleans` and drops dirty: lost-dirty', () => {
    const v = judgeOf({ describe: 'set clean', apply: () => CLEAN });
    expect(v?.class).toBe('lost-dirty');
    expect(v?.observed).toBe(CLEAN);
    expect(v?.allowed).toEqual([DIRTY]);
  });

  test('the same store declared `cleans: true` (folio_mkclean): no violation', () => {
    expect(judgeOf({ describe: 'mkclean', apply: () => CLEAN, cleans: true })).toBeUndefined();
  });

  test('a writer that keeps dirty: no violation', () => {
    expect(judgeOf({ describe: 'set dirty', apply: () => DIRTY })).toBeUndefined();
  });
});
