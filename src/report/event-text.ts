import type { Event, Location, LocationTable } from '../machine';
import type { Arch } from '../kernel';
import { hex } from '../kernel';
import type { Subject } from '../scenario';

/** What naming locations and formatting values needs. */
export interface TextContext {
  readonly locations: LocationTable;
  /** a location group equal to the subject's locations is named and formatted as a pte */
  readonly subject: Subject;
  readonly arch: Arch;
}

/**
 * An event as kernel-style text, in pieces that may be wrapped between
 * (see columns.ts `wrap`): `READ_ONCE(pte_low) = 0x00010067`,
 * `WRITE_ONCE(pte_high, 0x00010002)`, `smp_wmb()`, `spin_lock(ptl)`,
 * `cmpxchg64(pte, …) = {old} → {new}`, `drain pte_low = 0x00000000`.
 * A load of a message older than the newest is marked `(stale by N stores)`.
 */
export function eventPieces(ev: Event, ctx: TextContext): string[] {
  const group = locGroup(ev.locs, ctx);
  switch (ev.kind) {
    case 'load':
      return [
        `${ev.dest === undefined ? '' : `${ev.dest} = `}${ev.name}(${group.name})`,
        ` = ${group.format(ev.read ?? 0n)}`,
        ...stale(ev),
      ];
    case 'store':
      return [`${ev.name}(${group.name},`, ` ${group.format(ev.wrote ?? 0n)})`];
    case 'rmw': {
      const args = ev.name.includes('xchg') ? ', …' : '';
      const pieces = [`${ev.name}(${group.name}${args})`, ` = ${group.format(ev.read ?? 0n)}`];
      if (ev.wrote !== undefined) pieces.push(` → ${group.format(ev.wrote)}`);
      return pieces;
    }
    case 'lock':
    case 'unlock':
      return [`${ev.name}(${group.name})`];
    case 'fence':
      return [`${ev.name}()`];
    case 'irq':
      return [`${ev.name}()`, ...(ev.acks ? [` (acks the flush of CPU ${ev.acks.join(', ')})`] : [])];
    case 'drain':
      return [`drain ${group.name}`, ` = ${group.format(ev.wrote ?? 0n)}`];
    case 'flush':
      return [`${ev.name}()`, ...(ev.acks ? [` waits for CPU ${ev.acks.join(', ')}`] : [])];
    case 'page':
      return pagePieces(ev);
    case 'tlb':
      return tlbPieces(ev);
    default:
      // markers never become events; print whatever arrives rather than hide it
      return [ev.name];
  }
}

function pagePieces(ev: Event): string[] {
  const p = ev.page;
  if (p === undefined) return [ev.name];
  const page = `pfn ${hex(p.pfn)} gen ${p.gen}`;
  switch (ev.name) {
    case 'alloc_page':
      return [`alloc_page()`, ` = ${page}`];
    case 'try_grab_folio':
      return [`try_grab_folio(${hex(p.pfn)})`, p.ok === true ? ` = ok, ref ${p.ref}` : ' = fail (ref 0)'];
    case 'put_page': {
      const freed = p.freed === true ? ` → freed, gen ${p.gen}` : ` → ref ${p.ref}`;
      const holders = p.tlbHolders ? [` (still in the TLB of CPU ${p.tlbHolders.join(', ')})`] : [];
      return [`put_page(${hex(p.pfn)})`, freed, ...holders];
    }
    default:
      return [`${ev.name}(${hex(p.pfn)})`, ` → ref ${p.ref}`];
  }
}

function tlbPieces(ev: Event): string[] {
  const t = ev.tlb;
  if (t === undefined) return [ev.name];
  if (!t.hit) return [`${ev.name}(${t.key})`, ' = miss'];
  const page = `pfn ${hex(t.pfn ?? 0n)} gen ${t.gen ?? 0}`;
  if (ev.name === 'tlb_fill') return [`tlb_fill(${t.key},`, ` ${page})`];
  const stalePage = t.now !== undefined && t.now !== t.gen ? [` (page now gen ${t.now}: freed)`] : [];
  return [`${ev.name}(${t.key})`, ` = ${page}`, ...stalePage];
}

/**
 * `(stale by 1 store)`: the load read a value that N newer stores
 * to its location had replaced — the weak model's read-from choice (under
 * sc and tso a load reads the newest value in memory or its own buffer).
 */
function stale(ev: Event): string[] {
  if (ev.rank === undefined || ev.rank <= 0) return [];
  return [` (stale by ${ev.rank} ${ev.rank === 1 ? 'store' : 'stores'})`];
}

interface Group {
  readonly name: string;
  readonly format: (v: bigint) => string;
}

/** The name and value format of a group of locations (one location, or a pte). */
export function locGroup(ids: readonly number[], ctx: TextContext): Group {
  const locs = ids.map((id) => locationOf(id, ctx.locations));
  const s = ctx.subject.locIds;
  if (ids.length > 1 && ids.length === s.length && ids.every((id, i) => id === s[i])) {
    return { name: ctx.subject.name, format: (v) => ctx.arch.format(v) };
  }
  const digits = locs.reduce((n, l) => n + l.width, 0) / 4;
  return { name: locs.map((l) => l.name).join('+'), format: (v) => hex(v, digits) };
}

function locationOf(id: number, table: LocationTable): Location {
  const loc = table.locs[id];
  if (loc === undefined) throw new Error(`[ptefuzz internal bug] event names location ${id}, not in the scenario`);
  return loc;
}
