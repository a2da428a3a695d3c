/**
 * The persistent corpus as the campaign sees it: a coverage engine's kept
 * traces, per target, shared by every worker that fuzzes the same target
 * (AFL++-style sync through a folder). The campaign never touches files;
 * src/crash/corpus-store.ts is the folder implementation (DESIGN §7).
 */

/** The target a corpus entry belongs to (a corpus is only meaningful for the same scenario, reader, contract and model). */
export interface CorpusKey {
  readonly scenario: string;
  readonly reader: string;
  readonly contract: string;
  readonly model: string;
}

export interface CorpusStore {
  /**
   * Traces of `key` this store has not returned or saved before, in a
   * deterministic order: at the first call the saved corpus, later the entries
   * other workers added meanwhile (nothing, when nobody else writes).
   */
  poll(key: CorpusKey): readonly (readonly number[])[];
  /** Persist a new entry (idempotent: saving the same trace twice keeps one). */
  save(key: CorpusKey, trace: readonly number[]): void;
}

/** A store that keeps nothing (engines without a corpus, tests). */
export const NO_CORPUS: CorpusStore = { poll: () => [], save: () => undefined };

/** In-memory store (tests; a campaign without persistence). */
export class MemoryCorpusStore implements CorpusStore {
  private readonly entries = new Map<string, (readonly number[])[]>();
  /** per key: the traces (joined) already handed out by poll() or saved */
  private readonly known = new Map<string, Set<string>>();

  private slot(k: CorpusKey): { all: (readonly number[])[]; known: Set<string> } {
    const id = `${k.scenario}.${k.reader}.${k.contract}.${k.model}`;
    let all = this.entries.get(id);
    let known = this.known.get(id);
    if (!all || !known) {
      all = [];
      known = new Set();
      this.entries.set(id, all);
      this.known.set(id, known);
    }
    return { all, known };
  }

  poll(key: CorpusKey): readonly (readonly number[])[] {
    const { all, known } = this.slot(key);
    const fresh = all.filter((t) => !known.has(t.join(',')));
    for (const t of fresh) known.add(t.join(','));
    return fresh;
  }

  save(key: CorpusKey, trace: readonly number[]): void {
    const { all, known } = this.slot(key);
    const id = trace.join(',');
    if (all.some((t) => t.join(',') === id)) return;
    all.push([...trace]);
    known.add(id);
  }

  /** Add an entry as if another worker had saved it (the next poll() returns it). */
  inject(key: CorpusKey, trace: readonly number[]): void {
    this.slot(key).all.push([...trace]);
  }

  /** Everything stored for `key`, in order. */
  all(key: CorpusKey): readonly (readonly number[])[] {
    return this.slot(key).all;
  }
}
