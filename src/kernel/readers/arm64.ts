/**
 * arm64 lockless pte readers (CONFIG_ARM64_CONTPTE). Each reads entry
 * `p.index` of its contpte block and returns what the kernel function returns.
 * A descriptor load is one single-copy-atomic 64-bit LDR (`__ptep_get` =
 * READ_ONCE); none of these readers has a read barrier between its loads, so
 * under `weak` every load may read any message its CPU may still observe.
 *
 * Sources (DOMAIN §A3.3, §A3.4, §A4):
 * - arch/arm64/include/asm/pgtable.h `__ptep_get`, `ptep_get`,
 *   `ptep_get_lockless` (linux-mm snapshot 0075c5f7);
 * - arch/arm64/mm/contpte.c `contpte_ptep_get`, `contpte_ptep_get_lockless`:
 *   v6.9..v6.16 form (torvalds/linux @35e02583: full scan of the block) and
 *   the 2025 form (linux-mm @1ac7a0fe, Xavier Xia, "arm64/mm: Optimize loop to
 *   reduce redundant operations of contpte_ptep_get": once dirty (young) is
 *   found, scan on only for young (dirty) and stop when both are set);
 * - Ryan Roberts, "[RFC PATCH v1 0/4] Reduce cost of ptep_get_lockless on
 *   arm64", 2024-02-15 <20240215121756.2734131-1-ryan.roberts@arm.com>,
 *   patch 4/4: arm64 `ptep_get_lockless_norecency()` = `__ptep_get()`; never merged;
 * - Ryan Roberts, "[PATCH v1 0/5] arm64/mm: uffd write-protect and soft-dirty
 *   tracking", 2024-04-19, appendix <24999e38-e4f7-4616-8eae-dfdeba327558@arm.com>:
 *   an abandoned "extended SW bits" region hung off struct ptdesc.
 * Diagrams name a load by the variable the C source assigns it to (`pte`,
 * `orig_pte`, as in v6.9's contpte.c); the 2025 forms' inner scans are left
 * unnamed (their C text is not quoted here).
 * Omitted: the CONFIG_ARM64_CONTPTE=n build (ptep_get = __ptep_get), POE,
 * LPA2/52-bit addresses, the D128 descriptor (LDP/128-bit accessors).
 */
import type { Location, Program } from '../../machine';
import { READ_ONCE, begin, end, retry, smp_rmb } from '../../machine';
import { arm64 } from '../arm64';
import type { Arm64Ptep } from '../arm64-block';
import { protIgnoringAD, validCont } from '../arm64-block';
import type { Pte } from '../arch';
import type { ReaderDef } from './reader';

/** `__ptep_get()` as a plain function for other models: one READ_ONCE of the descriptor (not an operation). */
export function* __ptep_get_load(loc: Location): Program<bigint> {
  return yield READ_ONCE(loc);
}

/**
 * The access/dirty gather of `contpte_ptep_get()` over the block of `p`,
 * OR-ed into `orig`. `early`: the 2025 early-termination loop. No
 * consistency checks: documented as called with the PTL held.
 */
export function* contpte_gather(p: Arm64Ptep, orig: bigint, early: boolean): Program<bigint> {
  let v = orig;
  const n = p.block.length;
  if (!early) {
    for (let i = 0; i < n; i++) {
      const pte = yield READ_ONCE(p.block[i]!, 'pte'); // pte = __ptep_get(ptep);
      if (arm64.dirty(pte)) v = arm64.mkdirty(v);
      if (arm64.young(pte)) v = arm64.mkyoung(v);
    }
    return v;
  }
  for (let i = 0; i < n; i++) {
    const pte = yield READ_ONCE(p.block[i]!, 'pte');
    if (arm64.dirty(pte)) {
      v = arm64.mkdirty(v);
      // scan on (re-reading entry i) for young only
      for (let j = i; j < n; j++) {
        if (arm64.young(yield READ_ONCE(p.block[j]!))) {
          v = arm64.mkyoung(v);
          break;
        }
      }
      return v;
    }
    if (arm64.young(pte)) {
      v = arm64.mkyoung(v);
      // scan on from entry i+1 for dirty only
      for (let j = i + 1; j < n; j++) {
        if (arm64.dirty(yield READ_ONCE(p.block[j]!))) {
          v = arm64.mkdirty(v);
          break;
        }
      }
      return v;
    }
  }
  return v;
}

