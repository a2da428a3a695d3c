import type { Pos } from './errors';
import { CONTROL, ScenarioError } from './errors';

export type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'newline' | 'comment' | 'eof';

/** One token; `text` is the source spelling (strings: the decoded value). */
export interface Token extends Pos {
  readonly kind: TokenKind;
  readonly text: string;
}

/** Multi-character punctuation first (longest match). */
const PUNCT = [
  '/\\',
  '\\/',
  '==',
  '!=',
  '->',
  '{',
  '}',
  '(',
  ')',
  ',',
  '=',
  ':',
  ';',
  '*',
  '~',
  '[',
  ']',
  '&',
  '+',
  '-',
  '<',
  '>',
  '!',
  '|',
];

export interface LexOptions {
  /** `.scn`: newlines are tokens and `#` starts a comment to the end of the line */
  readonly lines: boolean;
}

/**
 * Tokenizer shared by `.scn` files and C litmus tests. Identifiers may
 * contain `-`, `+`, `.` and `@` when they start with a letter (`x86-pae`,
 * `s2-pae-zap-reestablish`, `MP+wmb+rmb`, `contpte_ptep_get@2025`) in `.scn` mode only; C mode keeps
 * C's identifiers. C mode skips `//`, `/* *\/` and herd's `(* *)` comments.
 */
export function lex(src: string, file: string, o: LexOptions): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  const adv = (n: number): void => {
    for (let k = 0; k < n; k++) {
      if (src[i] === '\n') {
        line++;
        col = 1;
      } else col++;
      i++;
    }
  };
  const fail = (what: string, found: string): never => {
    throw new ScenarioError(file, line, col, `expected ${what}, found ${found}`);
  };
  while (i < src.length) {
    const c = src[i]!;
    const at = { line, col };
    if (c === '\n') {
      if (o.lines) out.push({ kind: 'newline', text: '\n', ...at });
      adv(1);
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      adv(1);
      continue;
    }
    if (o.lines && c === '#') {
      let j = i;
      while (j < src.length && src[j] !== '\n') j++;
      out.push({
        kind: 'comment',
        text: src
          .slice(i + 1, j)
          .replace(/^ /, '')
          .trimEnd(),
        ...at,
      });
      adv(j - i);
      continue;
    }
    // herd's `(* … *)` needs a blank (or `*`) after `(*`, so that `READ_ONCE(*x)` is not a comment
    const herdComment = src.startsWith('(*', i) && /[\s*]/.test(src[i + 2] ?? '');
    if (!o.lines && (src.startsWith('//', i) || src.startsWith('/*', i) || herdComment)) {
      if (src[i + 1] === '/') {
        while (i < src.length && src[i] !== '\n') adv(1);
      } else {
        const close = src[i] === '/' ? '*/' : '*)';
        const j = src.indexOf(close, i + 2);
        if (j < 0) fail(`the end of the comment (${close})`, 'the end of the file');
        adv(j + 2 - i);
      }
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== '"' && src[j] !== '\n') {
        const k = src[j] === '\\' && j + 1 < src.length && src[j + 1] !== '\n' ? j + 1 : j;
        // a string is printed as it is (a CPU's label heads its diagram column and names it in crash files): a
        // control character in it would drive the terminal, or make a crash file its loader refuses
        if (CONTROL.test(src[k]!)) {
          adv(k - i);
          fail('a closing " (a string holds no control character but a tab)', describeChar(src, k));
        }
        text += src[k];
        j = k + 1;
      }
      if (src[j] !== '"') {
        adv(j - i);
        fail('a closing "', src[j] === '\n' ? 'the end of the line' : 'the end of the file');
      }
      out.push({ kind: 'string', text, ...at });
      adv(j + 1 - i);
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i;
      while (j < src.length && /[0-9A-Za-z_]/.test(src[j]!)) j++;
      out.push({ kind: 'number', text: src.slice(i, j), ...at });
      adv(j - i);
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i;
      const more = o.lines ? /[A-Za-z0-9_.+@-]/ : /[A-Za-z0-9_]/;
      while (j < src.length && more.test(src[j]!)) {
        // `a-b` is one name, but `x->y` and a trailing `-` are not
        if (src[j] === '-' && (src[j + 1] === '>' || !/[A-Za-z0-9_]/.test(src[j + 1] ?? ''))) break;
        j++;
      }
      out.push({ kind: 'ident', text: src.slice(i, j), ...at });
      adv(j - i);
      continue;
    }
    const p = PUNCT.find((x) => src.startsWith(x, i));
    if (p === undefined) fail('a name, a number, a string or punctuation', describeChar(src, i));
    out.push({ kind: 'punct', text: p!, ...at });
    adv(p!.length);
  }
  out.push({ kind: 'eof', text: '', line, col });
  return out;
}

/**
 * A name as a `.scn` file spells it (`scenario NAME`): `s` lexes as exactly one
 * identifier token — a letter or `_`, then letters, digits and `_ . + @ -` (a
 * `-` followed by a letter, digit or `_`). Never empty, never `.`-leading, no
 * space, `/` or shell metacharacter: safe in crash file names and pasted commands.
 */
export function isScnName(s: string): boolean {
  try {
    const t = lex(s, s, { lines: true });
    return t.length === 2 && t[0]!.kind === 'ident' && t[0]!.text === s;
  } catch (e) {
    if (e instanceof ScenarioError) return false;
    throw e;
  }
}
export const SCN_NAME = "a letter or '_', then letters, digits, '_', '.', '+', '@' or '-'";

/**
 * The character at `i` (a whole code point) as named in "found …" messages:
 * quoted when printable, else its code point and what it is.
 */
export function describeChar(src: string, i: number): string {
  const c = String.fromCodePoint(src.codePointAt(i)!);
  const u = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  if (c === '\uFFFD') return `${u} (what a byte that is not UTF-8 reads as: is this a text file?)`;
  if (/\p{Cc}/u.test(c)) return `${u} (a control character)`;
  if (/[\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Cs}\p{Z}]/u.test(c)) return `${u} (an invisible or unassigned character)`;
  return `'${c}'`;
}

/** How a token is named in "found …" messages. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'the end of the file';
    case 'newline':
      return 'the end of the line';
    case 'string':
      return `"${t.text}"`;
    case 'comment':
      return 'a comment';
    default:
      return `'${t.text}'`;
  }
}

/**
 * A number literal: decimal or 0x hex; anything else is an error at the token. A decimal literal with a leading 0
 * is refused: C reads 00020067 as octal, this language would have read it as decimal.
 */
export function parseNumber(t: Token, file: string): bigint {
  if (t.kind === 'number' && /^0[0-9]+$/.test(t.text)) {
    throw new ScenarioError(
      file,
      t.line,
      t.col,
      `expected a number (decimal or 0x hex), found ${t.text}, a leading 0 (octal in C): write 0x${t.text} for hex, or drop the leading 0 for decimal`,
    );
  }
  if (t.kind === 'number' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(t.text)) return BigInt(t.text);
  throw new ScenarioError(file, t.line, t.col, `expected a number (decimal or 0x hex), found ${describeToken(t)}`);
}
