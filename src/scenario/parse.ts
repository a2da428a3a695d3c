import { MODEL_KINDS } from '../machine';
import type { Arg, Call, ExpectClauseSyntax, Item, Num, ScnFile, Stmt, Value } from './ast';
import { parseCond, parseQuantifier } from './cond';
import { Cursor } from './cursor';
import { closeNames } from './errors';
import { lex } from './lexer';

/** The directives of a `.scn` file, in the order `ptefuzz list`/the README give them. */
export const DIRECTIVES = [
  'scenario',
  'title',
  'source',
  'claim',
  'arch',
  'model',
  'flush',
  'pte',
  'loc',
  'pmd',
  'page',
  'folio',
  'reader',
  'cpu',
  'exists',
  '~exists',
  'forall',
  'expect',
] as const;

/**
 * Parse a `.scn` file (DESIGN §9). Line oriented: one directive per line, a
 * CPU body between `cpu NAME ["label"] {` and a line `}`, one statement per
 * line, `#` comments. Errors are `file:line:col: expected …, found …`.
 * Names are checked here only for syntax; `lower` resolves them.
 */
export function parseScn(src: string, file: string): ScnFile {
  const c = new Cursor(lex(src, file, { lines: true }), file);
  const items: Item[] = [];
  for (;;) {
    const t = c.peek();
    if (t.kind === 'eof') break;
    if (t.kind === 'newline') {
      c.next();
      continue;
    }
    if (t.kind === 'comment') {
      c.next();
      items.push({ kind: 'comment', text: t.text, line: t.line });
      endOfLine(c);
      continue;
    }
    items.push(directive(c));
  }
  return { items: withBlanks(src, items) };
}

/**
 * Blank lines are recorded by position: an item preceded by an empty source
 * line gets one blank item before it (runs of blank lines collapse to one).
 */
function withBlanks(src: string, items: Item[]): Item[] {
  const lines = src.split('\n');
  const out: Item[] = [];
  let prevLine = 0;
  for (const it of items) {
    const line = 'line' in it ? it.line : undefined;
    if (line !== undefined) {
      for (let l = line - 1; l > prevLine; l--) {
        if (lines[l - 1]!.trim() === '') {
          if (out.length > 0 && out[out.length - 1]!.kind !== 'blank') out.push({ kind: 'blank' });
          break;
        }
      }
      prevLine = lastLine(it);
    }
    out.push(it);
  }
  return out;
}

function lastLine(it: Item): number {
  if (!('line' in it) || it.line === undefined) return 0;
  if (it.kind === 'cpu') return it.endLine;
  if (it.kind === 'pte' && it.value.kind === 'list') return it.value.endLine;
  return it.line;
}

function endOfLine(c: Cursor): string | undefined {
  const comment = c.accept('comment')?.text;
  if (!c.is('eof')) c.expect('newline', undefined, 'the end of the line');
  return comment;
}

function text(c: Cursor, what: string): string {
  return c.expect('string', undefined, what).text;
}

