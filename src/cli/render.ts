import type { Run, Target, Finding } from '../campaign';
import { renderVerdictReport } from '../report';

/** Diagram + reference history + observed vs allowed, for one execution of a target. */
export function runReport(t: Target, run: Run): string {
  const input = {
    exec: run.exec,
    built: t.built,
    arch: t.arch,
    judgement: run.judgement,
    readerName: t.reader.name,
    contract: t.contract.name,
  };
  const head = `${t.scenario.name}: ${t.scenario.title}\nmodel ${t.model}; source: ${t.scenario.source}`;
  return [head, '', renderVerdictReport(input)].join('\n');
}

export function findingReport(f: Finding): string {
  return runReport(f.target, { exec: f.exec, judgement: f.judgement });
}

/**
 * Rows of cells as aligned text columns: each column as wide as its widest cell, two spaces between
 * columns, the columns in `right` (numbers) right-aligned; trailing blanks trimmed.
 */
export function alignColumns(rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}
