import type { Execution } from '../machine';
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
 *            read; TSO/weak only, rank ≥ 1, capped at 7) per load site;
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

/** Reusable buffers and a name-hash cache; one per engine (no global state). */
export class FeatureExtractor {
  private readonly names = new Map<string, number>();

  private name(s: string): number {
    let h = this.names.get(s);
    if (h === undefined) {
      h = hashString(s);
      this.names.set(s, h);
    }
    return h;
  }

  /** Add the features of `exec` (and the reader's verdict label) to `out`. */
  collect(exec: Execution, label: string | undefined, out: ExecMap): void {
    // operation identities: (cpu, name, occurrence of the name on that cpu)
    const occ = new Map<number, number>();
    const opIdent: number[] = new Array<number>(exec.ops.length);
    for (const op of exec.ops) {
      const n = this.name(op.mark.name);
      const key = mix(op.cpu + 1, n);
      const k = occ.get(key) ?? 0;
      occ.set(key, k + 1);
      opIdent[op.id] = mix(key, k);
    }

    // rf, stale, alias: one pass over the events in execution order
    const indexInOp = new Array<number>(exec.ops.length).fill(0);
    const lastAccess = new Map<number, { cpu: number; site: number; write: boolean }>();
    const lastWriter = new Map<number, number>();
    for (const ev of exec.events) {
      let site: number;
      if (ev.kind === 'drain') {
        const w = ev.tag !== undefined && ev.tag >= 0 ? opIdent[ev.tag]! : UNTAGGED_WRITER;
        site = mix(mix(w, this.name('drain')), ev.locs[0] ?? 0);
      } else if (ev.op >= 0) {
        const i = indexInOp[ev.op]!;
        indexInOp[ev.op] = i + 1;
        site = mix(opIdent[ev.op]!, Math.min(i, SITE_INDEX_CAP));
      } else {
        site = mix(mix(NO_OP, ev.cpu + 1), this.name(ev.name));
      }
      const write = ev.wrote !== undefined;
      if (ev.kind === 'load' && ev.read !== undefined) {
        const loc = ev.locs[0]!;
        const writer =
          ev.tag === undefined || ev.tag === INIT_TAG ? INIT_WRITER : ev.tag >= 0 ? opIdent[ev.tag]! : UNTAGGED_WRITER;
        out.hit(mix(KIND_SALT.rf, mix(mix(writer, loc), site)));
        if (ev.rank !== undefined && ev.rank > 0) out.hit(mix(KIND_SALT.stale, mix(site, Math.min(ev.rank, 7))));
      } else if (ev.kind === 'rmw') {
        for (const loc of ev.locs) out.hit(mix(KIND_SALT.rf, mix(lastWriter.get(loc) ?? INIT_WRITER, site)));
      }
      for (const loc of ev.locs) {
        const prev = lastAccess.get(loc);
        if (prev !== undefined && prev.cpu !== ev.cpu && (prev.write || write)) {
          out.hit(mix(KIND_SALT.alias, mix(prev.site, site)));
        }
        lastAccess.set(loc, { cpu: ev.cpu, site, write });
        if (write) lastWriter.set(loc, mix(site, loc));
      }
    }

    // retry counts per operation
    for (const op of exec.ops) out.hit(mix(KIND_SALT.retry, opIdent[op.id]!), op.retries + 1);

    // operation bigrams, in the order of their first step (ties: begin order)
    const started = exec.ops.filter((o) => o.start >= 0).sort((a, b) => a.start - b.start || a.id - b.id);
    for (let i = 1; i < started.length; i++) {
      out.hit(mix(KIND_SALT.bigram, mix(opIdent[started[i - 1]!.id]!, opIdent[started[i]!.id]!)));
    }

    if (label !== undefined) out.hit(mix(KIND_SALT.verdict, this.name(label)));
  }
}
