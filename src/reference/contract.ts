import type { Execution } from '../machine';
import type { PteSubject } from '../kernel';
import { x86Pae } from '../kernel';
import type { StoreSpan } from './history';
import type { UnserialisedWriters } from './serial';
import { unserialisedWriters } from './serial';
import type { UnbrokenChange } from './bbm';
import { unbrokenChange } from './bbm';
import type { MisprogrammedBlock } from './contiguous';
import { misprogrammedBlock } from './contiguous';
import type { StaleDecision } from './decided';
import { staleDecision } from './decided';
import type { SetPteOverPresent } from './pae-set';
import { setPteOverPresent } from './pae-set';

/**
 * Why the reference cannot judge an execution: it is outside the contract the reference is written for. The
 * reference makes each writer operation atomic where it commits (history.ts), from its documented effect, so it needs the
 * writers of one pte serialised (serial.ts), and — on arm64 — every store they make one the architecture allows:
 * no valid descriptor changed into another translation without break-before-make (bbm.ts), no contpte block left
 * misprogrammed (contiguous.ts); on x86 PAE, no `set_pte` over a present pte (pae-set.ts); and a writer must not
 * have decided on a value another CPU's writer replaced before it committed (decided.ts).
 */
export type Breach = UnserialisedWriters | UnbrokenChange | MisprogrammedBlock | SetPteOverPresent | StaleDecision;

/** The first breach of the reference's contract on `subject` in one execution, or undefined. */
export function contractBreach(
  exec: Execution,
  subject: PteSubject,
  /** outermostWriters(exec, subject.name), when the caller has it already */
  outermost?: ReadonlyMap<number, number>,
  /** storeSpans(exec, subject.locIds, outermost), when the caller has them already */
  spans?: ReadonlyMap<number, StoreSpan>,
): Breach | undefined {
  return (
    unserialisedWriters(exec, subject.name, subject.locIds, outermost, spans) ??
    unbrokenChange(exec, subject, outermost) ??
    misprogrammedBlock(exec, subject, outermost) ??
    setPteOverPresent(exec, subject) ??
    staleDecision(exec, subject, outermost, spans)
  );
}

/**
 * Thrown by the comparator for an execution outside the reference's contract: no verdict. A campaign turns it
 * into a one-line user error naming its scenario (campaign/target.ts OutsideReferenceContract).
 */
export class OutsideContract extends Error {
  constructor(readonly breach: Breach) {
    super(OutsideContract.describe(breach));
  }

  private static describe(b: Breach): string {
    if (b.kind === 'unserialised') {
      const { first: a, second: c } = b;
      return (
        `the writers of ${b.subject} on CPU ${a.cpu} (${a.mark.name}) and CPU ${c.cpu} (${c.mark.name}) were not ` +
        `serialised`
      );
    }
    if (b.kind === 'decided') {
      const { writer: w, racer: r } = b;
      return (
        `the writer of ${b.subject} on CPU ${w.cpu} (${w.mark.name}) read location ${b.loc} at step ${b.read.step}, ` +
        `which CPU ${r.cpu} (${r.mark.name}) then stored to before it committed`
      );
    }
    if (b.kind === 'set-present') {
      return (
        `CPU ${b.op.cpu} (set_pte) stored over a present pte of ${b.subject} (${x86Pae.format(b.prev)}), leaving ` +
        `${x86Pae.format(b.mixed)}`
      );
    }
    if (b.kind === 'cont') {
      return `CPU ${b.event.cpu} (${b.op?.mark.name ?? b.event.name}) left the contpte block ${b.subject} misprogrammed (${b.fault})`;
    }
    return (
      `CPU ${b.event.cpu} (${b.op?.mark.name ?? b.event.name}) changed the ${b.parts.join(' and ')} of a valid ` +
      `descriptor of ${b.subject} without break-before-make`
    );
  }
}
