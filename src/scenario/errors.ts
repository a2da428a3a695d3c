import { byCodeUnit } from '../machine';

/**
 * A problem with a scenario or litmus file, at a position: printed as
 * `file:line:col: expected …, found …` (one line, exit 2).
 */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly reason: string,
  ) {
    super(printable(`${file}:${line}:${col}: ${reason}`));
  }
}

/**
 * A control character (C0, DEL, C1) other than a tab: what a string printed as it is must not hold — a newline
 * splits its line, an escape sequence drives the terminal (a tab is only wide).
 */
export const CONTROL = /(?!\t)\p{Cc}/u;

/**
 * Text fit for one terminal line: every control, format, separator-line,
 * private-use or unassigned character, every lone surrogate and U+FFFD
 * (what a byte that is not UTF-8 decodes to) is shown as `\u{…}`, so an
 * error quoting a bad input byte neither breaks the line nor drives the
 * terminal, and says which character it was.
 */
export function printable(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Cs}\uFFFD]/gu, (c) =>
    c === '\t' ? c : `\\u{${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}}`,
  );
}

/** A source position, 1-based. */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

/** `expected X, found Y` at a position. */
export function expected(file: string, at: Pos, what: string, found: string): ScenarioError {
  return new ScenarioError(file, at.line, at.col, `expected ${what}, found ${found}`);
}

/** Levenshtein distance, for "did you mean" lists. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

/** The names closest to `name` (edit distance ≤ max(2, |name|/3), or sharing a prefix), best first. */
export function closeNames(name: string, names: readonly string[], max = 5): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  return names
    .map((n) => ({ n, d: distance(name.toLowerCase(), n.toLowerCase()) }))
    .filter(({ n, d }) => d <= limit || n.startsWith(name) || name.startsWith(n))
    .sort((a, b) => a.d - b.d || byCodeUnit(a.n, b.n))
    .slice(0, max)
    .map(({ n }) => n);
}
