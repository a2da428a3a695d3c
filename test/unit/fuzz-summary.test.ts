import { describe, expect, it } from 'vitest';
import { campaignExpectations, corpusInfoLine, expectationLines, summaryTable } from '../../src/cli/commands/fuzz';
import { makeTarget } from '../../src/campaign';
import { contractByName } from '../../src/compare';
import { ARCHES, builtinReaders } from '../../src/kernel';
import { builtinScenario } from '../../src/scenario';
import { alignColumns } from '../../src/cli/render';
import { fuzz, target } from '../support/targets';

describe('fuzz summary table', () => {
  // the two longest names of the built-in set: a scenario name and a reader name longer than the old fixed columns
  const targets = [
    target('s10-pae-dontneed-refault-free-before-flush', 'ptep_get_lockless'),
    target('s9-contpte-fold-unfold', 'contpte_ptep_get_lockless', 'weak', 'ad-relaxed'),
  ];
  const result = fuzz(targets, '1', 6);
  const lines = summaryTable(result).split('\n');
  const header = lines[1]!;
  const rows = lines.slice(2, 2 + targets.length);

  it('separates every cell by at least two spaces, however long the names', () => {
    expect(header.split(/ {2,}/)).toEqual([
      'scenario',
      'reader',
      'contract',
      'model',
      'execs',
      'races',
      'diverge',
      'bound',
      'verdict',
      'expected',
    ]);
    for (const [i, t] of targets.entries()) {
      const st = result.perTarget.get(t.key)!;
      const cells = rows[i]!.split(/ {2,}/);
      expect(cells.slice(0, 4)).toEqual([t.scenario.name, t.reader.name, t.contract.name, t.model]);
      expect(cells.slice(4, 8)).toEqual(
        [st.executions, st.races, st.verdicts.divergence, st.verdicts.boundHit].map(String),
      );
      expect(cells).toHaveLength(10);
    }
  });

  it('starts the text columns under their headings and ends the numbers under theirs', () => {
    for (const [i, t] of targets.entries()) {
      const row = rows[i]!;
      expect(row.indexOf(` ${t.reader.name} `) + 1).toBe(header.indexOf('reader'));
      expect(row.indexOf(` ${t.contract.name} `) + 1).toBe(header.indexOf('contract'));
      expect(row.indexOf(` ${t.model} `) + 1).toBe(header.indexOf(' model ') + 1);
      const execs = String(result.perTarget.get(t.key)!.executions);
      const end = header.indexOf('execs') + 'execs'.length;
      expect(row.slice(end - execs.length, end)).toBe(execs);
      expect(row[end]).toBe(' ');
    }
  });
});

describe('alignColumns', () => {
  it('pads each column to its widest cell, right-aligns the numeric ones, trims the line end', () => {
    expect(
      alignColumns(
        [
          ['name', 'n', 'note'],
          ['a-very-long-name', '7', ''],
          ['b', '1234', 'x'],
        ],
        new Set([1]),
      ),
    ).toEqual(['name                 n  note', 'a-very-long-name     7', 'b                 1234  x']);
  });
});

