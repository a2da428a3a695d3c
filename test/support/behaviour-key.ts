/**
 * What an execution does, apart from when its store-buffer drains happen: the key under which the tests of
 * the canonical TSO drain placement (src/machine/tso.ts phaseCanonical) compare executions. Written apart
 * from the machine: it reads only the execution record (the coherence order as src/machine/execution-key.ts
 * relations reads it from the event log).
 *
 * The key holds every CPU step in order (CPU, instruction, locations, value read and its tag, value written,
 * page and TLB effects), every operation (CPU, name, first and last step, result, retries, the floor tags a
 * reader started with), the coherence order of every location (the memory writes — drains, RMWs, lock
 * acquisitions under tso; every write under sc and weak — in the order they happened, with CPU, value and
 * tag), the final memory and how the execution ended. Two executions with one key get one judgement: the
 * reference, the windows, the contracts and the consumer invariants read nothing else but the drain events'
 * step numbers (the `Raced:` count), which the key leaves out.
 */
import type { Execution } from '../../src/machine';
import { keyText, relations } from '../../src/machine';

export function behaviourKey(exec: Execution): string {
  const steps = exec.events
    .filter((e) => e.kind !== 'drain')
    .map((e) => keyText([e.step, e.cpu, e.name, e.locs, e.read, e.tag, e.wrote, e.page, e.tlb, e.acks, e.maps, e.mem]));
  const ops = exec.ops.map((o) =>
    keyText([o.cpu, o.mark.name, o.start, o.end, o.done, o.retries, o.result, o.floorTags]),
  );
  // memory writes per location, in coherence order (under tso a store is named by its own event, whose drain
  // put it there: its CPU, value and tag are the drain's)
  const co = new Map<number, string[]>();
  for (const [l, ws] of relations(exec).co)
    co.set(
      l,
      ws.map((w) => keyText([exec.events[w]!.cpu, exec.events[w]!.wrote, exec.events[w]!.tag])),
    );
  const coText = [...co.entries()].sort((a, b) => a[0] - b[0]).map(([l, w]) => `${l}:${w.join(',')}`);
  return [steps.join(';'), ops.join(';'), coText.join(';'), keyText(exec.final), keyText(exec.outcome)].join(' | ');
}
