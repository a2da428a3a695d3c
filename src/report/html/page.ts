import type { VerdictReportInput } from '../verdict-report';
import { renderVerdictSummary } from '../verdict-report';
import { esc } from './escape';
import { PAGE_CSS } from './style';
import { renderTimeline } from './timeline';

/** What the HTML report shows besides the execution itself. */
export interface HtmlReportInput extends VerdictReportInput {
  /** the page title and heading, e.g. "s1-pae-double-refault: PAE: two zap → …" */
  readonly heading: string;
  /** lines under the heading: model, source, the command that replays it */
  readonly notes?: readonly string[];
}

/**
 * One self-contained HTML page (inline CSS and SVG, no script, nothing
 * fetched): the CPU lanes with read-from arrows, retry marks and the
 * reference value of each load on hover, followed by the verdict summary of
 * the text report. The same input always gives the same bytes.
 */
export function renderHtmlReport(input: HtmlReportInput): string {
  const timeline = renderTimeline(input);
  const v = input.judgement.verdict;
  const verdict =
    v.kind === 'divergence'
      ? `<span class="bad">divergence: ${esc(v.class)}</span>, observed ${esc(input.arch.format(v.observed))}`
      : esc(v.kind);
  const who = [input.readerName && `reader ${input.readerName}`, input.contract && `contract ${input.contract}`]
    .filter((x) => x)
    .join(', ');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>ptefuzz: ${esc(input.heading)}</title>`,
    `<style>${PAGE_CSS}${timeline.css}\n</style>`,
    '</head>',
    '<body>',
    `<h1>${esc(input.heading)}</h1>`,
    ...(input.notes ?? []).map((n) => `<p class="notes">${esc(n)}</p>`),
    `<p class="verdict">${esc(who)}${who ? ': ' : ''}${verdict}</p>`,
    '<p class="legend">One lane per CPU, one row per step (numbers on the left). Arrows run from the store ' +
      '(or store-buffer drain) that produced each value the reader loaded to the load; hover a load for the ' +
      'reference value it read. A dashed line marks where the reader’s loop retried. A load marked ' +
      '“stale by N stores” read a value that N later stores to its location had already replaced ' +
      '(the weak model lets a CPU read an older value until a barrier or a read of a newer one).</p>',
    `<div class="scroll">\n${timeline.svg}\n</div>`,
    '<h2>Reference history and verdict</h2>',
    `<pre class="summary">${esc(renderVerdictSummary(input))}</pre>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