describe("fuzz summary: the scenarios' expectations judged on the campaign", () => {
  it("names each target's expectation under its declared contract, none under another contract", () => {
    const declared = target('s2-pae-zap-reestablish', 'ptep_get_atomic64', 'tso');
    const other = target('s2-pae-zap-reestablish', 'ptep_get_atomic64', 'tso', 'exact');
    const rows = summaryTable(fuzz([declared, other], '1', 4))
      .split('\n')
      .slice(2, 4);
    expect(rows[0]!.split(/ {2,}/).at(-1)).toBe('correct');
    expect(rows[1]!.split(/ {2,}/).at(-1)).toBe('divergence'); // no expectation cell: the line ends at the verdict
  });

  it('lists a bug not found, and says when weak was not run', () => {
    // the same S2, but claiming (unqualified) that the atomic control diverges: no model can bear it out
    const s = builtinScenario('s2-pae-zap-reestablish')!;
    const r = builtinReaders().get('ptep_get_atomic64')!;
    const claimed = { ...s, expect: { ...s.expect, ptep_get_atomic64: [{ verdict: 'bug' as const }] } };
    const t = makeTarget(claimed, r, contractByName(r.contract)!, 'tso', ARCHES[s.arch]!);
    expect(expectationLines(campaignExpectations(fuzz([t], '1', 50)))).toEqual([
      "expectations (each scenario's `expect` for its readers, over the models run): 0 of 1 borne out (bug found 0, correct confirmed 0)",
      'expected bug NOT FOUND in the executions run (1; a longer campaign may find it):',
      expect.stringMatching(
        /^ {2}ptep_get_atomic64 on s2-pae-zap-reestablish \(non-torn\): no divergence under tso \(50 executions, \d+ raced\); weak not run, and a bug under any model shows under weak$/,
      ),
    ]);
  });

  it('a bug expected only under weak, weak not run: unchecked with the model to run — never "NOT FOUND"', () => {
    // S2 without the writer barriers: ptep_get_lockless is torn only under weak (x86-TSO keeps store order)
    const tso = fuzz([target('s2-pae-zap-reestablish-nowmb', 'ptep_get_lockless', 'tso')], '1', 50);
    const checks = campaignExpectations(tso);
    expect(checks.map((c) => [c.expect, c.status])).toEqual([
      ['correct under tso', 'met'],
      ['bug under weak', 'unchecked'],
    ]);
    const lines = expectationLines(checks);
    expect(lines.join('\n')).not.toContain('NOT FOUND');
    expect(lines).toEqual([
      "expectations (each scenario's `expect` for its readers, over the models run): 1 of 2 borne out (bug found 0, correct confirmed 1), 1 unchecked",
      "unchecked (1; the campaign did not run the reader's declared contract, or any model the clause is about):",
      '  ptep_get_lockless on s2-pae-zap-reestablish-nowmb (non-torn), bug under weak: weak not run (the models run: tso; bug under weak is judged under weak); run it with --model weak',
    ]);
    const both = fuzz(
      [
        target('s2-pae-zap-reestablish-nowmb', 'ptep_get_lockless', 'tso'),
        target('s2-pae-zap-reestablish-nowmb', 'ptep_get_lockless', 'weak'),
      ],
      '1',
      50,
    );
    expect(expectationLines(campaignExpectations(both))).toEqual([
      "expectations (each scenario's `expect` for its readers, over the models run): 2 of 2 borne out (bug found 1, correct confirmed 1)",
    ]);
    // the summary table's expected column says what each model's cell is expected to show
    const rows = summaryTable(both).split('\n').slice(2, 4);
    expect(rows.map((row) => [row.split(/ {2,}/)[3], row.split(/ {2,}/).at(-1)])).toEqual([
      ['tso', 'correct'],
      ['weak', 'bug'],
    ]);
  });

  it('flags a divergence where the scenario expects the reader correct', () => {
    const s = builtinScenario('s2-pae-zap-reestablish')!;
    const r = builtinReaders().get('ptep_get')!;
    // the same scenario, but claiming the plain two-load read is correct: the campaign must contradict it
    const claimed = { ...s, expect: { ...s.expect, ptep_get: [{ verdict: 'correct' as const }] } };
    const t = makeTarget(claimed, r, contractByName(r.contract)!, 'tso', ARCHES[s.arch]!);
    const checks = campaignExpectations(fuzz([t], '1', 100));
    expect(checks.map((c) => [c.reader, c.expect, c.status, c.models])).toEqual([
      ['ptep_get', 'correct', 'mismatch', ['tso']],
    ]);
    const lines = expectationLines(checks);
    expect(lines[1]).toBe(
      'UNEXPECTED divergence where the scenario expects the reader correct (1; a new finding or a modelling error):',
    );
    expect(lines[2]).toBe('  ptep_get on s2-pae-zap-reestablish (non-torn): divergence: torn under tso');
  });

  it('calls a correct expectation that never raced unconfirmed, not confirmed', () => {
    const checks = campaignExpectations(fuzz([target('s2-pae-zap-reestablish', 'ptep_get_atomic64', 'tso')], '1', 0));
    expect(expectationLines(checks).slice(1)).toEqual([
      'expected correct, UNCONFIRMED (1; it never raced, or only hit bounds):',
      '  ptep_get_atomic64 on s2-pae-zap-reestablish (non-torn): vacuous under tso (0 executions, 0 raced)',
    ]);
  });
});

