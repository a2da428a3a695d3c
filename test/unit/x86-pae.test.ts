import { describe, expect, test } from 'vitest';
import { PAE, describeFields, highOf, lowOf, paeMk, paeValue, x86Pae } from '../../src/kernel';

// Bit numbers from ../shared/DOMAIN.md §A2 (arch/x86/include/asm/pgtable_types.h), written out by hand.
describe('x86 PAE encoding', () => {
  test('flag bits sit where pgtable_types.h puts them', () => {
    expect(PAE.PRESENT).toBe(0x1n);
    expect(PAE.RW).toBe(0x2n);
    expect(PAE.USER).toBe(0x4n);
    expect(PAE.ACCESSED).toBe(0x20n);
    expect(PAE.DIRTY).toBe(0x40n);
    expect(PAE.GLOBAL).toBe(0x100n);
    expect(PAE.SPECIAL).toBe(0x200n);
    expect(PAE.SOFT_DIRTY).toBe(0x800n);
    expect(PAE.NX).toBe(0x8000000000000000n);
  });

  test('the pfn spans both halves: bits 12..51', () => {
    const v = paeMk(0x10002_00020n);
    expect(lowOf(v)).toBe(0x00020067n);
    expect(highOf(v)).toBe(0x00010002n);
    expect(paeValue(0x00010002n, 0x00020067n)).toBe(v);
    const pfn = x86Pae.decode(v).find((f) => f.name === 'pfn')!.value;
    expect(pfn).toBe(0x1000200020n);
  });

  test('pte_present is P or PROTNONE (G when P is clear); pte_none ignores only A and D (_PAGE_KNL_ERRATUM_MASK)', () => {
    expect(x86Pae.present(0x1n)).toBe(true);
    expect(x86Pae.present(0x100n)).toBe(true);
    expect(x86Pae.present(0x0001_0002_0000_0000n)).toBe(false);
    expect(x86Pae.none(0n)).toBe(true);
    // A (bit 5) and D (bit 6) alone: Knights Landing may set them in a non-present pte, which is still none
    expect(x86Pae.none(0x20n)).toBe(true);
    expect(x86Pae.none(0x60n)).toBe(true);
    expect(x86Pae.none(0x0001_0002_0000_0000n)).toBe(false);
    expect(x86Pae.none(0x61n)).toBe(false);
    expect(x86Pae.none(0x100n)).toBe(false); // PROTNONE
  });

  test('format and decode for display', () => {
    const v = paeValue(0x00010002n, 0x00010067n);
    expect(x86Pae.format(v)).toBe('{0x00010002:0x00010067}');
    expect(describeFields(x86Pae.decode(v))).toBe('present pfn=0x1000200010 rw user accessed dirty');
    expect(describeFields(x86Pae.decode(paeValue(0n, 0x100n)))).toBe('protnone pfn=0x0');
  });
});
