import { describe, expect, it } from 'vitest';
import { summaryTable } from '../../src/cli/commands/fuzz';
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
    ]);
    for (const [i, t] of targets.entries()) {
      const st = result.perTarget.get(t.key)!;
      const cells = rows[i]!.split(/ {2,}/);
      expect(cells.slice(0, 4)).toEqual([t.scenario.name, t.reader.name, t.contract.name, t.model]);
      expect(cells.slice(4, 8)).toEqual(
        [st.executions, st.races, st.verdicts.divergence, st.verdicts.boundHit].map(String),
      );
      expect(cells).toHaveLength(9);
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
