import { describe, expect, test } from 'vitest';
import type { MatrixCell } from '../../src/campaign';
import { checkExpectations, divergesForEveryReader, failsExpectation, notSingledOutNote } from '../../src/campaign';
import type { Scenario } from '../../src/scenario';
import { builtinScenario } from '../../src/scenario';

type Verdict = MatrixCell['verdict'];

/** A cell as checkExpectations sees it: reader, model, declared contract, verdict, counts. */
function cell(reader: string, model: string, verdict: Verdict, declared = true): MatrixCell {
  const divergence = verdict === 'divergence' ? 1 : 0;
  return {
    target: { reader: { name: reader, contract: 'non-torn' }, model } as unknown as MatrixCell['target'],
    declared,
    stats: {
      executions: 10,
      races: verdict === 'vacuous' ? 0 : 4,
      verdicts: { agree: 10 - divergence, divergence, boundHit: verdict === 'bound-hit' ? 10 : 0 },
    },
    classes: new Map(divergence ? [['torn', 1]] : []),
    verdict,
    explored: { engine: 'random', seed: '1', runs: 10 },
    witnesses: new Map(),
  };
}

const scenario = (expect: Record<string, string>): Scenario => ({ name: 's', expect }) as unknown as Scenario;

describe('checkExpectations', () => {
  const cases: [string, string, MatrixCell[], string][] = [
    ['bug found under one model', 'bug', [cell('r', 'tso', 'agree'), cell('r', 'weak', 'divergence')], 'met'],
    ['bug not found', 'bug', [cell('r', 'sc', 'agree'), cell('r', 'tso', 'agree')], 'mismatch'],
    ['correct', 'correct', [cell('r', 'sc', 'agree'), cell('r', 'tso', 'agree')], 'met'],
    ['correct but diverged', 'correct', [cell('r', 'sc', 'agree'), cell('r', 'tso', 'divergence')], 'mismatch'],
    ['correct but never raced', 'correct', [cell('r', 'sc', 'agree'), cell('r', 'tso', 'vacuous')], 'unconfirmed'],
    ['correct but every execution hit a bound', 'correct', [cell('r', 'sc', 'bound-hit')], 'unconfirmed'],
    ['benign divergence', 'benign', [cell('r', 'sc', 'divergence')], 'benign'],
    ['only other contracts in the matrix', 'correct', [cell('r', 'sc', 'divergence', false)], 'unchecked'],
    ['an expectation word this ptefuzz does not know', 'flaky', [cell('r', 'sc', 'agree')], 'unchecked'],
  ];
  for (const [what, expectation, cells, status] of cases) {
    test(what, () => {
      const [check, ...rest] = checkExpectations(scenario({ r: expectation }), cells);
      expect(rest).toHaveLength(0);
      expect(check!.status).toBe(status);
    });
  }

  test('a divergence under a contract the reader does not declare does not count', () => {
    const cells = [cell('r', 'sc', 'divergence', false), cell('r', 'sc', 'agree')];
    expect(checkExpectations(scenario({ r: 'correct' }), cells)[0]!.status).toBe('met');
  });

  test('readers without an expectation are skipped; mismatch and unconfirmed fail the matrix', () => {
    expect(checkExpectations(scenario({}), [cell('r', 'sc', 'agree')])).toEqual([]);
    expect(
      ['met', 'mismatch', 'unconfirmed', 'benign', 'unchecked'].filter((s) => failsExpectation(s as never)),
    ).toEqual(['mismatch', 'unconfirmed']);
  });
});

describe('notSingledOutNote: a divergence on a scenario that diverges for every reader it names', () => {
  const s = (name: string): Scenario => builtinScenario(name)!;
  test('the S10 control and the v6.0 S11 zap diverge for every reader they name: a module reader gets the note', () => {
    expect(divergesForEveryReader(s('s10-pae-dontneed-refault-free-before-flush'))).toEqual([
      'ptep_get_lockless',
      'ptep_get',
      'ptep_get_atomic64',
    ]);
    const note = notSingledOutNote(s('s11-pae-file-zap-early-rmap'), ['my_reader', 'my_reader', 'other']);
    expect(note).toBe(
      'note: every reader s11-pae-file-zap-early-rmap names is expected to diverge (ptep_get_atomic64: expect bug) — ' +
        'the kernel path it models is broken whatever the reader, so a divergence of my_reader, other there does not ' +
        'single them out',
    );
  });
  test('no note for a reader the scenario has an expectation for, nor where a control reader is expected correct', () => {
    expect(notSingledOutNote(s('s10-pae-dontneed-refault-free-before-flush'), ['ptep_get_atomic64'])).toBeUndefined();
    expect(divergesForEveryReader(s('s1-pae-double-refault'))).toBeUndefined();
    expect(notSingledOutNote(s('s1-pae-double-refault'), ['my_reader'])).toBeUndefined();
  });
});