function* rawRead(name: string, p: Arm64Ptep): Program<bigint> {
  yield begin({ name, role: 'reader', subject: p.name, locs: [p.loc], args: p.loc.name });
  const v = yield READ_ONCE(p.loc);
  yield end(v);
  return v;
}

/** `__ptep_get()`: one READ_ONCE of the 64-bit descriptor, no gather. */
export const __ptep_get = (p: Arm64Ptep): Program<bigint> => rawRead('__ptep_get', p);

/** RFC patch 4/4: the arm64 override of `ptep_get_lockless_norecency()` is `__ptep_get()`. */
export const ptep_get_lockless_norecency = (p: Arm64Ptep): Program<bigint> => rawRead('ptep_get_lockless_norecency', p);

/** `ptep_get()`: `__ptep_get`; if valid and CONT, gather access/dirty over the block without validation. */
function ptepGet(name: string, early: boolean): (p: Arm64Ptep) => Program<bigint> {
  return function* (p) {
    yield begin({ name, role: 'reader', subject: p.name, locs: p.block, args: p.loc.name });
    const orig = yield READ_ONCE(p.loc, 'pte'); // ptep_get(): pte_t pte = __ptep_get(ptep);
    const v = validCont(orig) ? yield* contpte_gather(p, orig, early) : orig;
    yield end(v);
    return v;
  };
}

/**
 * `ptep_get_lockless()` = `__ptep_get`, and if valid and CONT
 * `contpte_ptep_get_lockless()`, which re-reads the target (DOMAIN §A3.4):
 * retry from the target whenever an entry of the block is not valid+CONT, or
 * its pfn is not the target's pfn − index + i, or its prot (ignoring A/D)
 * differs from the target's. `early`: the 2025 loop, which stops scanning once
 * both dirty and young were found (entries after that are neither read nor
 * validated).
 */
function ptepGetLockless(name: string, early: boolean): (p: Arm64Ptep) => Program<bigint> {
  return function* (p) {
    yield begin({ name, role: 'reader', subject: p.name, locs: p.block, args: p.loc.name });
    let v = yield READ_ONCE(p.loc, 'pte'); // ptep_get_lockless(): pte_t pte = __ptep_get(ptep), then the contpte path re-reads
    if (validCont(v)) {
      const n = p.block.length;
      retry: for (;;) {
        const orig = yield READ_ONCE(p.loc, 'orig_pte'); // orig_pte = __ptep_get(orig_ptep);
        v = orig;
        if (!validCont(orig)) break;
        const prot = protIgnoringAD(orig);
        const pfn0 = arm64.pfn(orig) - BigInt(p.index);
        const consistent = (pte: bigint, i: number): boolean =>
          validCont(pte) && arm64.pfn(pte) === pfn0 + BigInt(i) && protIgnoringAD(pte) === prot;
        for (let i = 0; i < n; i++) {
          const pte = yield READ_ONCE(p.block[i]!, 'pte'); // pte = __ptep_get(ptep);
          if (!consistent(pte, i)) {
            yield retry();
            continue retry;
          }
          if (early && arm64.dirty(pte)) {
            v = arm64.mkdirty(v);
            for (let j = i; j < n; j++) {
              const q = yield READ_ONCE(p.block[j]!);
              if (!consistent(q, j)) {
                yield retry();
                continue retry;
              }
              if (arm64.young(q)) {
                v = arm64.mkyoung(v);
                break;
              }
            }
            break retry;
          }
          if (early && arm64.young(pte)) {
            v = arm64.mkyoung(v);
            for (let j = i + 1; j < n; j++) {
              const q = yield READ_ONCE(p.block[j]!);
              if (!consistent(q, j)) {
                yield retry();
                continue retry;
              }
              if (arm64.dirty(q)) {
                v = arm64.mkdirty(v);
                break;
              }
            }
            break retry;
          }
          if (arm64.dirty(pte)) v = arm64.mkdirty(v);
          if (arm64.young(pte)) v = arm64.mkyoung(v);
        }
        break;
      }
    }
    yield end(v);
    return v;
  };
}

