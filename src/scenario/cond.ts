import type { Cond, Quantifier } from './ast';
import type { Cursor } from './cursor';

/**
 * herd7 conditions: `exists (0:r0=1 /\ 1:r1=0)`, `~exists (…)`,
 * `forall (…)`; `\/` binds weaker than `/\`, `~` negates, parentheses group.
 * An atom is `P:reg=value` (P a CPU index, or in `.scn` a CPU name) or
 * `location=value`.
 */
export function parseQuantifier(c: Cursor): Quantifier {
  if (c.accept('punct', '~')) {
    c.expect('ident', 'exists', "'exists' after '~'");
    return '~exists';
  }
  const t = c.ident("'exists', '~exists' or 'forall'");
  if (t.text === 'exists' || t.text === 'forall') return t.text;
  throw c.error("'exists', '~exists' or 'forall'", t);
}

export function parseCond(c: Cursor): Cond {
  let left = parseConj(c);
  while (c.accept('punct', '\\/')) left = { kind: 'or', left, right: parseConj(c) };
  return left;
}

function parseConj(c: Cursor): Cond {
  let left = parseUnary(c);
  while (c.accept('punct', '/\\')) left = { kind: 'and', left, right: parseUnary(c) };
  return left;
}

function parseUnary(c: Cursor): Cond {
  if (c.accept('punct', '~')) return { kind: 'not', arg: parseUnary(c) };
  if (c.accept('punct', '(')) {
    const arg = parseCond(c);
    c.punct(')');
    return { kind: 'paren', arg };
  }
  const first = c.peek();
  if (first.kind !== 'ident' && first.kind !== 'number') throw c.error('a condition (P:reg=value or location=value)');
  c.next();
  let cpu: string | undefined;
  let name = first.text;
  if (c.accept('punct', ':')) {
    cpu = first.text;
    name = c.ident('a register name after ' + `'${first.text}:'`).text;
  } else if (first.kind === 'number') {
    throw c.error("':' (a register is written P:reg)");
  }
  c.punct('=');
  const value = c.number();
  return { kind: 'atom', ...(cpu !== undefined ? { cpu } : {}), name, value, line: first.line, col: first.col };
}

export function printCond(c: Cond): string {
  switch (c.kind) {
    case 'and':
      return `${printCond(c.left)} /\\ ${printCond(c.right)}`;
    case 'or':
      return `${printCond(c.left)} \\/ ${printCond(c.right)}`;
    case 'not':
      return `~${printCond(c.arg)}`;
    case 'paren':
      return `(${printCond(c.arg)})`;
    case 'atom':
      return `${c.cpu !== undefined ? `${c.cpu}:` : ''}${c.name}=${c.value.raw}`;
  }
}

/** Evaluate against a lookup of `cpu:reg` / location values (undefined: not known → false). */
export function evalCond(c: Cond, lookup: (cpu: string | undefined, name: string) => bigint | undefined): boolean {
  switch (c.kind) {
    case 'and':
      return evalCond(c.left, lookup) && evalCond(c.right, lookup);
    case 'or':
      return evalCond(c.left, lookup) || evalCond(c.right, lookup);
    case 'not':
      return !evalCond(c.arg, lookup);
    case 'paren':
      return evalCond(c.arg, lookup);
    case 'atom':
      return lookup(c.cpu, c.name) === c.value.value;
  }
}

/** Every atom of a condition, left to right. */
export function condAtoms(c: Cond): Extract<Cond, { kind: 'atom' }>[] {
  switch (c.kind) {
    case 'and':
    case 'or':
      return [...condAtoms(c.left), ...condAtoms(c.right)];
    case 'not':
    case 'paren':
      return condAtoms(c.arg);
    case 'atom':
      return [c];
  }
}
