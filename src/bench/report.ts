import type { CellSummary } from './summary';
import { caseLabel } from './summary';

/** What a report section sees. */
export interface BenchContext {
  readonly cells: readonly CellSummary[];
  readonly budget: number;
  readonly seeds: number;
  /** executions of each throughput run (exec/s, RSS) */
  readonly throughputExecutions: number;
}

/**
 * One section of the markdown report. The bench prints every section of
 * BENCH_SECTIONS in order; add one (e.g. `--jobs 1` vs `--jobs 2`) by
 * appending to the list.
 */
export interface BenchSection {
  readonly title: string;
  render(ctx: BenchContext): string;
}

const fmtCount = (x: number, budget: number): string => (Number.isFinite(x) ? String(Math.round(x)) : `>${budget}`);
const fmtSec = (x: number): string => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '—');

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** a/b of two medians, where either may be +Infinity (not found in half the runs). */
export function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) && !Number.isFinite(b)) return 'n/a (neither found)';
  if (!Number.isFinite(a)) return '> 1 (coverage: not found)';
  if (!Number.isFinite(b)) return '< 1 (other: not found)';
  return (a / b).toFixed(2);
}

export const ENGINE_TABLE: BenchSection = {
  title: 'Executions and seconds to the first divergence',
  render({ cells, budget }) {
    return table(
      [
        'scenario',
        'reader',
        'model',
        'engine',
        'found',
        'median execs',
        'p90 execs',
        'median s',
        'p90 s',
        'exec/s',
        'peak RSS MB',
      ],
      cells.map((c) => [
        c.scenario,
        c.reader,
        c.model,
        c.engine,
        `${c.found}/${c.runs}`,
        fmtCount(c.medianExecutions, budget),
        fmtCount(c.p90Executions, budget),
        fmtSec(c.medianSeconds),
        fmtSec(c.p90Seconds),
        String(Math.round(c.execsPerSec)),
        String(c.peakRssMb),
      ]),
    );
  },
};

/** coverage against every other engine: median executions ratio (< 1: coverage needs fewer) and exec/s ratio. */
export const COVERAGE_RATIOS: BenchSection = {
  title: 'coverage vs random and pct (median executions to first divergence; exec/s)',
  render({ cells }) {
    const byCase = new Map<string, Map<string, CellSummary>>();
    for (const c of cells) {
      const m = byCase.get(caseLabel(c)) ?? new Map<string, CellSummary>();
      m.set(c.engine, c);
      byCase.set(caseLabel(c), m);
    }
    const rows: string[][] = [];
    for (const [label, m] of byCase) {
      const cov = m.get('coverage');
      if (!cov) continue;
      for (const [engine, other] of m) {
        if (engine === 'coverage') continue;
        rows.push([
          label,
          `coverage/${engine}`,
          ratio(cov.medianExecutions, other.medianExecutions),
          other.execsPerSec > 0 ? (cov.execsPerSec / other.execsPerSec).toFixed(2) : 'n/a',
        ]);
      }
    }
    return table(['case', 'ratio', 'median execs', 'exec/s'], rows);
  },
};

export const BENCH_SECTIONS: BenchSection[] = [ENGINE_TABLE, COVERAGE_RATIOS];

export function markdownReport(ctx: BenchContext, sections: readonly BenchSection[] = BENCH_SECTIONS): string {
  const head =
    `ptefuzz bench: ${ctx.seeds} seeds per case and engine, budget ${ctx.budget} executions per run (a run that does not find the bug counts as >budget); ` +
    `exec/s and peak RSS from one ${ctx.throughputExecutions}-execution campaign per case and engine (seed 1, not stopped at divergences)`;
  return [head, ...sections.map((s) => `### ${s.title}\n\n${s.render(ctx)}`)].join('\n\n');
}
