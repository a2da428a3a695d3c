import { describe, expect, test } from 'vitest';
import { ARM64, arm64, arm64Mk, x86Pae, paeValue } from '../../src/kernel';
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

describe('access/dirty contracts (arm64 contpte gathers)', () => {
  const exact = contractByName('exact')!;
  const adRelaxed = contractByName('ad-relaxed')!;
  const noFalseDirty = contractByName('no-false-dirty')!;
  const clean = arm64Mk(0x13n, { write: true, young: true, cont: true });
  const dirty = clean & ~ARM64.RDONLY; // hardware-dirty
  const otherPage = arm64Mk(0x99n, { write: true, young: true, cont: true });

  test('a false-positive dirty: only ad-relaxed accepts it', () => {
    expect(exact.accepts(dirty, [clean], arm64)).toBe(false);
    expect(adRelaxed.accepts(dirty, [clean], arm64)).toBe(true);
    expect(noFalseDirty.accepts(dirty, [clean], arm64)).toBe(false);
    expect(classify(dirty, [clean], { lo: 0, hi: 0 }, arm64)).toBe('false-dirty');
  });

  test("another folio's dirt is a false dirty: no-false-dirty counts only dirty values of the same page", () => {
    // FolioA's pte (clean all along) returned dirty while the pte, remapped, held FolioB dirty
    const folioBDirty = otherPage & ~ARM64.RDONLY;
    expect(noFalseDirty.accepts(dirty, [clean, folioBDirty], arm64)).toBe(false);
    expect(adRelaxed.accepts(dirty, [clean, folioBDirty], arm64)).toBe(true);
    expect(classify(dirty, [clean, folioBDirty], { lo: 0, hi: 1 }, arm64)).toBe('false-dirty');
    // the same page dirtied after an unfold (CONT cleared) is real dirt: accepted, A/D mixed
    const unfoldedDirty = dirty & ~ARM64.CONT;
    expect(noFalseDirty.accepts(dirty, [clean, unfoldedDirty], arm64)).toBe(true);
    expect(classify(dirty, [clean, unfoldedDirty], { lo: 0, hi: 1 }, arm64)).toBe('ad-mixed');
  });

  test("no-false-dirty judges a non-present value's dirty bit as no dirt: the exact value held is accepted", () => {
    // x86 PAE: D alone is none (pte_none ignores A/D); arm64: DBM set, RDONLY clear, not valid — a swap-like entry
    const paeNoneDirty = 0x40n;
    const arm64NotPresent = ARM64.DBM;
    expect(x86Pae.present(paeNoneDirty) || arm64.present(arm64NotPresent)).toBe(false);
    expect(x86Pae.dirty(paeNoneDirty) && arm64.dirty(arm64NotPresent)).toBe(true);
    expect(noFalseDirty.accepts(paeNoneDirty, [paeNoneDirty], x86Pae)).toBe(true);
    expect(noFalseDirty.accepts(arm64NotPresent, [arm64NotPresent], arm64)).toBe(true);
    // a present dirty value still needs same-page dirt in the window
    expect(noFalseDirty.accepts(dirty, [clean], arm64)).toBe(false);
  });

  test('each contract summary stands alone: no-false-dirty says what it keeps of ad-relaxed, not just "as ad-relaxed"', () => {
    expect(
      noFalseDirty.summary.startsWith('every field but access/dirty equals a value the pte held during the read'),
    ).toBe(true);
  });

  test('a missed dirty (false negative): ad-relaxed and no-false-dirty accept it', () => {
    expect(exact.accepts(clean, [dirty], arm64)).toBe(false);
    expect(adRelaxed.accepts(clean, [dirty], arm64)).toBe(true);
    expect(noFalseDirty.accepts(clean, [dirty], arm64)).toBe(true);
    expect(classify(clean, [dirty], { lo: 0, hi: 0 }, arm64)).toBe('false-clean');
  });

  test('access/dirty of two different values: ad-mixed', () => {
    const oldDirty = arm64.mkold(dirty);
    expect(classify(dirty, [oldDirty, clean], { lo: 0, hi: 1 }, arm64)).toBe('ad-mixed');
  });

  test('a different page is never accepted', () => {
    expect(adRelaxed.accepts(otherPage, [clean, dirty], arm64)).toBe(false);
    expect(noFalseDirty.accepts(otherPage, [clean, dirty], arm64)).toBe(false);
    expect(classify(otherPage, [clean, dirty], { lo: 0, hi: 1 }, arm64)).toBe('phantom');
  });
});
