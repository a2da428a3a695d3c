/**
 * The corpus exchange of a split coverage campaign (campaign/exchange.ts): what a job imports at the end of an
 * epoch does not depend on the order the other jobs' batches arrived in, a job that ended is not waited for, the
 * main thread forgets what no job can import any more, and the campaign loop sends every entry it admits and
 * replays every entry it is given, at fixed run counts. Fixed seeds and run counts.
 */
import { describe, expect, test } from 'vitest';
import type { CorpusExchange, EpochBatch, ExchangedEntry } from '../../src/campaign';
import {
  EXCHANGE_EPOCH_RUNS,
  EXCHANGE_LAG,
  EpochInbox,
  EpochRouter,
  MemoryCorpusStore,
  corpusKey,
  runCampaign,
  selectTargets,
} from '../../src/campaign';
import { builtinReaders } from '../../src/kernel';

const entry = (target: number, ...trace: number[]): ExchangedEntry => ({ target, trace });
const batch = (job: number, epoch: number, entries: ExchangedEntry[], last = false): EpochBatch => ({
  job,
  epoch,
  entries,
  last,
});

describe('EpochInbox', () => {
  test("an epoch's entries come once every other job sent it, in job order then admission order, whatever the arrival order", () => {
    const a = batch(0, 3, [entry(1, 0, 1), entry(0, 2)]);
    const c = batch(2, 3, [entry(4, 7)]);
    const d = batch(3, 3, []);
    const want = [entry(1, 0, 1), entry(0, 2), entry(4, 7)];
    for (const order of [
      [a, c, d],
      [d, c, a],
      [c, a, d],
    ]) {
      const inbox = new EpochInbox(1, 4);
      for (const b of order.slice(0, 2)) inbox.add(b);
      expect(inbox.take(3)).toBeUndefined();
      inbox.add(order[2]!);
      // its own batch (job 1), echoed, is not imported
      inbox.add(batch(1, 3, [entry(9, 9)]));
      expect(inbox.take(3)).toEqual(want);
    }
  });

  test('a job that ended before an epoch is not waited for; one that ended in it gives its last batch', () => {
    const inbox = new EpochInbox(0, 3);
    inbox.add(batch(1, 4, [entry(0, 1)], true));
    inbox.add(batch(2, 4, [entry(0, 2)]));
    expect(inbox.take(4)).toEqual([entry(0, 1), entry(0, 2)]);
    expect(inbox.take(5)).toBeUndefined();
    inbox.add(batch(2, 5, [entry(0, 3)]));
    expect(inbox.take(5)).toEqual([entry(0, 3)]);
  });
});

describe('EpochRouter', () => {
  test("a fresh worker is given the other jobs' batches it may still import, not its own, not those no job needs", () => {
    const r = new EpochRouter(2);
    for (let e = 0; e <= 5; e++) r.add(batch(0, e, [entry(0, e)]));
    // job 1 sent nothing yet: it (or its replacement) imports job 0's epoch 0 onwards
    expect(r.backlog(1).map((b) => b.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    r.add(batch(1, 3, []));
    // having sent epoch 3, job 1 imports next epoch 4 − LAG
    expect(r.backlog(1).map((b) => b.epoch)).toEqual([0, 1, 2, 3, 4, 5].filter((e) => e >= 4 - EXCHANGE_LAG));
    // job 0, having sent epoch 5, imports job 1's epoch 6 − LAG next: job 1's epoch 3 is kept only if that is ≤ 3
    expect(r.backlog(0).map((b) => [b.job, b.epoch])).toEqual(6 - EXCHANGE_LAG <= 3 ? [[1, 3]] : []);
    // once job 1 ended, none of job 0's batches is needed by anyone
    r.add(batch(1, 4, [], true));
    expect(r.backlog(1)).toEqual([]);
    expect(r.backlog(0).map((b) => [b.job, b.epoch])).toEqual([[1, 4]].filter(([, e]) => e! >= 6 - EXCHANGE_LAG));
  });
});

describe('a campaign with an exchange', () => {
  const targets = selectTargets({ scenarios: ['s1-pae-double-refault'], models: ['tso'] }, builtinReaders());

  test('sends every entry it admits, epoch by epoch, and replays what it is given at the end of an epoch', () => {
    const runs = 3 * EXCHANGE_EPOCH_RUNS + 100;
    const sent: EpochBatch[] = [];
    const given = [entry(0, 1, 1, 0, 1), entry(2, 0, 0, 1)];
    const calls: string[] = [];
    const exchange: CorpusExchange = {
      started: () => void calls.push('started'),
      swap: (epoch, admitted) => {
        calls.push(`swap ${epoch}`);
        sent.push(batch(0, epoch, [...admitted]));
        // the entries of another job, given once, at the end of epoch 1
        return epoch === 1 ? given : [];
      },
      finish: (epoch, admitted) => {
        calls.push(`finish ${epoch}`);
        sent.push(batch(0, epoch, [...admitted], true));
      },
    };
    const store = new MemoryCorpusStore();
    const r = runCampaign({
      targets,
      engine: 'coverage',
      seed: '5',
      runs,
      clock: () => 0,
      corpus: store,
      exchange,
      onWitness: (f) => ({ id: `${f.target.key} ${f.class}`, fresh: true }),
    });
    expect(calls).toEqual(['started', 'swap 0', 'swap 1', 'swap 2', 'finish 3']);
    // what was sent is what was saved, target by target, in admission order
    targets.forEach((t, i) => {
      const out = sent.flatMap((b) => b.entries.filter((e) => e.target === i).map((e) => e.trace));
      expect(out).toEqual(store.all(corpusKey(t)));
    });
    expect(sent.reduce((n, b) => n + b.entries.length, 0)).toBeGreaterThan(10);
    const seeds = targets.map((t) => r.coverage.get(t.key)!.seeds);
    expect(seeds).toEqual(targets.map((_, i) => given.filter((e) => e.target === i).length));
  });

  test('without an exchange, the same seed and runs admit the same entries (the exchange changes only what is imported)', () => {
    const run = (exchange?: CorpusExchange) => {
      const store = new MemoryCorpusStore();
      runCampaign({
        targets,
        engine: 'coverage',
        seed: '5',
        runs: EXCHANGE_EPOCH_RUNS + 50,
        clock: () => 0,
        corpus: store,
        ...(exchange ? { exchange } : {}),
        onWitness: (f) => ({ id: `${f.target.key} ${f.class}`, fresh: true }),
      });
      return targets.map((t) => store.all(corpusKey(t)));
    };
    expect(run({ started: () => undefined, swap: () => [], finish: () => undefined })).toEqual(run());
  });
});
