/**
 * Physical pages and per-CPU TLBs (DESIGN §4). The machine knows pfns, not
 * ptes: a pfn has a refcount and an allocation generation; freeing (the last
 * put) bumps the generation and pushes the pfn on the free list; a later
 * allocation may reuse it. `try_grab_folio` fails on refcount 0.
 *
 * Sources: include/linux/mm.h folio_try_get/folio_put, mm/gup.c
 * try_grab_folio_fast() (2022: try_grab_folio()), mm/page_alloc.c (the per-cpu
 * free lists hand out the most recently freed page first — option 0 here).
 * Omitted: compound pages/folio sizes, pin counts (FOLL_PIN bias) as distinct
 * from references, zones, page cache, memcg. Refcounts live outside the
 * memory model: every page operation is one atomic, fully ordered step.
 *
 * A pfn the scenario did not declare is "somebody else's page": allocated,
 * refcount 1, generation 0 (physical memory is mostly in use), so a torn
 * pfn names a page in use elsewhere, as it would in the kernel.
 */

/** One page's state. */
export interface PageState {
  ref: number;
  gen: number;
}

/** A page a scenario declares: refcount 0 means free (on the free list, in declaration order). */
export interface PageDecl {
  readonly pfn: bigint;
  readonly ref: number;
  /** ids of locations that live in this page (a page-table page's entries): their accesses record the page's state */
  readonly locs?: readonly number[];
}

/** The state of the page an accessed location lives in, at the access. */
export interface MemPage {
  readonly pfn: bigint;
  readonly gen: number;
  readonly ref: number;
}

/** What a page or TLB step did, recorded on its event. */
export interface PageEvent {
  readonly pfn: bigint;
  /** generation of the page after the step (a free bumps it) */
  readonly gen: number;
  /** refcount after the step */
  readonly ref: number;
  /** try_grab_folio: did it take a reference */
  readonly ok?: boolean;
  /** put_page: this put freed the page (generation bumped) */
  readonly freed?: boolean;
  /** put_page that freed: the CPUs whose TLB still translates to the freed generation (mmu_gather rule broken) */
  readonly tlbHolders?: readonly number[];
}

/** A translation cached by one CPU's TLB. */
export interface TlbEntry {
  readonly pfn: bigint;
  /** generation of the page when the translation was cached */
  readonly gen: number;
}

export interface TlbEvent {
  readonly key: string;
  /** tlb_access: whether the TLB had a translation */
  readonly hit: boolean;
  readonly pfn?: bigint;
  /** generation cached with the translation */
  readonly gen?: number;
  /** tlb_access: the page's current generation (≠ gen: the access reached a freed or reused page) */
  readonly now?: number;
}

/** The free list and page states of one execution. */
export class PagePool {
  private readonly pages = new Map<bigint, PageState>();
  /** free pfns, most recently freed last */
  private readonly free: bigint[] = [];

  constructor(decls: readonly PageDecl[] = []) {
    for (const d of decls) {
      this.pages.set(d.pfn, { ref: d.ref, gen: 0 });
      if (d.ref === 0) this.free.push(d.pfn);
    }
  }

  state(pfn: bigint): PageState {
    let s = this.pages.get(pfn);
    if (s === undefined) {
      s = { ref: 1, gen: 0 };
      this.pages.set(pfn, s);
    }
    return s;
  }

  get freeCount(): number {
    return this.free.length;
  }

  /** Take the k-th most recently freed page (k = 0: the hottest). */
  alloc(k: number): bigint {
    const i = this.free.length - 1 - k;
    const pfn = this.free.splice(i, 1)[0]!;
    this.state(pfn).ref = 1;
    return pfn;
  }

  tryGrab(pfn: bigint): boolean {
    const s = this.state(pfn);
    if (s.ref === 0) return false;
    s.ref++;
    return true;
  }

  get(pfn: bigint): void {
    this.state(pfn).ref++;
  }

  /** Drop a reference; returns true when it was the last one (the page is freed). */
  put(pfn: bigint): boolean {
    const s = this.state(pfn);
    if (s.ref === 0) throw new PageBug(`put_page(${pfn.toString(16)}) on a free page`);
    s.ref--;
    if (s.ref > 0) return false;
    s.gen++;
    this.free.push(pfn);
    return true;
  }

  snapshot(): Map<bigint, PageState> {
    return new Map([...this.pages].map(([k, v]) => [k, { ...v }]));
  }
}

/** A program dropped a reference it did not hold: a bug in a model, reported as such. */
export class PageBug extends Error {}
