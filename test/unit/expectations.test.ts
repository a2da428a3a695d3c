import { describe, expect, test } from 'vitest';
import type { MatrixCell } from '../../src/campaign';
import {
  checkExpectations,
  clauseModels,
  divergesForEveryReader,
  expectationAt,
  failsExpectation,
  notSingledOutNote,
  selectTargets,
} from '../../src/campaign';
import { builtinReaders } from '../../src/kernel';
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

/** A scenario whose readers each state one clause without a model (`expect bug`). */
const scenario = (expect: Record<string, string>): Scenario =>
  ({
    name: 's',
    expect: Object.fromEntries(Object.entries(expect).map(([r, verdict]) => [r, [{ verdict }]])),
  }) as unknown as Scenario;
/** A scenario whose reader `r` states these clauses. */
const clauses = (...cs: { verdict: string; model?: string }[]): Scenario =>
  ({ name: 's', expect: { r: cs } }) as unknown as Scenario;

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

describe('checkExpectations: a clause under a model is judged by nesting (SC ⊆ TSO ⊆ weak)', () => {
  const agree = (m: string): MatrixCell => cell('r', m, 'agree');
  const diverge = (m: string): MatrixCell => cell('r', m, 'divergence');
  const judge = (s: Scenario, cells: MatrixCell[]) =>
    checkExpectations(s, cells).map((c) => [c.expect, c.status, c.detail]);

  test('the models each clause is judged on', () => {
    expect(clauseModels({ verdict: 'bug', model: 'sc' })).toEqual(['sc', 'tso', 'weak']);
    expect(clauseModels({ verdict: 'bug', model: 'weak' })).toEqual(['weak']);
    expect(clauseModels({ verdict: 'correct', model: 'tso' })).toEqual(['sc', 'tso']);
    expect(clauseModels({ verdict: 'benign', model: 'sc' })).toEqual(['sc']);
    expect(clauseModels({ verdict: 'correct' })).toEqual(['sc', 'tso', 'weak']);
  });

  test('bug under weak when weak was not run: unchecked, naming the model — never "not found"', () => {
    const checks = checkExpectations(clauses({ verdict: 'bug', model: 'weak' }), [agree('sc'), agree('tso')]);
    expect(checks).toEqual([
      {
        scenario: 's',
        reader: 'r',
        contract: 'non-torn',
        expect: 'bug under weak',
        verdict: 'bug',
        model: 'weak',
        notRun: ['weak'],
        status: 'unchecked',
        detail: 'weak not run (the models run: sc, tso; bug under weak is judged under weak)',
      },
    ]);
    expect(failsExpectation(checks[0]!.status)).toBe(false);
  });

  test('bug under weak: met by a weak divergence; a tso divergence alone does not meet it', () => {
    expect(judge(clauses({ verdict: 'bug', model: 'weak' }), [agree('tso'), diverge('weak')])).toEqual([
      ['bug under weak', 'met', 'divergence: torn under weak'],
    ]);
    expect(judge(clauses({ verdict: 'bug', model: 'weak' }), [diverge('tso'), agree('weak')])).toEqual([
      ['bug under weak', 'mismatch', 'no divergence under weak (10 executions, 4 raced)'],
    ]);
  });

  test('bug under tso is judged on tso and weak, not on sc', () => {
    expect(judge(clauses({ verdict: 'bug', model: 'tso' }), [diverge('sc'), agree('tso')])).toEqual([
      ['bug under tso', 'mismatch', 'no divergence under tso (10 executions, 4 raced)'],
    ]);
    expect(judge(clauses({ verdict: 'bug', model: 'tso' }), [agree('tso'), diverge('weak')])[0]![1]).toBe('met');
  });

  test('correct under tso with a weak divergence: met (judged on sc and tso); a tso divergence contradicts it', () => {
    expect(judge(clauses({ verdict: 'correct', model: 'tso' }), [agree('sc'), agree('tso'), diverge('weak')])).toEqual([
      ['correct under tso', 'met', 'agree under sc, tso (20 executions, 8 raced)'],
    ]);
    expect(judge(clauses({ verdict: 'correct', model: 'tso' }), [agree('sc'), diverge('tso')])).toEqual([
      ['correct under tso', 'mismatch', 'divergence: torn under tso'],
    ]);
    expect(judge(clauses({ verdict: 'correct', model: 'tso' }), [agree('weak')]).map(([e, st]) => [e, st])).toEqual([
      ['correct under tso', 'unchecked'],
    ]);
  });

  test('benign under tso: informational on sc and tso only', () => {
    expect(judge(clauses({ verdict: 'benign', model: 'tso' }), [agree('tso'), diverge('weak')])).toEqual([
      ['benign under tso', 'benign', 'agree under tso (10 executions, 4 raced)'],
    ]);
  });

  test('one row per clause: "correct under tso, bug under weak" over sc, tso and weak', () => {
    const s = clauses({ verdict: 'correct', model: 'tso' }, { verdict: 'bug', model: 'weak' });
    expect(judge(s, [agree('sc'), agree('tso'), diverge('weak')])).toEqual([
      ['correct under tso', 'met', 'agree under sc, tso (20 executions, 8 raced)'],
      ['bug under weak', 'met', 'divergence: torn under weak'],
    ]);
    // the scenario's own model only (a campaign given --model tso): the bug clause is not judged, not missed
    expect(judge(s, [agree('tso')]).map(([e, st]) => [e, st])).toEqual([
      ['correct under tso', 'met'],
      ['bug under weak', 'unchecked'],
    ]);
  });

  test("a table's expected column: what the clauses say under the cell's model", () => {
    const nowmb = builtinScenario('s2-pae-zap-reestablish-nowmb')!;
    expect(['sc', 'tso', 'weak'].map((m) => expectationAt(nowmb, 'ptep_get_lockless', m as never))).toEqual([
      'correct',
      'correct',
      'bug',
    ]);
    expect(['sc', 'tso', 'weak'].map((m) => expectationAt(nowmb, 'ptep_get', m as never))).toEqual([
      'bug',
      'bug',
      'bug',
    ]);
    const gap = clauses({ verdict: 'correct', model: 'sc' }, { verdict: 'bug', model: 'weak' });
    expect(['sc', 'tso', 'weak'].map((m) => expectationAt(gap, 'r', m as never))).toEqual([
      'correct',
      undefined,
      'bug',
    ]);
    const both = clauses({ verdict: 'correct', model: 'sc' }, { verdict: 'benign', model: 'tso' });
    expect(expectationAt(both, 'r', 'sc')).toBe('correct');
    expect(expectationAt(both, 'r', 'tso')).toBe('benign');
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
    const note = notSingledOutNote(s('s11-pae-file-zap-early-rmap'), [
      { reader: 'my_reader', model: 'sc' },
      { reader: 'my_reader', model: 'weak' },
      { reader: 'other', model: 'tso' },
    ]);
    expect(note).toBe(
      'note: every reader s11-pae-file-zap-early-rmap names is expected to diverge (ptep_get_atomic64: expect bug) — ' +
        'the kernel path it models is broken whatever the reader, so a divergence of my_reader, other there does not ' +
        'single them out',
    );
  });
  test('no note for a reader the scenario has an expectation for, nor where a control reader is expected correct', () => {
    expect(
      notSingledOutNote(s('s10-pae-dontneed-refault-free-before-flush'), [
        { reader: 'ptep_get_atomic64', model: 'tso' },
      ]),
    ).toBeUndefined();
    expect(divergesForEveryReader(s('s1-pae-double-refault'))).toBeUndefined();
    expect(notSingledOutNote(s('s1-pae-double-refault'), [{ reader: 'my_reader', model: 'tso' }])).toBeUndefined();
  });
  test('a bug expected only under weak: a module reader diverging under tso is not covered by the note', () => {
    const all = {
      name: 'w',
      expect: { a: [{ verdict: 'bug', model: 'weak' }], b: [{ verdict: 'bug' }] },
    } as unknown as Scenario;
    expect(divergesForEveryReader(all)).toEqual(['a', 'b']);
    expect(divergesForEveryReader(all, 'tso')).toBeUndefined();
    expect(notSingledOutNote(all, [{ reader: 'mine', model: 'tso' }])).toBeUndefined();
    expect(notSingledOutNote(all, [{ reader: 'mine', model: 'weak' }])).toBe(
      'note: every reader w names is expected to diverge (a: expect bug under weak; b: expect bug) — the kernel path ' +
        'it models is broken whatever the reader, so a divergence of mine there does not single it out',
    );
  });
});

describe("selectTargets withBugModels (fuzz's default campaign): the models a reader's bug clauses name", () => {
  const keys = (sel: Parameters<typeof selectTargets>[0]): string[] =>
    selectTargets(sel, builtinReaders()).map((t) => `${t.scenario.name} ${t.reader.name} ${t.model}`);
  test('over every built-in scenario, only S2-nowmb ptep_get_lockless gains a target: weak, after its tso one', () => {
    const own = keys({});
    const withBugs = keys({ withBugModels: true });
    const i = own.indexOf('s2-pae-zap-reestablish-nowmb ptep_get_lockless tso');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(withBugs).toEqual([
      ...own.slice(0, i + 1),
      's2-pae-zap-reestablish-nowmb ptep_get_lockless weak',
      ...own.slice(i + 1),
    ]);
  });
  test('explicit models are run exactly as asked', () => {
    expect(keys({ scenarios: ['s2-pae-zap-reestablish-nowmb'], models: ['tso'], withBugModels: true })).toEqual([
      's2-pae-zap-reestablish-nowmb ptep_get_lockless tso',
      's2-pae-zap-reestablish-nowmb ptep_get tso',
      's2-pae-zap-reestablish-nowmb ptep_get_atomic64 tso',
    ]);
  });
});
