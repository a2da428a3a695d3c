import type { CampaignEvent, CampaignStatus } from '../campaign';
import { stabilityPercent } from '../campaign';

// process.memoryUsage.rss() reads the same figure without walking the heap spaces (a status line per corpus entry)
const rssMb = (): number => Math.round(process.memoryUsage.rss() / (1024 * 1024));

const LABEL: Record<CampaignEvent, string> = { new: 'NEW', corpus: 'NEW', pulse: 'pulse', done: 'DONE' };

/**
 * libFuzzer-style status lines on stderr (DESIGN §10):
 * `#N NEW cov: C ft: F corp: K exec/s: E crashes: X rss: M MB` — N executions,
 * C map counters and F (counter, hit-count bucket) features covered, K corpus
 * entries (engine `coverage` only), then `stab: S%` (the share of corpus
 * re-executions that reproduced their coverage and verdict), X distinct divergences. `NEW` on a new
 * corpus entry (not printed on a terminal: the progress bar stands for it, fuzz.ts) or a new divergence (then
 * followed by a `divergence:` line: newDivergenceLines),
 * `pulse` every few seconds, `DONE` at the end.
 */
export function statusLine(s: CampaignStatus, event: CampaignEvent): string {
  const rate = s.seconds > 0 ? Math.round(s.executions / s.seconds) : 0;
  const head = `#${s.executions}\t${LABEL[event]}\t`;
  const cov = s.coverage ? `cov: ${s.coverage.cov} ft: ${s.coverage.ft} corp: ${s.coverage.corpus} ` : '';
  const stab = s.stability ? `stab: ${stabilityPercent(s.stability).toFixed(2)}% ` : '';
  return `${head}${cov}${stab}exec/s: ${rate} crashes: ${s.findings} rss: ${rssMb()} MB`;
}

/**
 * What the progress bar shows after its time: executions, distinct divergences and, engine `coverage`, the
 * corpus entries and features — on a terminal the bar stands for the corpus `NEW` lines, which it does not print.
 */
export function barInfo(s: CampaignStatus): string {
  const cov = s.coverage ? ` corp: ${s.coverage.corpus} ft: ${s.coverage.ft}` : '';
  return `#${s.executions} divergences: ${s.findings}${cov}`;
}

export { rssMb };
