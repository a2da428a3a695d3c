/**
 * Page bookkeeping for the consumer invariants: which allocation generation
 * of its pfn each logical pte value maps. A page cannot be freed while a pte
 * maps it (the mapping holds a reference), so the generation of pfn(v_k) at
 * the commit of the operation that produced v_k is the generation v_k maps
 * for as long as it is current. Generations come from the machine's page
 * events (a put_page that frees bumps the generation).
 */
import type { Execution } from '../machine';
import type { Arch } from '../kernel';
import type { LogicalHistory } from './history';

export type { ConsumerSpec } from '../kernel';
export { isConsumerSpec } from '../kernel';

/** The generation of `pfn` just before step `step`. */
export function genAt(exec: Execution, pfn: bigint, step: number): number {
  let gen = 0;
  for (const ev of exec.events) {
    if (ev.step >= step) break;
    if (ev.page !== undefined && ev.page.pfn === pfn && ev.page.freed === true) gen = ev.page.gen;
  }
  return gen;
}

/** gens[k]: the generation of pfn(v_k) that v_k maps. */
export function valueGenerations(exec: Execution, h: LogicalHistory, arch: Arch): number[] {
  return h.values.map((v, k) => (k === 0 ? genAt(exec, arch.pfn(v), 0) : genAt(exec, arch.pfn(v), h.ops[k - 1]!.end)));
}