/**
 * The HW pte and its extended SW bits (Ryan Roberts' abandoned ptdesc
 * "extended SW bits" experiment, 2024-04-19): two separate locations, read
 * with two loads — "it is not possible to read the HW pte and the extended SW
 * bits atomically". Order (HW first, smp_rmb, SW bits) is an assumption: the
 * series was never posted. Returns HW | SW << 64 (see arm64ExtSw).
 */
function* ptep_get_ext_sw(p: Pte): Program<bigint> {
  const [hw, sw] = p.locs as [Location, Location];
  yield begin({ name: 'ptep_get_ext_sw', role: 'reader', subject: p.name, locs: p.locs });
  const h = yield READ_ONCE(hw);
  yield smp_rmb();
  const s = yield READ_ONCE(sw);
  const v = h | (s << 64n);
  yield end(v);
  return v;
}

const CONTPTE_C = 'arch/arm64/mm/contpte.c';

export const ARM64_READERS: readonly ReaderDef<Arm64Ptep>[] = [
  {
    name: '__ptep_get',
    arch: 'arm64',
    contract: 'ad-relaxed',
    source:
      'arch/arm64/include/asm/pgtable.h __ptep_get(): READ_ONCE(*ptep); v6.9–now (David Hildenbrand 2024-04-15 proposed it as ptep_get_gup_fast())',
    summary: 'one READ_ONCE of the target descriptor; no access/dirty gather (misses A/D set in sibling entries)',
    read: __ptep_get,
  },
  {
    name: 'ptep_get_lockless_norecency',
    arch: 'arm64',
    contract: 'ad-relaxed',
    source:
      'RFC 2024-02-15 <20240215121756.2734131-1-ryan.roberts@arm.com> patch 4/4: arm64 override = __ptep_get(); never merged',
    summary: 'the RFC reader whose contract is "A/D in the result may be wrong": one READ_ONCE, no gather',
    read: ptep_get_lockless_norecency,
  },
  {
    name: 'contpte_ptep_get',
    arch: 'arm64',
    contract: 'exact',
    source: `arch/arm64/include/asm/pgtable.h ptep_get() + ${CONTPTE_C} contpte_ptep_get(), v6.9–v6.16 full scan; documented as PTL-held`,
    summary:
      'arm64 ptep_get(): READ_ONCE target; if valid+CONT, OR dirty/young of all CONT_PTES entries, no validation',
    read: ptepGet('contpte_ptep_get', false),
  },
  {
    name: 'contpte_ptep_get@2025',
    arch: 'arm64',
    contract: 'exact',
    source: `${CONTPTE_C} contpte_ptep_get(), 2025 early termination (Xavier Xia, ~v6.17); documented as PTL-held`,
    summary: 'as contpte_ptep_get, but the scan stops once both dirty and young were found',
    read: ptepGet('contpte_ptep_get@2025', true),
  },
  {
    name: 'contpte_ptep_get_lockless',
    arch: 'arm64',
    contract: 'ad-relaxed',
    source: `arch/arm64/include/asm/pgtable.h ptep_get_lockless() + ${CONTPTE_C} contpte_ptep_get_lockless(), v6.9–v6.16 full scan`,
    summary:
      'arm64 ptep_get_lockless(): if valid+CONT, re-read target, scan the block, retry unless every entry is valid+CONT with pfn+i and the same prot ignoring A/D',
    read: ptepGetLockless('contpte_ptep_get_lockless', false),
  },
  {
    name: 'contpte_ptep_get_lockless@2025',
    arch: 'arm64',
    contract: 'ad-relaxed',
    source: `${CONTPTE_C} contpte_ptep_get_lockless(), 2025 early termination (linux-mm @1ac7a0fe)`,
    summary:
      'as contpte_ptep_get_lockless, but entries after the point where dirty and young were both found are not read or validated',
    read: ptepGetLockless('contpte_ptep_get_lockless@2025', true),
  },
  {
    name: 'ptep_get_ext_sw',
    arch: 'arm64-ext-sw',
    contract: 'ad-relaxed',
    source:
      'Ryan Roberts 2024-04-19 <24999e38-e4f7-4616-8eae-dfdeba327558@arm.com>: abandoned ptdesc "extended SW bits" experiment (never posted)',
    summary: 'HW pte and its extended SW bits: two loads of two locations (HW, smp_rmb, SW), returned as HW | SW << 64',
    read: ptep_get_ext_sw as (p: Arm64Ptep) => Program<bigint>,
  },
];
