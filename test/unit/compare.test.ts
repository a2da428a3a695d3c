import { describe, expect, test } from 'vitest';
import { x86Pae, paeValue } from '../../src/kernel';
import { classify, contractByName } from '../../src/compare';

const v0 = paeValue(0x00010001n, 0x00010067n);
const v1 = 0n;
const v2 = paeValue(0x00010002n, 0x00020067n);
const v3 = paeValue(0x00010003n, 0x00010067n);
const history = [v0, v1, v2, v3];

describe('contracts', () => {
  const exact = contractByName('exact')!;
  const nonTorn = contractByName('non-torn')!;
  test('exact: only allowed values', () => {
    expect(exact.accepts(v2, [v1, v2], x86Pae)).toBe(true);
    expect(exact.accepts(paeValue(0x00010001n, 0n), [v0, v1], x86Pae)).toBe(false);
  });
  test('non-torn (Jason Gunthorpe): any non-present value, or a present allowed one', () => {
    expect(nonTorn.accepts(paeValue(0x00010001n, 0n), [v0, v1], x86Pae)).toBe(true); // {h1:0}: P clear
    expect(nonTorn.accepts(v0, [v0, v1], x86Pae)).toBe(true);
    expect(nonTorn.accepts(v2, [v0, v1], x86Pae)).toBe(false); // present, not in the window
  });
});

describe('divergence classes', () => {
  test('torn: the halves of two different logical values (Jann Horn’s S1 result)', () => {
    expect(classify(paeValue(0x00010002n, 0x00010067n), history, { lo: 0, hi: 3 }, x86Pae)).toBe('torn');
  });
  test('stale: a value held only before the window', () => {
    expect(classify(v0, history, { lo: 2, hi: 3 }, x86Pae)).toBe('stale');
  });
  test('phantom: not composable from any values', () => {
    expect(classify(paeValue(0x00077777n, 0x00010067n), history, { lo: 0, hi: 3 }, x86Pae)).toBe('phantom');
    expect(classify(v3, history, { lo: 0, hi: 1 }, x86Pae)).toBe('phantom'); // from after the read
  });
});
