/**
 * The threads behind the corpus exchange of `fuzz --engine coverage --jobs N` (src/campaign/exchange.ts): each
 * worker posts its epoch batches to the main thread (a `FromWorker` message), which keeps them (EpochRouter) and
 * hands each on to the other workers through a MessagePort of theirs; a worker reads its port synchronously
 * (receiveMessageOnPort) at the end of an epoch — its campaign loop never returns to the event loop — and, when a
 * batch it needs has not come yet, sleeps on the shared mail counter that the main thread bumps after every
 * hand-over. Every wait ends when the campaign is stopping.
 */
import type { MessagePort } from 'node:worker_threads';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { CorpusExchange, EpochBatch, ExchangedEntry } from '../campaign';
import { EpochInbox, EpochRouter, importedEpoch } from '../campaign';

/** Int32 slots of the shared buffer: how many workers have read the corpus folder at start; batches handed out. */
const STARTED = 0;
const MAIL = 1;
/** How long a waiting worker sleeps before it looks at the stop flag again, in ms. */
const WAIT_MS = 50;

/** What a worker is given (in its WorkerInput; the port in the Worker's transferList). */
export interface ExchangeInput {
  readonly job: number;
  readonly jobs: number;
  readonly port: MessagePort;
  readonly shared: SharedArrayBuffer;
}

/** A worker's side: CorpusExchange over its port; `send` posts a batch to the main thread. */
export class WorkerExchange implements CorpusExchange {
  private readonly shared: Int32Array;
  private readonly inbox: EpochInbox;

  constructor(
    private readonly input: ExchangeInput,
    private readonly send: (b: EpochBatch) => void,
    private readonly stopping: () => boolean,
  ) {
    this.shared = new Int32Array(input.shared);
    this.inbox = new EpochInbox(input.job, input.jobs);
  }

  started(): void {
    // a fresh worker after a hang counts past `jobs`: it never waits here
    Atomics.add(this.shared, STARTED, 1);
    Atomics.notify(this.shared, STARTED);
    this.until(STARTED, () => (Atomics.load(this.shared, STARTED) >= this.input.jobs ? true : undefined));
  }

  swap(epoch: number, admitted: readonly ExchangedEntry[]): readonly ExchangedEntry[] {
    this.send({ job: this.input.job, epoch, entries: admitted, last: false });
    const want = importedEpoch(epoch);
    if (want < 0) return [];
    return (
      this.until(MAIL, () => {
        for (let m = receiveMessageOnPort(this.input.port); m; m = receiveMessageOnPort(this.input.port)) {
          this.inbox.add(m.message as EpochBatch);
        }
        return this.inbox.take(want);
      }) ?? []
    );
  }

  finish(epoch: number, admitted: readonly ExchangedEntry[]): void {
    this.send({ job: this.input.job, epoch, entries: admitted, last: true });
    this.input.port.close();
  }

  /** `ready()`'s first defined answer, sleeping on slot `slot` between two tries; undefined when stopping. */
  private until<T>(slot: number, ready: () => T | undefined): T | undefined {
    for (;;) {
      const seen = Atomics.load(this.shared, slot);
      const r = ready();
      if (r !== undefined) return r;
      if (this.stopping()) return undefined;
      Atomics.wait(this.shared, slot, seen, WAIT_MS);
    }
  }
}

/** The main thread's side: one per campaign; `connect` for every worker it starts. */
export class ExchangeHub {
  private readonly router: EpochRouter;
  private readonly shared = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  private readonly mail = new Int32Array(this.shared);
  /** per job: the port of its current worker (undefined between a stopped worker and its fresh one) */
  private readonly ports: (MessagePort | undefined)[];

  constructor(private readonly jobs: number) {
    this.router = new EpochRouter(jobs);
    this.ports = Array.from({ length: jobs }, () => undefined);
  }

  /** The input of a new worker of `job` (its port goes in the Worker's transferList), given the batches it may still import. */
  connect(job: number): ExchangeInput {
    const { port1, port2 } = new MessageChannel();
    this.ports[job]?.close();
    for (const b of this.router.backlog(job)) port2.postMessage(b);
    this.ports[job] = port2;
    return { job, jobs: this.jobs, port: port1, shared: this.shared };
  }

  /** A worker of `job` ended. */
  disconnect(job: number): void {
    this.ports[job]?.close();
    this.ports[job] = undefined;
  }

  /** A batch from a worker: kept, and handed to every other worker. */
  deliver(b: EpochBatch): void {
    this.router.add(b);
    this.ports.forEach((p, job) => {
      if (job !== b.job) p?.postMessage(b);
    });
    Atomics.add(this.mail, MAIL, 1);
    Atomics.notify(this.mail, MAIL);
  }
}
