import type { Execution, OpRecord } from '../machine';
import { INIT_TAG } from '../machine';
import type { ExecMap } from './coverage-map';

/**
 * Interleaving coverage (DESIGN §7): what one execution did, as features
 * hashed into an AFL map. Code coverage alone cannot see interleavings — every
 * schedule runs the same lines —, so the features describe who read from
 * whom, in which order CPUs touched a location, and how the operations
 * interleaved. Everything is computed from the machine-level Execution: the
 * engine never knows what a pte is.
 *
 * Identities are stable across schedules (never event indices or op ids,
 * which depend on the interleaving):
 * - an *operation* is (CPU, operation name, occurrence of that name on that
 *   CPU), e.g. "CPU 2, MADV_DONTNEED, 1st";
 * - a *site* is an operation plus the index of the instruction within that
 *   invocation (capped at SITE_INDEX_CAP, so a retry loop's later rounds share
 *   a site), or (CPU, instruction name) outside any operation;
 * - a *store site* is the writer operation that made the message plus the
 *   location (INIT for the initial value).
 *
 * Features (each salted with its kind, hit counts bucketed by the map):
 * - `rf`     read-from pair: store site → load site, one hit per load;
 * - `stale`  staleness rank of a read (how many newer messages it could have
 *            read; TSO/weak only, rank ≥ 1, capped at 7) per load site, and
 *            of a weak store placed coherence-before the k newest writes
 *            (Event.co, capped at 7) per store site;
 * - `alias`  conflicting consecutive accesses to one location from two
 *            different CPUs, at least one a write (Krace's alias-coverage
 *            pairs): (site before, site after);
 * - `retry`  per operation, retries + 1 as the hit count (so 0, 1, 2, 3,
 *            4-6, … retries are distinct buckets);
 * - `verdict` the verdict class of the reader under test — an opaque label
 *            the campaign passes in (e.g. "agree/raced", "divergence/torn");
 * - `bigram` operation bigrams: consecutive operation starts across CPUs
 *            (in the order of their first step).
 */
export const FEATURE_KINDS = ['rf', 'stale', 'alias', 'retry', 'verdict', 'bigram'] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

/** Instruction index within an operation beyond which sites are merged. */
export const SITE_INDEX_CAP = 31;

const KIND_SALT: Record<FeatureKind, number> = {
  rf: 0x9e3779b1,
  stale: 0x85ebca77,
  alias: 0xc2b2ae3d,
  retry: 0x27d4eb2f,
  verdict: 0x165667b1,
  bigram: 0xd3a2646c,
};

/** 32-bit mixing of two words (murmur3 finaliser over a multiply-xor combine). */
export function mix(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x5bd1e995), 0x01000193) ^ (b >>> 13);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a of a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const INIT_WRITER = hashString('<init>');
const UNTAGGED_WRITER = hashString('<untagged>');
const NO_OP = hashString('<no-op>');
const DRAIN = hashString('drain');
const PLACED = hashString('placed');

/**
 * Per 32-bit key, how many times it was counted since the last reset: a Map
 * from number to number, in typed arrays (open addressing, linear probing)
 * and emptied in constant time by a stamp — FeatureExtractor counts the
 * occurrences of each operation this way once per execution, where a Map's
 * lookups, insertions and clearing were a fifth of collect's time.
 */
export class KeyCounter {
  private keys = new Uint32Array(64);
  private counts = new Uint32Array(64);
  /** a slot is in use when its stamp is the current one */
  private stamps = new Uint32Array(64);
  private stamp = 1;
  private size = 0;

  /** Forget every key (wraps after 2^32 resets: clear). */
  reset(): void {
    this.size = 0;
    if (this.stamp === 0xffff_ffff) {
      this.stamps.fill(0);
      this.stamp = 0;
    }
    this.stamp++;
  }

