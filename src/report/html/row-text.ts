import type { Execution } from '../../machine';
import type { Arch } from '../../kernel';
import type { DiagramRow } from '../layout';
import type { TextContext } from '../event-text';
import { eventPieces } from '../event-text';
import { closePieces, leafPieces, openPieces, unfinishedPieces } from '../op-text';
import { wrap } from '../columns';
import { INDENT, LANE_CHARS } from './geometry';

/** The wrapped text lines of one diagram row, as in the text diagram. */
export function rowLines(
  row: DiagramRow,
  exec: Execution,
  ctx: TextContext,
  arch: Arch,
  rejected: ReadonlySet<number>,
): string[] {
  return wrap(rowPieces(row, exec, ctx, arch, rejected), row.depth * INDENT, LANE_CHARS);
}

function rowPieces(
  row: DiagramRow,
  exec: Execution,
  ctx: TextContext,
  arch: Arch,
  rejected: ReadonlySet<number>,
): string[] {
  if (row.kind === 'event') return eventPieces(exec.events[row.event]!, ctx);
  const op = exec.ops[row.op]!;
  switch (row.kind) {
    case 'open':
      return openPieces(op);
    case 'close':
      return closePieces(op, arch, rejected.has(op.id));
    case 'leaf':
      return leafPieces(op, arch, rejected.has(op.id));
    case 'unfinished':
      return unfinishedPieces(op);
  }
}
