/**
 * How the jobs of a split `coverage` campaign (`--jobs N`) share their corpus entries at fixed run counts
 * instead of on the clock, so that a `--runs` campaign imports the same entries at the same runs every time.
 *
 * Each job's runs (its partition, partition.ts) are cut into epochs of EXCHANGE_EPOCH_RUNS. At the end of its
 * epoch e a job sends the entries it admitted in e (in admission order) and imports those the other jobs admitted
 * in their epoch e − EXCHANGE_LAG, in job order then admission order. The lag lets a job run on while another is up
 * to EXCHANGE_LAG epochs behind; it waits only when one is further behind (or, at the start, until every job
 * has read the corpus folder, so that none reads entries another already wrote). A job that ends (its share of
 * runs done, the time budget spent, a stop) says so with its last, partial epoch: the others import nothing of
 * it for later epochs and never wait for it again. The campaign loop sees only CorpusExchange; the threads and
 * messages behind it are src/cli/corpus-exchange.ts.
 */

/** Runs of a job per epoch (~0.2 s of the default campaign in one job). */
export const EXCHANGE_EPOCH_RUNS = 500;
/** At the end of its epoch e a job imports the other jobs' entries of their epoch e − EXCHANGE_LAG. */
export const EXCHANGE_LAG = 2;

/** A corpus entry as the jobs exchange it: the index of its target in the campaign's targets, and its trace. */
export interface ExchangedEntry {
  readonly target: number;
  readonly trace: readonly number[];
}

/** What one job admitted in one of its epochs; `last`: the job ends in this epoch (it sends nothing later). */
export interface EpochBatch {
  readonly job: number;
  readonly epoch: number;
  readonly entries: readonly ExchangedEntry[];
  readonly last: boolean;
}

/** The campaign loop's side of the exchange (CampaignConfig.exchange). */
export interface CorpusExchange {
  /** After the corpus folder was read at the start, before the first run: returns once every job has read it. */
  started(): void;
  /**
   * At the end of epoch `epoch`: sends `admitted`, returns the entries to import — the other jobs' of their
   * epoch `epoch` − EXCHANGE_LAG, in job order then admission order (none before epoch EXCHANGE_LAG).
   */
  swap(epoch: number, admitted: readonly ExchangedEntry[]): readonly ExchangedEntry[];
  /** The job ends in epoch `epoch` (partial, possibly empty) having admitted `admitted` in it. */
  finish(epoch: number, admitted: readonly ExchangedEntry[]): void;
}

/** The epoch whose entries a job imports at the end of its epoch `epoch` (negative: none). */
export const importedEpoch = (epoch: number): number => epoch - EXCHANGE_LAG;

/**
 * One job's mailbox: the other jobs' batches as they arrive (in any order, a batch twice is ignored), and the
 * entries of an epoch once every job that may have admitted some in it has sent its batch.
 */
export class EpochInbox {
  private readonly batches = new Map<string, EpochBatch>();
  /** per job: the epoch of its `last` batch */
  private readonly lastEpoch = new Map<number, number>();

  constructor(
    private readonly job: number,
    private readonly jobs: number,
  ) {}

  add(b: EpochBatch): void {
    if (b.job === this.job) return;
    this.batches.set(`${b.job}/${b.epoch}`, b);
    if (b.last) this.lastEpoch.set(b.job, b.epoch);
  }

  /**
   * The other jobs' entries of `epoch`, job order then admission order — or undefined while a job that has not
   * ended before `epoch` has not sent it. Forgets the batches of `epoch` and earlier (each epoch is taken once).
   */
  take(epoch: number): ExchangedEntry[] | undefined {
    const out: ExchangedEntry[] = [];
    for (let k = 0; k < this.jobs; k++) {
      if (k === this.job) continue;
      const b = this.batches.get(`${k}/${epoch}`);
      if (b !== undefined) out.push(...b.entries);
      else if (!((this.lastEpoch.get(k) ?? Infinity) < epoch)) return undefined;
    }
    for (const [id, b] of this.batches) if (b.epoch <= epoch) this.batches.delete(id);
    return out;
  }
}

/**
 * The main thread's side: every job's batches, handed to the other jobs — and, for a fresh worker that replaces
 * a stopped one (the watchdog), the batches it may still import. A batch is forgotten once no job can import it
 * any more.
 */
export class EpochRouter {
  private batches: EpochBatch[] = [];
  /** per job: the last epoch it sent (−1: none) */
  private readonly sent: number[];
  private readonly ended = new Set<number>();

  constructor(jobs: number) {
    this.sent = Array.from({ length: jobs }, () => -1);
  }

  /** Keep `b` (the caller hands it to every job but its sender). */
  add(b: EpochBatch): void {
    this.sent[b.job] = Math.max(this.sent[b.job]!, b.epoch);
    if (b.last) this.ended.add(b.job);
    this.batches.push(b);
    // a job that sent epoch e imports next (in its epoch e + 1, or its replacement's) the entries of e + 1 − LAG
    const next = this.sent.map((e, job) => (this.ended.has(job) ? Infinity : importedEpoch(e + 1)));
    this.batches = this.batches.filter((x) => next.some((n, job) => job !== x.job && n <= x.epoch));
  }

  /** The batches a fresh worker of `job` is to be given, in the order they arrived. */
  backlog(job: number): readonly EpochBatch[] {
    return this.batches.filter((b) => b.job !== job);
  }
}
