/**
 * `fuzz --time` with a terminal on stderr: the progress bar stands for the corpus `NEW` status lines (dozens a
 * second early in a coverage campaign, which scrolled the divergence reports away); divergences, pulses and `DONE`
 * print as without a terminal, where every status line is printed (libFuzzer's log, as before).
 */
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { byCodeUnit } from '../../src/machine/order';
import { cliInProcess, inTmpAsync } from '../support/cli';

/** The campaign: ends after its runs (the --time budget only turns the bar on). */
const ARGS = ['fuzz', '--scenario', 's1-pae-double-refault', '--runs', '300', '--seed', '1', '--time', '3600'];

/** `cliInProcess` with stderr taken for a terminal of `columns` columns. */
async function onTerminal(args: readonly string[], dir: string, columns: number) {
  const stderr = process.stderr as { isTTY: boolean | undefined; columns: number | undefined };
  const was = { isTTY: stderr.isTTY, columns: stderr.columns };
  stderr.isTTY = true;
  stderr.columns = columns;
  try {
    return await cliInProcess(args, dir);
  } finally {
    stderr.isTTY = was.isTTY;
    stderr.columns = was.columns;
  }
}

/**
 * The lines written above the bar: every write is `\r\x1b[K` (clear the bar), whole lines, then the bar again
 * (text after the last newline); the bar's own redraws are `\r\x1b[K` and the bar.
 */
function linesAboveBar(raw: string): { lines: string; bars: string[] } {
  const bars: string[] = [];
  let lines = '';
  for (const piece of raw.split('\r\x1b[K')) {
    const cut = piece.lastIndexOf('\n') + 1;
    lines += piece.slice(0, cut);
    if (cut < piece.length) bars.push(piece.slice(cut));
  }
  return { lines, bars };
}

/** Status lines up to `DONE`, with the figures that depend on the machine masked; pulse lines dropped. */
function statusPart(lines: string): string[] {
  const all = lines.split('\n');
  return all
    .slice(0, all.findIndex((l) => /^#\d+\tDONE\t/.test(l)) + 1)
    .filter((l) => !/^#\d+\tpulse\t/.test(l))
    .map((l) => l.replace(/exec\/s: \d+/, 'exec/s: E').replace(/rss: \d+ MB/, 'rss: R MB'));
}

/**
 * A filter of status lines: true for a corpus entry's `NEW` line — its crash count one already seen (a
 * divergence's `NEW` line is the first with its count).
 */
function corpusNewLines(): (l: string) => boolean {
  const crashes = new Set(['0']);
  return (l) => {
    const m = /^#\d+\tNEW\t.*crashes: (\d+) /.exec(l);
    if (!m) return false;
    if (crashes.has(m[1]!)) return true;
    crashes.add(m[1]!);
    return false;
  };
}

describe('fuzz --time on a terminal: a progress bar instead of the corpus NEW lines', () => {
  test('same campaign, same files: the terminal gets the divergence reports and the bar, a pipe every line', async () => {
    await inTmpAsync('bar', async (dir) => {
      const [a, b] = [join(dir, 'pipe'), join(dir, 'tty')];
      mkdirSync(a);
      mkdirSync(b);
      const piped = await cliInProcess([...ARGS, '--crashes', 'c', '--corpus', 'k'], a);
      const tty = await onTerminal([...ARGS, '--crashes', 'c', '--corpus', 'k'], b, 120);
      expect(piped.code).toBe(1);
      expect(tty.code).toBe(1);
      expect(piped.stderr).not.toContain('\x1b[K');
      const { lines, bars } = linesAboveBar(tty.stderr);
      expect(bars.length).toBeGreaterThan(0);
      for (const b of bars)
        expect(b).toMatch(/^\[[#-]+\] +\d+% \d+\/3600 s #\d+ divergences: \d+( corp: \d+ ft: \d+)?$/);

      const pipedStatus = statusPart(piped.stderr);
      const ttyStatus = statusPart(lines);
      // the pipe: a NEW line per corpus entry (the crash count unchanged) as well as one per divergence
      const corpusLines = pipedStatus.filter(corpusNewLines());
      const [, corp, crashes] = /corp: (\d+) .*crashes: (\d+) /.exec(pipedStatus.at(-1)!)!;
      expect(Number(crashes)).toBeGreaterThan(0);
      expect(corpusLines.length).toBe(Number(corp));
      expect(pipedStatus.filter((l) => /^#\d+\tNEW\t/.test(l)).length).toBe(Number(corp) + Number(crashes));
      // the terminal: the same lines but those
      const corpusLine = corpusNewLines();
      expect(ttyStatus).toEqual(pipedStatus.filter((l) => !corpusLine(l)));
      expect(ttyStatus.filter((l) => l.includes('\tNEW\t')).length).toBe(Number(crashes));
      expect(ttyStatus.at(-1)).toMatch(/^#\d+\tDONE\t/);
      // the same campaign: the same crash files
      const files = readdirSync(join(a, 'c')).sort(byCodeUnit);
      expect(files.length).toBe(Number(crashes));
      expect(readdirSync(join(b, 'c')).sort(byCodeUnit)).toEqual(files);
      for (const f of files) expect(readFileSync(join(b, 'c', f))).toEqual(readFileSync(join(a, 'c', f)));
    });
  });
});
