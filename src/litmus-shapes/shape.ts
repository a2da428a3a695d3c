import type { Execution, Location, MachineSpec, Program } from '../machine';
import { LocationTable } from '../machine';

/** What a litmus CPU program returns: its registers r0, r1, … in order. */
export type Registers = readonly bigint[];

/** A litmus CPU program over named locations (all 32-bit, initially 0). */
export type LitmusProgram<L extends string> = (loc: Readonly<Record<L, Location>>) => Program<Registers>;

/**
 * A litmus shape: data (locations, which final values matter, the herd7
 * `exists` clause) plus one program per CPU in the kernel vocabulary.
 *
 * An outcome is written like a line of herd7's `States` block:
 * `0:r0=1; 1:r0=0; x=2` — registers per CPU in order, then the final
 * (coherence-latest) value of each location in `finals`.
 */
export interface LitmusShape {
  /** herd7-style name, e.g. "MP+wmb+rmb" */
  readonly name: string;
  /** one line: what the shape asks */
  readonly doc: string;
  /** the herd7 `exists` clause, as an outcome string (every register and final of the shape) */
  readonly interesting: string;
  /** a fresh machine spec (locations + one program per CPU) */
  build(): MachineSpec;
  /** the outcome string of one execution */
  outcome(exec: Execution): string;
}

export interface LitmusDefinition<L extends string> {
  readonly name: string;
  readonly doc: string;
  readonly locations: readonly L[];
  readonly cpus: readonly LitmusProgram<L>[];
  /** locations whose final value is part of the outcome (2+2W, R, S, Co*) */
  readonly finals?: readonly L[];
  readonly interesting: string;
}

/** Formats an execution's outcome; an execution stopped by a bound says so. */
export function formatOutcome(exec: Execution, finals: readonly Location[]): string {
  if (exec.outcome.kind !== 'complete') return `bound-hit(${exec.outcome.bound})`;
  const parts: string[] = [];
  exec.results.forEach((regs, cpu) => {
    if (!Array.isArray(regs)) return;
    regs.forEach((v: unknown, r) => parts.push(`${cpu}:r${r}=${String(v)}`));
  });
  for (const loc of finals) parts.push(`${loc.name}=${exec.final[loc.id]!}`);
  return parts.join('; ');
}

/** Builds a LitmusShape from its definition. */
export function litmus<const L extends string>(def: LitmusDefinition<L>): LitmusShape {
  const table = (): { table: LocationTable; byName: Record<L, Location> } => {
    const t = new LocationTable();
    const byName = {} as Record<L, Location>;
    for (const name of def.locations) byName[name] = t.add(name, 32, 0n);
    return { table: t, byName };
  };
  const { byName } = table();
  const finals = (def.finals ?? []).map((n) => byName[n]);
  return {
    name: def.name,
    doc: def.doc,
    interesting: def.interesting,
    build(): MachineSpec {
      const { table: locations, byName: locs } = table();
      return {
        locations,
        cpus: def.cpus.map((program, i) => ({ name: `P${i}`, program: () => program(locs) })),
      };
    },
    outcome: (exec) => formatOutcome(exec, finals),
  };
}