describe('fuzz summary: an expectation the campaign cannot judge', () => {
  it('says which reader and which declared contract was not run', () => {
    const checks = campaignExpectations(
      fuzz([target('s2-pae-zap-reestablish', 'ptep_get_atomic64', 'tso', 'exact')], '1', 4),
    );
    expect(expectationLines(checks)).toEqual([
      "expectations (each scenario's `expect` for its readers, over the models run): 0 of 1 borne out (bug found 0, correct confirmed 0), 1 unchecked",
      "unchecked (1; an expectation is about the reader's declared contract, which this campaign did not run):",
      '  ptep_get_atomic64 on s2-pae-zap-reestablish: declared contract non-torn not run',
    ]);
  });
});

describe('fuzz summary: the INFO: corpus line', () => {
  it('says each count with its noun, singular for one (was: `1 entries loaded`)', () => {
    expect(corpusInfoLine('k/', { loaded: 1, saved: 1, skipped: 1, unsaved: 1, unsynced: 1 })).toBe(
      'INFO: corpus k/: 1 entry loaded, 1 new entry saved, 1 unreadable file skipped, 1 new entry NOT saved ' +
        '(write errors; kept in memory only), 1 sync of a target folder failed (it could not be listed; see the warning)',
    );
    expect(corpusInfoLine('k', { loaded: 2, saved: 3, skipped: 4, unsaved: 5, unsynced: 6 })).toBe(
      'INFO: corpus k/: 2 entries loaded, 3 new entries saved, 4 unreadable files skipped, 5 new entries NOT saved ' +
        '(write errors; kept in memory only), 6 syncs of a target folder failed (it could not be listed; see the warning)',
    );
    // nothing skipped, unsaved or unsynced: those parts are left out; none loaded or saved is still said
    expect(corpusInfoLine('k', { loaded: 0, saved: 0, skipped: 0 })).toBe(
      'INFO: corpus k/: 0 entries loaded, 0 new entries saved',
    );
  });
});

describe('fuzz summary: the last line of a campaign without a divergence says what it covers', () => {
  const t = target('s2-pae-zap-reestablish', 'ptep_get_atomic64', 'tso');
  const clean = fuzz([t], '1', 4);
  const BOUNDS =
    '(bounds: 4000 steps per execution, 64 retries per read; races = reader invocations that overlapped a writer)';
  const last = (r: typeof clean, signal?: NodeJS.Signals): string => summaryTable(r, signal).split('\n').pop()!;
  const hung = (n: number, dropped: boolean) => ({ hangs: new Map([[t.key, n]]), dropped: dropped ? [t.key] : [] });

  it('every run made and judged: No divergence.', () => {
    expect(clean.findings).toEqual([]);
    expect(last(clean)).toBe(`No divergence. ${BOUNDS}`);
  });

  it('every execution hung: no execution judged, no claim — never "No divergence"', () => {
    const r = { ...clean, executions: 0, ...hung(3, true) };
    expect(last(r)).toBe(
      'No execution judged, so no claim: 3 hung execution(s) stopped, never judged (timeouts below); 1 target(s) dropped after 3 timeouts, not run further.',
    );
  });

  it('some executions hung: the divergence-free ones are counted, the hung ones named', () => {
    expect(last({ ...clean, ...hung(2, false) })).toBe(
      `No divergence in the 4 execution(s) judged; 2 hung execution(s) stopped, never judged (timeouts below). ${BOUNDS}`,
    );
  });

  it('interrupted: by a signal, or stopped otherwise (a worker thread died)', () => {
    const r = { ...clean, interrupted: true };
    expect(last(r, 'SIGINT')).toBe(
      `No divergence in the 4 execution(s) judged; interrupted by SIGINT: the campaign did not run to its end. ${BOUNDS}`,
    );
    expect(last(r)).toBe(`No divergence in the 4 execution(s) judged; the campaign did not run to its end. ${BOUNDS}`);
    // hangs before the signal: something was run, so not "before the first execution"
    expect(last({ ...r, executions: 0, ...hung(1, false) }, 'SIGTERM')).toBe(
      'No execution judged, so no claim: 1 hung execution(s) stopped, never judged (timeouts below); interrupted by SIGTERM: the campaign did not run to its end.',
    );
    expect(last({ ...r, executions: 0 }, 'SIGTERM')).toMatch(/^INTERRUPTED by SIGTERM before the first execution/);
  });
});
