import type { BenchRow, Throughput } from './runners';
import { median, p90 } from './stats';

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** The figures of one (case, engine) over its seeds. */
export interface CellSummary {
  readonly scenario: string;
  readonly reader: string;
  readonly model: string;
  readonly engine: string;
  readonly runs: number;
  readonly found: number;
  /** +Infinity when fewer than half (p90: 90 %) of the runs found the bug */
  readonly medianExecutions: number;
  readonly p90Executions: number;
  readonly medianSeconds: number;
  readonly p90Seconds: number;
  /** of the throughput run when there is one, else over the runs of the cell */
  readonly execsPerSec: number;
  readonly peakRssMb: number;
  /** jsfuzz: executions per second of its sessions, start-ups excluded */
  readonly activeExecsPerSec?: number;
  /** runs that ended at a wall-clock cap before their execution budget (jsfuzz) */
  readonly timeCapped: number;
  /** executions to the first divergence of each run, in seed order (+Infinity: not found) */
  readonly executions?: readonly number[];
}

export const caseLabel = (r: { scenario: string; reader: string; model: string }): string =>
  `${r.scenario} ${r.reader} ${r.model}`;

/** Group rows by case and engine, in order of first appearance. */
export function summarize(rows: readonly BenchRow[], throughput: readonly Throughput[] = []): CellSummary[] {
  const groups = new Map<string, BenchRow[]>();
  for (const r of rows) {
    const k = `${caseLabel(r)}\u0000${r.engine}`;
    const g = groups.get(k) ?? [];
    g.push(r);
    groups.set(k, g);
  }
  return [...groups.values()].map((g) => {
    const x = g[0]!;
    const t = throughput.find((k) => caseLabel(k) === caseLabel(x) && k.engine === x.engine);
    const execs = g.map((r) => (r.found ? r.executions : Infinity));
    const secs = g.map((r) => (r.found ? r.seconds : Infinity));
    return {
      scenario: x.scenario,
      reader: x.reader,
      model: x.model,
      engine: x.engine,
      runs: g.length,
      found: g.filter((r) => r.found).length,
      medianExecutions: median(execs),
      p90Executions: p90(execs),
      medianSeconds: median(secs),
      p90Seconds: p90(secs),
      execsPerSec: t ? t.execsPerSec : sum(g.map((r) => r.executions)) / Math.max(1e-9, sum(g.map((r) => r.seconds))),
      peakRssMb: Math.max(t?.peakRssMb ?? 0, ...g.map((r) => r.peakRssMb)),
      ...(g.some((r) => r.activeSeconds !== undefined)
        ? {
            activeExecsPerSec:
              sum(g.map((r) => r.executions)) / Math.max(1e-9, sum(g.map((r) => r.activeSeconds ?? 0))),
          }
        : {}),
      timeCapped: g.filter((r) => r.bound === 'time').length,
      executions: execs,
    };
  });
}