  /** How many times `key` (a u32) was counted since the last reset; then counts it once more. */
  next(key: number): number {
    // at most half full: probes stay short
    if (2 * (this.size + 1) > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    for (let i = key & mask; ; i = (i + 1) & mask) {
      if (this.stamps[i] !== this.stamp) {
        this.stamps[i] = this.stamp;
        this.keys[i] = key;
        this.counts[i] = 1;
        this.size++;
        return 0;
      }
      if (this.keys[i] === key) {
        const c = this.counts[i]!;
        this.counts[i] = c + 1;
        return c;
      }
    }
  }

  /** Double the table, re-inserting the current keys. */
  private grow(): void {
    const { keys, counts, stamps, stamp } = this;
    const n = 2 * keys.length;
    this.keys = new Uint32Array(n);
    this.counts = new Uint32Array(n);
    this.stamps = new Uint32Array(n);
    for (let j = 0; j < keys.length; j++) {
      if (stamps[j] !== stamp) continue;
      let i = keys[j]! & (n - 1);
      while (this.stamps[i] === stamp) i = (i + 1) & (n - 1);
      this.stamps[i] = stamp;
      this.keys[i] = keys[j]!;
      this.counts[i] = counts[j]!;
    }
  }
}

/**
 * Reusable buffers and a name-hash cache; one per engine (no global state).
 * collect runs once per execution of a coverage campaign, so its per-operation
 * and per-location state lives in typed arrays kept across calls (grown on
 * demand) rather than in Maps and objects allocated per call: the features,
 * and the order of their hits, are the same.
 */
export class FeatureExtractor {
  private readonly names = new Map<string, number>();
  /** per call: occurrences so far of each (cpu, operation name) key */
  private readonly occ = new KeyCounter();
  /** per operation id: its identity, and the index of its next instruction */
  private opIdent = new Uint32Array(16);
  private indexInOp = new Int32Array(16);
  /** positions in exec.ops of the operations that took a step, sorted by first step for the bigrams */
  private started = new Int32Array(16);
  /**
   * Per location id: the last access (CPU, site, whether it wrote) and the
   * last writer's store site, each valid only when its stamp is this call's
   * `gen` — so nothing is cleared between calls.
   */
  private accessGen = new Uint32Array(16);
  private accessCpu = new Int32Array(16);
  private accessSite = new Uint32Array(16);
  private accessWrite = new Uint8Array(16);
  private writerGen = new Uint32Array(16);
  private writerSite = new Uint32Array(16);
  private gen = 0;

  private name(s: string): number {
    let h = this.names.get(s);
    if (h === undefined) {
      h = hashString(s);
      this.names.set(s, h);
    }
    return h;
  }

  /** Room for operation ids below `ops`. */
  private reserveOps(ops: number): void {
    if (ops <= this.opIdent.length) return;
    const n = Math.max(ops, 2 * this.opIdent.length);
    this.opIdent = new Uint32Array(n);
    this.indexInOp = new Int32Array(n);
    this.started = new Int32Array(n);
  }

  /** Room for location ids below `locs` (the per-location state is kept: valid stamps stay valid). */
  private reserveLocs(locs: number): void {
    if (locs <= this.accessGen.length) return;
    const n = Math.max(locs, 2 * this.accessGen.length);
    const grow = <T extends Uint32Array | Int32Array | Uint8Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.accessGen = grow(this.accessGen, new Uint32Array(n));
    this.accessCpu = grow(this.accessCpu, new Int32Array(n));
    this.accessSite = grow(this.accessSite, new Uint32Array(n));
    this.accessWrite = grow(this.accessWrite, new Uint8Array(n));
    this.writerGen = grow(this.writerGen, new Uint32Array(n));
    this.writerSite = grow(this.writerSite, new Uint32Array(n));
  }

