import { describe, expect, test } from 'vitest';
import type { MatrixCell } from '../../src/campaign';
import { checkExpectations, failsExpectation } from '../../src/campaign';
import type { Scenario } from '../../src/scenario';

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
