import { describe, expect, test } from 'vitest';
import type { Execution } from '../../src/machine';
import type { ProgramCandidate, Predicate } from '../../src/minimize';
import { minimizeProgram } from '../../src/minimize';
import type { ScnFile } from '../../src/scenario';
import { S2_SCN, parseScn, printScn } from '../../src/scenario';
import { refusedText } from '../../src/cli/commands/minimize';

/**
 * A control that does not diverge but whose execution the reference refuses (outside its contract) refutes the
 * candidate, as one that diverges does: the reduction broke the program on a schedule other than the witness's
 * (was: counted as "the control did not fail", and the candidate was kept — S3's dropped PTL, where the
 * fault path's set_pte met the unlocked pte_clear on 5 of 2000 schedules). Scripted candidates on S2's syntax tree:
 * every program that keeps B's set_pte and A's reader "fails"; the control says which schedule breaks the contract.
 */
const CLEAR = 'cpu B "zap + re-establish": pte_clear(pte)';
const RULE = 'the writers of one pte not serialised';

/** A stand-in execution: the program passes read only its trace, the trace passes (none run: `passes` []) its choices. */
const exec = { trace: [0], choices: [] } as unknown as Execution;

function scripted(outsideAt: number | undefined) {
  const calls: number[] = [];
  const program = (f: ScnFile, reduced: boolean): ProgramCandidate | null => {
    const text = printScn(f);
    // a program with no reader call does not lower (ScenarioError in the real one)
    if (!text.includes('reader(pte)')) return null;
    const fails: Predicate = () => (text.includes('set_pte') ? exec : null);
    let runs = 0;
    let outside: string | undefined;
    return {
      file: f,
      holds: fails,
      probe: () => exec,
      ...(reduced
        ? {
            controls: () => [
              {
                reader: 'ptep_get_atomic64',
                holds: () => {
                  runs++;
                  calls.push(runs);
                  // only the program without its pte_clear breaks the contract, on the control's `outsideAt`th run
                  outside = !text.includes('pte_clear') && runs === outsideAt ? RULE : undefined;
                  return null;
                },
                outside: () => outside,
              },
            ],
          }
        : {}),
    };
  };
  const start = program(parseScn(S2_SCN, 's2.scn'), false)!;
  const m = minimizeProgram(start, [0], (f) => program(f, true), [])!;
  return { m, calls };
}

describe('the controls: an execution outside the reference contract refutes the candidate', () => {
  test('on the control’s 3rd schedule: pte_clear stays, and the refusal names the rule and the schedule', () => {
    const { m } = scripted(3);
    expect(m.dropped).not.toContain(CLEAR);
    expect(m.controls.refuted).toEqual([
      { dropped: [CLEAR], searched: false, control: 'ptep_get_atomic64', schedules: 3, rule: RULE },
    ]);
    // `ptefuzz minimize`'s line for it; a control that diverged keeps its own words
    expect(refusedText(m.controls.refuted[0]!)).toBe(
      `; refused: dropped from cpu B "zap + re-establish": pte_clear(pte) (outside the reference's contract on schedule 3 of the control ptep_get_atomic64: ${RULE})`,
    );
    const { rule, ...diverged } = m.controls.refuted[0]!;
    expect(rule).toBe(RULE);
    expect(refusedText({ ...diverged, searched: true })).toBe(
      '; refused (schedule search): dropped from cpu B "zap + re-establish": pte_clear(pte) (ptep_get_atomic64, which the scenario expects correct, fails on it the same way after 3 schedule(s): the reduction, not the reader)',
    );
  });

  test('never outside: the control does not fail, and pte_clear goes (every control schedule run: 1 + 64)', () => {
    const { m, calls } = scripted(undefined);
    expect(m.dropped).toEqual([CLEAR]);
    expect(m.controls.refuted).toEqual([]);
    expect(Math.max(...calls)).toBe(65);
  });
});
