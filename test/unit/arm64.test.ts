import { describe, expect, test } from 'vitest';
import { ARM64, arm64, arm64Mk, describeFields } from '../../src/kernel';

// Bit numbers from ../shared/DOMAIN.md §A3.1 (pgtable-hwdef.h, pgtable-prot.h), written out by hand.
describe('arm64 descriptor encoding', () => {
  test('flag bits sit where pgtable-hwdef.h / pgtable-prot.h put them', () => {
    expect(ARM64.VALID).toBe(0x1n);
    expect(ARM64.USER).toBe(0x40n);
    expect(ARM64.RDONLY).toBe(0x80n);
    expect(ARM64.AF).toBe(0x400n);
    expect(ARM64.NG).toBe(0x800n);
    expect(ARM64.DBM).toBe(0x0008_0000_0000_0000n);
    expect(ARM64.CONT).toBe(0x0010_0000_0000_0000n);
    expect(ARM64.DIRTY).toBe(0x0080_0000_0000_0000n);
    expect(ARM64.UFFD_WP).toBe(0x0400_0000_0000_0000n);
  });

  test('a clean writable young page: DBM set, RDONLY set; pfn at bit 12', () => {
    const v = arm64Mk(0x1234n, { write: true, young: true });
    // TYPE_PAGE 0x3 | USER 0x40 | RDONLY 0x80 | SH 0x300 | AF 0x400 | NG 0x800 | pfn 0x1234000 | DBM | PXN | UXN
    expect(v).toBe(0x0068_0000_0123_4fc3n);
    expect(arm64.pfn(v)).toBe(0x1234n);
    expect(arm64.dirty(v)).toBe(false);
    expect(arm64.young(v)).toBe(true);
    expect(arm64.write(v)).toBe(true);
    expect(arm64.present(v)).toBe(true);
  });

  test('dirty = hardware-dirty (DBM and not RDONLY) or software-dirty (PTE_DIRTY)', () => {
    const clean = arm64Mk(0x10n, { write: true });
    expect(arm64.dirty(clean & ~ARM64.RDONLY)).toBe(true); // what the DBM hardware does
    expect(arm64.dirty(clean | ARM64.DIRTY)).toBe(true);
    const ro = arm64Mk(0x10n);
    expect(arm64.dirty(ro & ~ARM64.RDONLY)).toBe(false); // without DBM a clear RDONLY is plain read-write, not hardware-dirty
  });

  test('pte_mkdirty clears RDONLY only when writable; pte_mkclean sets it back', () => {
    const w = arm64Mk(0x10n, { write: true });
    expect(arm64.mkdirty(w)).toBe((w | ARM64.DIRTY) & ~ARM64.RDONLY);
    expect(arm64.mkclean(arm64.mkdirty(w))).toBe(w);
    const ro = arm64Mk(0x10n);
    expect(arm64.mkdirty(ro)).toBe(ro | ARM64.DIRTY);
  });

  test('withoutAD forgets access and both kinds of dirty, nothing else', () => {
    const w = arm64Mk(0x10n, { write: true });
    expect(arm64.withoutAD(arm64.mkyoung(arm64.mkdirty(w)))).toBe(arm64.withoutAD(w));
    expect(arm64.withoutAD(w)).not.toBe(arm64.withoutAD(arm64Mk(0x11n, { write: true })));
    expect(arm64.withoutAD(w)).not.toBe(arm64.withoutAD(w | ARM64.CONT));
  });

  test('pte_present covers PRESENT_INVALID (bit 11 with VALID clear); none is zero', () => {
    expect(arm64.present(ARM64.PRESENT_INVALID)).toBe(true);
    expect(arm64.present(0x0000_0000_0001_0000n)).toBe(false);
    expect(arm64.none(0n)).toBe(true);
  });

  test('pte_access_permitted: valid, user, and WRITE for a write', () => {
    expect(arm64.accessPermitted(arm64Mk(0x10n, { write: true }), true)).toBe(true);
    expect(arm64.accessPermitted(arm64Mk(0x10n), true)).toBe(false);
    expect(arm64.accessPermitted(arm64Mk(0x10n), false)).toBe(true);
    expect(arm64.accessPermitted(arm64Mk(0x10n) & ~ARM64.VALID, false)).toBe(false);
  });

  test('decoded fields read like the kernel flags', () => {
    expect(describeFields(arm64.decode(arm64Mk(0x10n, { write: true, young: true, dirty: true, cont: true })))).toBe(
      'valid pfn=0x10 cont user write af hw_dirty sw_dirty ng pxn uxn attrindx=0x0',
    );
    expect(arm64.format(0x43n)).toBe('0x0000000000000043');
  });
});