  /** Add the features of `exec` (and the reader's verdict label) to `out`. */
  collect(exec: Execution, label: string | undefined, out: ExecMap): void {
    const ops = exec.ops;
    this.reserveOps(ops.length);
    // a fresh stamp: every location's last access and last writer are absent (wraps after 2^32 calls: clear)
    if (this.gen === 0xffff_ffff) {
      this.gen = 0;
      this.accessGen.fill(0);
      this.writerGen.fill(0);
    }
    const gen = ++this.gen;

    // operation identities: (cpu, name, occurrence of the name on that cpu)
    const occ = this.occ;
    occ.reset();
    const opIdent = this.opIdent;
    for (const op of ops) {
      const n = this.name(op.mark.name);
      const key = mix(op.cpu + 1, n);
      const k = occ.next(key);
      opIdent[op.id] = mix(key, k);
    }

    // rf, stale, alias: one pass over the events in execution order
    const indexInOp = this.indexInOp;
    indexInOp.fill(0, 0, ops.length);
    // the per-location arrays in locals: every location id is below exec.final.length (one value per location)
    this.reserveLocs(exec.final.length);
    const { accessGen, accessCpu, accessSite, accessWrite, writerGen, writerSite } = this;
    const nLocs = accessGen.length;
    const events = exec.events;
    for (let e = 0; e < events.length; e++) {
      const ev = events[e]!;
      // each field read once: events come in several shapes (optional fields), so every read is a slow lookup
      const kind = ev.kind;
      const cpu = ev.cpu;
      const tag = ev.tag;
      const locs = ev.locs;
      let site: number;
      if (kind === 'drain') {
        const w = tag !== undefined && tag >= 0 ? opIdent[tag]! : UNTAGGED_WRITER;
        site = mix(mix(w, DRAIN), locs[0] ?? 0);
      } else {
        const op = ev.op;
        if (op >= 0) {
          const i = indexInOp[op]!;
          indexInOp[op] = i + 1;
          site = mix(opIdent[op]!, Math.min(i, SITE_INDEX_CAP));
        } else {
          site = mix(mix(NO_OP, cpu + 1), this.name(ev.name));
        }
      }
      const write = ev.wrote !== undefined;
      if (kind === 'load') {
        if (ev.read !== undefined) {
          const loc = locs[0]!;
          const writer =
            tag === undefined || tag === INIT_TAG ? INIT_WRITER : tag >= 0 ? opIdent[tag]! : UNTAGGED_WRITER;
          out.hit(mix(KIND_SALT.rf, mix(mix(writer, loc), site)));
          const rank = ev.rank;
          if (rank !== undefined && rank > 0) out.hit(mix(KIND_SALT.stale, mix(site, Math.min(rank, 7))));
        }
      } else if (ev.co !== undefined) {
        // a weak store placed coherence-before the `co` newest writes: the write side of staleness
        out.hit(mix(KIND_SALT.stale, mix(mix(site, PLACED), Math.min(ev.co, 7))));
      } else if (kind === 'rmw') {
        for (let j = 0; j < locs.length; j++) {
          const loc = locs[j]!;
          const lastWriter = writerGen[loc] === gen ? writerSite[loc]! : INIT_WRITER;
          out.hit(mix(KIND_SALT.rf, mix(lastWriter, site)));
        }
      }
      for (let j = 0; j < locs.length; j++) {
        const loc = locs[j]!;
        if (loc >= nLocs) throw new Error(`[ptefuzz internal bug] coverage features: location ${loc} of ${nLocs}`);
        if (accessGen[loc] === gen && accessCpu[loc] !== cpu && (accessWrite[loc] === 1 || write)) {
          out.hit(mix(KIND_SALT.alias, mix(accessSite[loc]!, site)));
        }
        accessGen[loc] = gen;
        accessCpu[loc] = cpu;
        accessSite[loc] = site;
        accessWrite[loc] = write ? 1 : 0;
        // the writer an RMW then reads: the coherence-latest (a store placed before others is not)
        if (write && ev.co === undefined) {
          writerGen[loc] = gen;
          writerSite[loc] = mix(site, loc);
        }
      }
    }

    // retry counts per operation
    for (const op of ops) out.hit(mix(KIND_SALT.retry, opIdent[op.id]!), op.retries + 1);

    // operation bigrams, in the order of their first step (ties: begin order): an insertion sort of the
    // operations' positions (they come nearly in start order already)
    const started = this.started;
    let m = 0;
    for (let k = 0; k < ops.length; k++) {
      const op = ops[k]!;
      if (op.start < 0) continue;
      let j = m++;
      while (j > 0 && startsAfter(ops[started[j - 1]!]!, op)) {
        started[j] = started[j - 1]!;
        j--;
      }
      started[j] = k;
    }
    for (let i = 1; i < m; i++) {
      const a = ops[started[i - 1]!]!;
      const b = ops[started[i]!]!;
      out.hit(mix(KIND_SALT.bigram, mix(opIdent[a.id]!, opIdent[b.id]!)));
    }

    if (label !== undefined) out.hit(mix(KIND_SALT.verdict, this.name(label)));
  }
}

/** `a` comes after `b` in the bigram order: first step, then begin order (id). */
const startsAfter = (a: OpRecord, b: OpRecord): boolean => a.start > b.start || (a.start === b.start && a.id > b.id);
