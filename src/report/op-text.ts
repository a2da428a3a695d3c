import type { OpRecord } from '../machine';
import type { Arch } from '../kernel';

/**
 * `name(` + `args) {`: the arguments are the mark's `args`, else its subject.
 * The `{` stays with the last argument: a wrapped call never leaves it alone
 * on a line.
 */
export function openPieces(op: OpRecord): string[] {
  const args = op.mark.args ?? op.mark.subject ?? '';
  return args === '' ? [`${op.mark.name}() {`] : [`${op.mark.name}(`, `${args}) {`];
}

/**
 * `}`; a reader adds `= value`, its retries, and ` ✗` when the comparator
 * rejected the value (`rejected`).
 */
export function closePieces(op: OpRecord, arch: Arch, rejected: boolean): string[] {
  const pieces = ['}'];
  if (op.mark.role === 'reader' && op.result !== undefined) pieces.push(` = ${arch.format(op.result)}`);
  if (op.retries > 0) pieces.push(` (${op.retries} ${op.retries === 1 ? 'retry' : 'retries'})`);
  if (rejected) pieces.push(' ✗');
  return pieces;
}

/** An operation that took no step, on one row: `name(args) {}` and what closePieces adds. */
export function leafPieces(op: OpRecord, arch: Arch, rejected: boolean): string[] {
  const open = openPieces(op);
  const [, ...after] = closePieces(op, arch, rejected);
  return [...open.slice(0, -1), `${open.at(-1)!}}`, ...after];
}

export function unfinishedPieces(op: OpRecord): string[] {
  return [`… ${op.mark.name}`, ' did not finish'];
}
