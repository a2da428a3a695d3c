import { expected } from './errors';
import type { Token, TokenKind } from './lexer';
import { describeToken, parseNumber } from './lexer';
import type { Num } from './ast';

/**
 * How deep constructs may nest (parentheses and `~` in a condition, `if` in a litmus body, `[` lists in a `.scn`
 * value): far beyond any real test, and shallow enough that no recursive pass over the result — the parsers',
 * printing, evaluation, the runs of an `if` — can exhaust the stack (20000 nested parentheses did: a RangeError).
 */
export const MAX_NESTING = 200;

/** A position in a token list with the checks every parser here needs. */
export class Cursor {
  private i = 0;
  /** how many nested constructs the parser is inside (MAX_NESTING) */
  private depth = 0;
  constructor(
    private readonly toks: readonly Token[],
    readonly file: string,
  ) {}

  peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  is(kind: TokenKind, text?: string): boolean {
    const t = this.peek();
    return t.kind === kind && (text === undefined || t.text === text);
  }
  accept(kind: TokenKind, text?: string): Token | undefined {
    return this.is(kind, text) ? this.next() : undefined;
  }
  /** The next token, which must be of this kind (and text); else `expected what, found …`. */
  expect(kind: TokenKind, text: string | undefined, what: string): Token {
    if (!this.is(kind, text)) throw this.error(what);
    return this.next();
  }
  punct(p: string): Token {
    return this.expect('punct', p, `'${p}'`);
  }
  ident(what: string): Token {
    return this.expect('ident', undefined, what);
  }
  number(): Num {
    const t = this.peek();
    const value = parseNumber(t, this.file);
    this.next();
    return { value, raw: t.text, line: t.line, col: t.col };
  }
  /**
   * `parse` for a construct opened at the next token, one level deeper: refused there when `what` (plural: 'ifs')
   * would nest deeper than MAX_NESTING.
   */
  nested<T>(what: string, parse: () => T): T {
    if (this.depth >= MAX_NESTING) throw this.error(`${what} nested at most ${MAX_NESTING} deep`);
    this.depth++;
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }
  error(what: string, at: Token = this.peek()) {
    return expected(this.file, at, what, describeToken(at));
  }
}

/**
 * A number that must fit `bits` (a location's or register's width): never cut to it, which would run another test
 * than the one written (`WRITE_ONCE(*x, 4294967296)` storing 0). `why` says whose width it is, when that helps.
 */
export function fit(n: Num, bits: 32 | 64 | 128, file: string, why?: string): bigint {
  if (n.value >= 1n << BigInt(bits))
    throw expected(file, n, `a number of at most ${bits} bits${why !== undefined ? ` (${why})` : ''}`, `'${n.raw}'`);
  return n.value;
}
