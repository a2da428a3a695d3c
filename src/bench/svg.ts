import type { CellSummary } from './summary';
import { caseLabel } from './summary';

const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A hand-written SVG bar chart: per case, one bar per engine for the median
 * seconds to the first divergence (log scale), a whisker to the p90, and a
 * hatched bar reaching the axis end for "not found in half of the runs".
 */
export function benchSvg(cells: readonly CellSummary[], title: string): string {
  const cases = [...new Set(cells.map(caseLabel))];
  const engines = [...new Set(cells.map((c) => c.engine))];
  const finite = cells.flatMap((c) => [c.medianSeconds, c.p90Seconds]).filter((x) => Number.isFinite(x) && x > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(0.001, ...finite))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(1, ...finite))));
  const left = 330;
  const width = 900;
  const plot = width - left - 30;
  const barH = 12;
  const groupH = engines.length * (barH + 3) + 16;
  const top = 56;
  const height = top + cases.length * groupH + 40;
  const x = (s: number): number => left + (Math.log10(Math.max(lo, s) / lo) / Math.log10(hi / lo)) * plot;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    '<defs><pattern id="nf" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#bbb"/></pattern></defs>',
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ];
  engines.forEach((e, i) => {
    const lx = left + i * 110;
    out.push(`<rect x="${lx}" y="28" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`);
    out.push(`<text x="${lx + 14}" y="37">${esc(e)}</text>`);
  });
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    const gx = x(d).toFixed(1);
    out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${height - 34}" stroke="#ddd"/>`);
    out.push(`<text x="${gx}" y="${height - 20}" text-anchor="middle">${d >= 1 ? d : d.toPrecision(1)} s</text>`);
  }
  cases.forEach((label, ci) => {
    const gy = top + ci * groupH;
    out.push(`<text x="${left - 8}" y="${gy + groupH / 2}" text-anchor="end">${esc(label)}</text>`);
    engines.forEach((e, ei) => {
      const c = cells.find((k) => caseLabel(k) === label && k.engine === e);
      if (!c) return;
      const y = gy + ei * (barH + 3);
      const color = COLORS[ei % COLORS.length]!;
      if (!Number.isFinite(c.medianSeconds)) {
        out.push(`<rect x="${left}" y="${y}" width="${plot}" height="${barH}" fill="url(#nf)"/>`);
        out.push(`<text x="${left + 4}" y="${y + barH - 2}">${esc(e)}: not found (${c.found}/${c.runs})</text>`);
        return;
      }
      const w = Math.max(1, x(c.medianSeconds) - left);
      out.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${color}"/>`);
      const px = Number.isFinite(c.p90Seconds) ? x(c.p90Seconds) : left + plot;
      out.push(
        `<line x1="${(left + w).toFixed(1)}" y1="${y + barH / 2}" x2="${px.toFixed(1)}" y2="${y + barH / 2}" stroke="#333"/>`,
      );
      out.push(
        `<text x="${(Math.max(left + w, px) + 4).toFixed(1)}" y="${y + barH - 2}">${c.medianSeconds.toPrecision(2)} s, ${Math.round(c.medianExecutions)} execs (${c.found}/${c.runs})</text>`,
      );
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
