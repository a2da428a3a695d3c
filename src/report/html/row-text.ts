import type { Execution } from '../../machine';
import type { Arch } from '../../kernel';
import type { DiagramRow } from '../layout';
import type { TextContext } from '../event-text';
import { rowPieces } from '../diagram';
import { NEST_INDENT, wrap } from '../columns';
import { LANE_CHARS } from './geometry';

/** The wrapped text lines of one diagram row, as in the text diagram. */
export function rowLines(
  row: DiagramRow,
  exec: Execution,
  ctx: TextContext,
  arch: Arch,
  rejected: ReadonlySet<number>,
): string[] {
  return wrap(rowPieces(row, exec, ctx, arch, rejected), row.depth * NEST_INDENT, LANE_CHARS);
}
