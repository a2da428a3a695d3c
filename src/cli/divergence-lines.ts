import type { CampaignStatus, FoundDivergence, Target } from '../campaign';
import { expectationFor, judgesExpectation, targetExpectation } from '../campaign';
import type { DivergenceReport } from './render';
import { replayCommandFor, showCommandFor } from './replay-command';
import { statusLine } from './status';
import { NOT_SAVED_REPLAY } from './unsaved';

/**
 * `fuzz --diagrams`: the new divergences a campaign prints the CPU-column diagram of — `all`, `unexpected` (those the
 * scenario expects correct: they contradict its expectations), `none`. Every other one gets a compact line.
 */
export const DIAGRAM_CHOICES = ['all', 'unexpected', 'none'] as const;
export type Diagrams = (typeof DIAGRAM_CHOICES)[number];

/**
 * `--diagrams` when not given: `all` for a campaign about one scenario (the user asked about that race), else
 * `unexpected` — a campaign over many scenarios finds dozens of expected bugs, and a diagram of each would bury its
 * summary (`ptefuzz show FILE` draws any of them).
 */
export function defaultDiagrams(targets: readonly Target[]): Diagrams {
  return new Set(targets.map((t) => t.scenario.name)).size === 1 ? 'all' : 'unexpected';
}

/**
 * What the scenario expects of a divergence's target, as its line says it (the summary table's `expected` column):
 * `expected bug`, `expected benign`, `UNEXPECTED (expected correct)`, or why there is no expectation.
 */
export function expectationTag(t: Target): string {
  const e = targetExpectation(t);
  if (e === 'correct') return 'UNEXPECTED (expected correct)';
  if (e !== undefined) return `expected ${e}`;
  if (expectationFor(t.scenario, t.reader.name) === undefined) return 'no stated expectation';
  return judgesExpectation(t) ? `no expectation under ${t.model}` : `no expectation under contract ${t.contract.name}`;
}

/** The scenario expects the target's reader correct under its model: a divergence contradicts it. */
export const isUnexpected = (t: Target): boolean => targetExpectation(t) === 'correct';

/**
 * The stderr lines of a new distinct divergence, for every engine (native campaigns, `--engine jsfuzz`, `--jobs`):
 * the status line, then — when `diagrams` asks for its diagram — `divergence: CLASS — READER on SCENARIO (CONTRACT,
 * MODEL), EXPECTATION -> FILE`, its report and its replay command; else one compact line, `divergence: … ,
 * EXPECTATION; show: COMMAND`. The report's warning (a reader that did not replay it, no diagram) is said either way.
 * `unsaved`: its crash file could not be written (its bytes were printed), so no command names it.
 */
export function newDivergenceLines(
  s: CampaignStatus,
  f: Pick<FoundDivergence, 'target' | 'class' | 'file'>,
  report: DivergenceReport,
  diagrams: Diagrams,
  unsaved: boolean,
): string {
  const t = f.target;
  const what = `\tdivergence: ${f.class} — ${t.reader.name} on ${t.scenario.name} (${t.contract.name}, ${t.model}), ${expectationTag(t)}`;
  const file = f.file ?? '(not saved)';
  const module = t.reader.module?.path;
  const warning = report.warning !== undefined ? [report.warning] : [];
  const head = statusLine(s, 'new');
  if (diagrams === 'none' || (diagrams === 'unexpected' && !isUnexpected(t))) {
    const show = unsaved || f.file === undefined ? NOT_SAVED_REPLAY : showCommandFor(file, module);
    return [head, `${what}; show: ${show}`, ...warning].join('\n') + '\n';
  }
  const replay = unsaved || f.file === undefined ? NOT_SAVED_REPLAY : replayCommandFor(file, module);
  const body = [...warning, ...(report.diagram !== undefined ? [report.diagram] : [])];
  return [head, `${what} -> ${file}`, ...body, `\treplay: ${replay}`].join('\n') + '\n\n';
}