function directive(c: Cursor): Item {
  const t = c.peek();
  const at = { line: t.line, col: t.col };
  let kw = t.text;
  if (t.kind === 'punct' && t.text === '~') kw = '~exists';
  else if (t.kind !== 'ident' || !(DIRECTIVES as readonly string[]).includes(kw)) {
    const close = t.kind === 'ident' ? closeNames(t.text, DIRECTIVES) : [];
    throw c.error(
      `a directive (${DIRECTIVES.join(', ')}${close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''})`,
    );
  }
  if (kw !== '~exists') c.next();
  const done = (d: Record<string, unknown>): Item => {
    const comment = endOfLine(c);
    return { ...at, ...d, ...(comment !== undefined ? { comment } : {}) } as Item;
  };
  switch (kw) {
    case 'scenario':
    case 'arch':
    case 'model':
    case 'flush':
      return done({ kind: kw, name: c.ident(`a name after '${kw}'`).text });
    case 'title':
    case 'source':
    case 'claim':
      return done({ kind: kw, text: text(c, `a "quoted string" after '${kw}'`) });
    case 'pte': {
      const name = c.ident("a pte name after 'pte'").text;
      c.punct('=');
      return done({ kind: 'pte', name, value: value(c) });
    }
    case 'loc': {
      const name = c.ident("a location name after 'loc'").text;
      c.punct(':');
      const w = c.peek();
      if (!(w.kind === 'ident' && (w.text === 'u32' || w.text === 'u64'))) throw c.error("a width 'u32' or 'u64'");
      c.next();
      c.punct('=');
      return done({ kind: 'loc', name, width: w.text === 'u32' ? 32 : 64, value: c.number() });
    }
    case 'pmd': {
      const name = c.ident("a pmd name after 'pmd'").text;
      c.punct('=');
      return done({ kind: 'pmd', name, value: c.number() });
    }
    case 'page': {
      const pfn = c.number();
      c.expect('ident', 'ref', "'ref' and the initial refcount after the pfn");
      const ref = c.number();
      const d: Record<string, unknown> = { kind: 'page', pfn, ref };
      if (c.accept('ident', 'table')) d['table'] = c.ident("a pte name after 'table'").text;
      if (!c.is('newline') && !c.is('comment') && !c.is('eof')) throw c.error("'table PTE' or the end of the line");
      return done(d);
    }
    case 'folio': {
      const name = c.ident("a folio name after 'folio'").text;
      const fields: { key: string; value: Num }[] = [];
      while (c.is('ident')) {
        const key = c.next().text;
        c.punct('=');
        fields.push({ key, value: c.number() });
      }
      if (!c.is('newline') && !c.is('comment') && !c.is('eof')) throw c.error('KEY=NUMBER or the end of the line');
      return done({ kind: 'folio', name, fields });
    }
    case 'reader': {
      const name = c.ident("a reader name after 'reader'").text;
      const d: Record<string, unknown> = { kind: 'reader', name };
      if (c.accept('ident', 'contract')) d['contract'] = c.ident("a contract name after 'contract'").text;
      if (c.accept('ident', 'expect')) {
        const clauses = expectClauses(c);
        d['expect'] = clauses;
        if (!c.is('newline') && !c.is('comment') && !c.is('eof'))
          throw c.error(
            clauses[clauses.length - 1]!.model === undefined
              ? "'under MODEL', ',' and another clause, or the end of the line"
              : "',' and another clause, or the end of the line",
          );
      }
      if (!c.is('newline') && !c.is('comment') && !c.is('eof'))
        throw c.error("'contract', 'expect' or the end of the line");
      return done(d);
    }
    case 'expect': {
      const model = c.ident("a memory model after 'expect'").text;
      const observation = c.ident("'never', 'sometimes' or 'always'").text;
      return done({ kind: 'expect', model, observation });
    }
    case 'exists':
    case '~exists':
    case 'forall': {
      const quantifier = kw === '~exists' ? parseQuantifier(c) : (kw as 'exists' | 'forall');
      c.punct('(');
      const cond = parseCond(c);
      c.punct(')');
      return done({ kind: 'cond', quantifier, cond });
    }
    case 'cpu':
      return cpu(c, at);
  }
  throw new Error(`[ptefuzz internal bug] directive ${kw} not handled`);
}

/** `CLAUSE {, CLAUSE}` after `expect`, CLAUSE = `VERDICT [under MODEL]` (the words are checked by `lower`). */
function expectClauses(c: Cursor): ExpectClauseSyntax[] {
  const clauses: ExpectClauseSyntax[] = [];
  do {
    const what =
      clauses.length === 0 ? "'bug', 'correct' or 'benign' after 'expect'" : "'bug', 'correct' or 'benign' after ','";
    const v = c.ident(what);
    // `expect under weak`: the verdict is missing, not named 'under'
    if (v.text === 'under') throw c.error(what, v);
    let model: ExpectClauseSyntax['model'];
    if (c.accept('ident', 'under')) {
      const m = c.ident(`a memory model (${MODEL_KINDS.join(', ')}) after 'under'`);
      model = { name: m.text, line: m.line, col: m.col };
    }
    clauses.push({ verdict: v.text, line: v.line, col: v.col, ...(model ? { model } : {}) });
  } while (c.accept('punct', ','));
  return clauses;
}

