/**
 * The memory models pinned by litmus shapes (DESIGN §5): the exact outcome
 * set of every shape under sc, tso and weak, against sets derived by hand in
 * expected-outcomes.ts; the nesting law SC ⊆ TSO ⊆ weak; and the documented
 * gaps of the weak model against LKMM.
 */
import { describe, expect, test } from 'vitest';
import type { LitmusShape, OutcomeSet } from '../../src/litmus-shapes';
import { SHAPES, outcomeSet, shapeByName } from '../../src/litmus-shapes';
import type { ModelKind } from '../../src/machine';
import { EXPECTED, GAPS, MODELS } from './expected-outcomes';

const cache = new Map<string, OutcomeSet>();
function outcomes(shape: LitmusShape, model: ModelKind): OutcomeSet {
  const key = `${shape.name}/${model}`;
  let r = cache.get(key);
  if (!r) {
    r = outcomeSet(shape, model);
    cache.set(key, r);
  }
  return r;
}

function expectation(name: string) {
  const e = EXPECTED[name];
  if (!e) throw new Error(`no expectation written for litmus shape ${name}`);
  return e;
}

function shape(name: string): LitmusShape {
  const s = shapeByName(name);
  if (!s) throw new Error(`no litmus shape ${name}`);
  return s;
}

const keysOf = (outcome: string): string[] => outcome.split('; ').map((kv) => kv.split('=')[0]!);

describe('litmus catalogue', () => {
  test('every shape has a hand-written expectation and vice versa', () => {
    expect(SHAPES.map((s) => s.name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test('shape names are unique', () => {
    expect(new Set(SHAPES.map((s) => s.name)).size).toBe(SHAPES.length);
  });

  test.each(SHAPES.map((s) => [s.name, s] as const))('%s: the exists clause names every register and final', (_, s) => {
    for (const o of outcomes(s, 'sc').outcomes) expect(keysOf(o)).toEqual(keysOf(s.interesting));
  });
});

describe.each(SHAPES.map((s) => [s.name, s] as const))('%s', (name, s) => {
  test.each(MODELS)('exact outcome set under %s', (model) => {
    const got = outcomes(s, model);
    expect(got.outcomes).toEqual([...expectation(name)[model]].sort());
    expect(got.executions).toBeGreaterThan(0);
  });

  test('law: SC ⊆ TSO ⊆ weak', () => {
    const sc = outcomes(s, 'sc').outcomes;
    const tso = new Set(outcomes(s, 'tso').outcomes);
    const weak = new Set(outcomes(s, 'weak').outcomes);
    for (const o of sc) expect(tso, `${name}: SC outcome ${o} missing under TSO`).toContain(o);
    for (const o of tso) expect(weak, `${name}: TSO outcome ${o} missing under weak`).toContain(o);
  });

  test('law: SC forbids the exists clause', () => {
    expect(outcomes(s, 'sc').outcomes).not.toContain(s.interesting);
  });

  test('weak agrees with the LKMM verdict (except documented gaps)', () => {
    const e = expectation(name);
    const allowed = outcomes(s, 'weak').outcomes.includes(s.interesting);
    const lkmm = e.lkmm === 'allowed';
    if (name in GAPS) {
      expect(lkmm).toBe(true);
      expect(allowed).toBe(false);
    } else {
      expect(allowed).toBe(lkmm);
    }
  });
});

describe('TSO verdicts (x86-TSO relaxes only write→read order)', () => {
  const allowedUnderTso = ['SB', 'R'];
  test.each(SHAPES.map((s) => [s.name, s] as const))('%s', (name, s) => {
    const allowed = outcomes(s, 'tso').outcomes.includes(s.interesting);
    expect(allowed).toBe(allowedUnderTso.includes(name));
  });
});

/**
 * Documented gaps: shapes whose exists clause LKMM allows and the weak model does not produce (GAPS, none since
 * load buffering). LB was one until a store could run ahead of its CPU's earlier read; the LB family pins both
 * sides of that: LB is allowed, and smp_mb(), an acquire read or a release store keeps the store behind.
 */
describe('weak-model gaps against LKMM', () => {
  test('LB: LKMM allows 0:r0=1 /\\ 1:r0=1, and so does weak (the store runs ahead of the read)', () => {
    expect(outcomes(shape('LB'), 'weak').outcomes).toContain('0:r0=1; 1:r0=1');
  });
  test.each(['LB+mb+mb', 'LB+acquire+release'])('%s: the store never runs ahead of the read under weak', (name) => {
    expect(outcomes(shape(name), 'weak').outcomes).not.toContain('0:r0=1; 1:r0=1');
  });
  test('LB under sc and tso: no store runs ahead (a weak-only choice)', () => {
    for (const m of ['sc', 'tso'] as const) expect(outcomes(shape('LB'), m).outcomes).not.toContain('0:r0=1; 1:r0=1');
  });

  test('the gap list names exactly the shapes where weak is stricter than LKMM', () => {
    const stricter = SHAPES.filter(
      (s) => expectation(s.name).lkmm === 'allowed' && !outcomes(s, 'weak').outcomes.includes(s.interesting),
    ).map((s) => s.name);
    expect(stricter.sort()).toEqual(Object.keys(GAPS).sort());
  });
});
