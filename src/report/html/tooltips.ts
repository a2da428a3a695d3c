import type { Event } from '../../machine';
import type { Arch } from '../../kernel';
import type { LogicalHistory } from '../../reference';
import type { BuiltScenario } from '../../scenario';
import type { TextContext } from '../event-text';
import { eventPieces } from '../event-text';
import { valueWithFields } from '../value-text';
import type { ReadFrom } from '../reader-loads';

/** "v2 = {…}  present pfn=… — set by set_pte() on CPU 2 (C: …)" */
export function referenceText(k: number | undefined, h: LogicalHistory | undefined, built: BuiltScenario, arch: Arch) {
  if (k === undefined || h === undefined) return 'a message outside the reference history';
  const value = `v${k} = ${valueWithFields(h.values[k]!, arch)}`;
  if (k === 0) return `${value}\n(the initial value)`;
  const op = h.ops[k - 1]!;
  return `${value}\n(written by ${op.mark.name}() on CPU ${op.cpu} (${built.cpus[op.cpu]?.name ?? '?'}))`;
}

/** The tooltip of a reader's load: what it read and the reference value it belongs to. */
export function loadTooltip(
  ev: Event,
  rf: ReadFrom,
  exec: { readonly events: readonly Event[] },
  h: LogicalHistory | undefined,
  ctx: TextContext,
  built: BuiltScenario,
): string {
  const from = typeof rf.from === 'number' ? `, made visible at step ${exec.events[rf.from]!.step}` : '';
  return (
    `step ${ev.step}: ${eventPieces(ev, ctx).join('')}\n` + `reads ${referenceText(rf.k, h, built, ctx.arch)}${from}`
  );
}

/** The tooltip of an arrow. */
export function arrowTooltip(ev: Event, rf: ReadFrom, exec: { readonly events: readonly Event[] }): string {
  const k = rf.k === undefined ? '?' : `v${rf.k}`;
  if (typeof rf.from !== 'number') return `step ${ev.step} reads the initial value (${k})`;
  const src = exec.events[rf.from]!;
  const what = src.kind === 'drain' ? 'drained' : 'written';
  return `step ${ev.step} reads ${k}, ${what} at step ${src.step} on CPU ${src.cpu}`;
}
