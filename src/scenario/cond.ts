import type { Cond, Num, Quantifier } from './ast';
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

/** How an atom's value is read: a number, or (imported litmus tests with pointers) also a location's name. */
export type CondValue = (c: Cursor) => Num;
const numberValue: CondValue = (c) => c.number();

export function parseCond(c: Cursor, value: CondValue = numberValue): Cond {
  const terms = [parseConj(c, value)];
  while (c.accept('punct', '\\/')) terms.push(parseConj(c, value));
  return balanced('or', terms);
}

function parseConj(c: Cursor, value: CondValue): Cond {
  const terms = [parseUnary(c, value)];
  while (c.accept('punct', '/\\')) terms.push(parseUnary(c, value));
  return balanced('and', terms);
}

/**
 * `t0 op t1 op … tn` as a balanced tree: `/\` and `\/` are associative, so it means and prints what the
 * left-leaning tree does, but a chain of thousands of terms stays shallow for the recursive passes over it
 * (printCond, evalCond, condAtoms), which a left-leaning one of 30000 overflowed.
 */
function balanced(kind: 'and' | 'or', terms: readonly Cond[]): Cond {
  if (terms.length === 1) return terms[0]!;
  const half = terms.length >> 1;
  return { kind, left: balanced(kind, terms.slice(0, half)), right: balanced(kind, terms.slice(half)) };
}

const NESTED = "conditions ('(' and '~')";

function parseUnary(c: Cursor, value: CondValue): Cond {
  if (c.is('punct', '~'))
    return c.nested(NESTED, () => {
      c.next();
      return { kind: 'not', arg: parseUnary(c, value) };
    });
  if (c.is('punct', '('))
    return c.nested(NESTED, () => {
      c.next();
      const arg = parseCond(c, value);
      c.punct(')');
      return { kind: 'paren', arg };
    });
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
  return {
    kind: 'atom',
    ...(cpu !== undefined ? { cpu } : {}),
    name,
    value: value(c),
    line: first.line,
    col: first.col,
  };
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
