import type { Execution } from '../machine';
import type { Arch } from '../kernel';
import { isLoopSpec } from '../kernel';
import type { LogicalHistory } from '../reference';
import type { Verdict } from './verdict';

/**
 * DESIGN §6 `livelock`: the execution hit the retry bound in a loop that
 * declares a LoopSpec (a per-descriptor walker re-faulting), while the
 * reference says the loop must terminate — the reference's last value of the
 * entry it waits on satisfies its condition and no writer on the subject is
 * still running. Any other bound hit stays a plain bound-hit.
 * `observed` is the entry's value in memory, `allowed` the reference's.
 */
export function livelockVerdict(
  exec: Execution,
  subject: string,
  history: LogicalHistory,
  arch: Arch,
): Extract<Verdict, { kind: 'divergence' }> | undefined {
  const o = exec.outcome;
  if (o.kind !== 'bound-hit' || o.bound !== 'retries') return undefined;
  const op = exec.ops[o.op];
  const spec: unknown = op?.mark.spec;
  if (op === undefined || !isLoopSpec(spec) || op.mark.subject !== subject) return undefined;
  if (exec.ops.some((w) => w.mark.role === 'writer' && w.mark.subject === subject && !w.done)) return undefined;
  const k = history.values.length - 1;
  const i = history.model?.locIds.indexOf(spec.locId) ?? -1;
  const ref = history.states && i >= 0 ? history.states[k]![i]! : history.values[k]!;
  if (!spec.done(ref)) return undefined;
  const mem = exec.final[spec.locId] ?? 0n;
  return {
    kind: 'divergence',
    class: 'livelock',
    contract: 'termination',
    observed: mem,
    allowed: [ref],
    op: op.id,
    detail:
      `${spec.describe} retried ${op.retries} times on CPU ${op.cpu}: the entry is ${arch.format(mem)} in memory, ` +
      `but the reference (v${k}, no writer running) has ${arch.format(ref)}, which lets it through`,
  };
}