function cpu(c: Cursor, at: { line: number; col: number }): Item {
  const name = c.ident("a CPU name after 'cpu'").text;
  const label = c.accept('string')?.text;
  c.expect('punct', '{', `'{' opening the body of cpu ${name}`);
  const comment = endOfLine(c);
  const body: Stmt[] = [];
  let blankPending = false;
  for (;;) {
    const t = c.peek();
    if (t.kind === 'eof') throw c.error(`'}' closing the body of cpu ${name} (opened at line ${at.line})`);
    if (t.kind === 'newline') {
      c.next();
      if (body.length > 0) blankPending = true;
      continue;
    }
    if (t.kind === 'punct' && t.text === '}') {
      c.next();
      const endLine = t.line;
      const trailing = endOfLine(c);
      if (trailing !== undefined) body.push({ kind: 'comment', text: trailing });
      return {
        ...at,
        kind: 'cpu',
        name,
        ...(label !== undefined ? { label } : {}),
        body,
        ...(comment !== undefined ? { comment } : {}),
        endLine,
      } as Item;
    }
    if (blankPending) body.push({ kind: 'blank' });
    blankPending = false;
    if (t.kind === 'comment') {
      c.next();
      body.push({ kind: 'comment', text: t.text });
      endOfLine(c);
      continue;
    }
    body.push(statement(c));
  }
}

/** `name(args)` or `reg = name(args)`, then the end of the line. */
function statement(c: Cursor): Call {
  const first = c.ident(
    'an operation (e.g. set_pte(pte, {0x00000001:0x00001067})), a READ_ONCE/WRITE_ONCE/smp_* line, or }',
  );
  let reg: string | undefined;
  let name = first;
  if (c.accept('punct', '=')) {
    reg = first.text;
    name = c.ident(`an instruction after '${reg} ='`);
  }
  c.expect('punct', '(', `'(' after ${name.text}`);
  const args: Arg[] = [];
  if (!c.accept('punct', ')')) {
    for (;;) {
      args.push(arg(c));
      if (c.accept('punct', ')')) break;
      c.expect('punct', ',', "',' or ')'");
    }
  }
  const comment = endOfLine(c);
  return {
    kind: 'call',
    name: name.text,
    args,
    line: first.line,
    col: first.col,
    ...(reg !== undefined ? { reg } : {}),
    ...(comment !== undefined ? { comment } : {}),
  };
}

function arg(c: Cursor): Arg {
  const t = c.peek();
  if (t.kind === 'ident' && c.peek(1).kind === 'punct' && c.peek(1).text === '=') {
    c.next();
    c.next();
    return { key: t.text, value: value(c), line: t.line, col: t.col };
  }
  return { value: value(c), line: t.line, col: t.col };
}

function value(c: Cursor): Value {
  const t = c.peek();
  if (t.kind === 'punct' && t.text === '{') {
    c.next();
    const high: Num = c.number();
    c.punct(':');
    const low: Num = c.number();
    c.punct('}');
    return { kind: 'pair', high, low, line: t.line, col: t.col };
  }
  if (t.kind === 'punct' && t.text === '[') {
    return c.nested("lists ('[')", () => {
      c.next();
      const items: Value[] = [];
      const skipNewlines = (): void => {
        while (c.is('newline')) c.next();
      };
      skipNewlines();
      for (;;) {
        items.push(value(c));
        skipNewlines();
        if (c.is('punct', ']')) break;
        c.expect('punct', ',', "',' or ']'");
        skipNewlines();
      }
      const close = c.next();
      return { kind: 'list', items, endLine: close.line, line: t.line, col: t.col };
    });
  }
  if (t.kind === 'ident') {
    c.next();
    if (c.accept('punct', '[')) {
      const index: Num = c.number();
      c.punct(']');
      return { kind: 'index', name: t.text, index, line: t.line, col: t.col };
    }
    return { kind: 'name', name: t.text, line: t.line, col: t.col };
  }
  if (t.kind === 'number') return { kind: 'num', ...c.number() };
  throw c.error('a value (a number, {high:low}, [entries] or a name)');
}
