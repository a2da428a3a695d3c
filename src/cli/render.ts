import type { ExecutionWatch, Run, Target, Finding } from '../campaign';
import { runToHang } from '../campaign';
import type { CrashTimeoutVerdict } from '../crash';
import type { VerdictReportInput } from '../report';
import { renderDiagram, renderVerdictReport } from '../report';
import type { Reduction } from '../scenario';
import { HungExecution, WatchedExecutions } from './watched-call';

/** What the text and HTML reports draw one execution of a target from. */
export function reportInput(t: Target, run: Run): VerdictReportInput {
  return {
    exec: run.exec,
    built: t.built,
    arch: t.arch,
    judgement: run.judgement,
    readerName: t.reader.name,
    contract: t.contract.name,
  };
}

/** Diagram + reference history + observed vs allowed, for one execution of a target. */
export function runReport(t: Target, run: Run): string {
  const input = reportInput(t, run);
  return [...scenarioHead(t), '', renderVerdictReport(input)].join('\n');
}

/**
 * The first lines of every report on a target: its scenario's name and title, model and source.
 * The title and source are the named scenario's; when the minimizer reduced the program, the title
 * line says so first (`NAME (reduced: 2 CPUs dropped): TITLE` — the title may describe CPUs that are
 * no longer there) and a third line lists what was dropped (reducedLine).
 */
export function scenarioHead(t: Target): string[] {
  const s = t.scenario;
  const r = s.reduced;
  return [
    r === undefined ? `${s.name}: ${s.title}` : `${s.name} (reduced: ${droppedCount(r)} dropped): ${s.title}`,
    `model ${t.model}; source: ${s.source === '' ? '(none: the scenario has no source line)' : s.source}`,
    ...(r === undefined ? [] : [reducedLine(s.name, r)]),
  ];
}

/** A count and its noun, singular for 1: `1 entry`, `2 entries`, `0 CPUs` (`many`: the plural, default `one` + s). */
export function counted(k: number, one: string, many = `${one}s`): string {
  return `${k} ${k === 1 ? one : many}`;
}

/** "2 CPUs", "1 operation", "1 CPU and 2 operations" */
function droppedCount(r: Reduction): string {
  const cpus = r.dropped.filter(isDroppedCpu).length;
  const ops = r.dropped.length - cpus;
  return [...(cpus > 0 ? [counted(cpus, 'CPU')] : []), ...(ops > 0 ? [counted(ops, 'operation')] : [])].join(' and ');
}

/** How a minimizer's dropped line names a CPU (program.ts cpuText): `cpu C`, `cpu C "label"`. */
const CPU_TEXT = String.raw`cpu [^\s"]+(?: "(?:[^"\\]|\\.)*")?`;
const DROPPED_CPU = new RegExp(`^${CPU_TEXT}$`);
/** A stored line of one dropped operation: `cpu C "label": op(…)` (the CPU, then the call). */
const DROPPED_CALL = new RegExp(`^(${CPU_TEXT}): (.+)$`);
/** A dropped line naming a whole CPU (`cpu D "fault"`), not one operation of it (`cpu C "…": op(…)`). */
const isDroppedCpu = (line: string): boolean => DROPPED_CPU.test(line);

/**
 * A new divergence's report as a campaign prints it (divergence-lines.ts): its warning, said whatever `--diagrams`
 * asks, and its diagram, printed as `--diagrams` says.
 */
export interface DivergenceReport {
  /** the reader did not replay the divergence (unreplayedWarning), or why it has no diagram */
  readonly warning?: string;
  /** runReport: scenario, diagram, reference history, observed and allowed values */
  readonly diagram?: string;
}

/** The report of a finding, its warning apart (a campaign prints the warning of a divergence it draws no diagram of). */
export function divergenceReport(f: Pick<Finding, 'target' | 'exec' | 'judgement' | 'unreplayed'>): DivergenceReport {
  return {
    ...(f.unreplayed ? { warning: unreplayedWarning(f.target) } : {}),
    diagram: runReport(f.target, { exec: f.exec, judgement: f.judgement }),
  };
}

/** A finding's report in full: its warning above its diagram. */
export function findingReport(f: Pick<Finding, 'target' | 'exec' | 'judgement' | 'unreplayed'>): string {
  const r = divergenceReport(f);
  return [r.warning, r.diagram].filter((l) => l !== undefined).join('\n');
}

/** Said above the report of a divergence its reader did not replay for the minimizer (settleWitness). */
export function unreplayedWarning(t: Target): string {
  return (
    `WARNING: ${t.reader.name} did not replay this divergence: the same schedule, executed again to minimize it, ` +
    `did not diverge as it did (a reader that keeps state between calls?); kept as executed, unminimized — ` +
    `its replay may not reproduce it`
  );
}

/** One line saying a scenario was reduced by the minimizer, and what it dropped. */
export function reducedLine(name: string, r: Reduction): string {
  return `reduced by the minimizer from ${r.source === 'builtin' ? 'built-in' : 'scenario file'} ${name} (the title above is the full scenario's): ${droppedText(r.dropped)}`;
}

/**
 * What the minimizer dropped, a whole CPU told apart from operations of it:
 * `dropped cpu B "MADV_DONTNEED"; dropped from cpu C "fault, MADV_DONTNEED": do_anonymous_page_pae(…)`
 * (the stored lines, `cpu C "…": op(…)`, read as if CPU C itself was dropped). Operations of one CPU that follow
 * each other in the list (it is sorted) share one `dropped from cpu C "…": op1(…), op2(…)`.
 */
export function droppedText(dropped: readonly string[]): string {
  const groups: { readonly cpu: string; readonly calls: string[] }[] = [];
  for (const d of dropped) {
    const m = isDroppedCpu(d) ? null : DROPPED_CALL.exec(d);
    const last = groups[groups.length - 1];
    if (m === null) groups.push({ cpu: d, calls: [] });
    else if (last?.calls.length && last.cpu === m[1]) last.calls.push(m[2]!);
    else groups.push({ cpu: m[1]!, calls: [m[2]!] });
  }
  return groups
    .map(({ cpu, calls }) =>
      calls.length > 0
        ? `dropped from ${cpu}: ${calls.join(', ')}`
        : `dropped ${isDroppedCpu(cpu) ? '' : 'from '}${cpu}`,
    )
    .join('; ');
}

/**
 * A timeout crash file: the execution up to the step that never returned (the
 * trace replayed to that step, whose instruction executes and whose code is
 * not resumed — it cannot hang), then what the watchdog recorded.
 */
export function hangReport(
  t: Target,
  v: CrashTimeoutVerdict,
  trace: readonly number[],
  /** the main thread's watch of the replay up to the hung step (src/cli/watched-call.ts) */
  watch?: ExecutionWatch,
): string {
  const head = scenarioHead(t).join('\n');
  const run = runToHang(t, { trace, step: v.step, cpu: v.cpu }, watch);
  const diagram =
    run === undefined
      ? '(no step: it hung while the CPU programs started)'
      : renderDiagram({
          exec: run.exec,
          built: t.built,
          arch: t.arch,
          readerName: t.reader.name,
          contract: t.contract.name,
          stepNumbers: true,
        });
  const cpu = v.cpu < 0 ? '' : ` on CPU ${v.cpu} (${t.built.cpus[v.cpu]?.name ?? '?'})`;
  return [
    head,
    '',
    diagram,
    '',
    `timeout: the execution did not return within ${v.seconds} s: it hung in step ${v.step}${cpu} — the CPU executed that step, then its code did not yield again`,
    `  ${v.detail}`,
    `  (the diagram shows steps 0..${v.step}, the last one's instruction executed and its code not run after it; a step that never returns is a loop without a yield in the reader's or an operation's code)`,
  ].join('\n');
}

/**
 * hangReport with its replay up to the hung step watched (watched-call.ts): a reader that hangs there too (one that
 * keeps state between calls) gets one line in place of the diagram instead of hanging the command.
 */
export function watchedHangReport(
  t: Target,
  v: CrashTimeoutVerdict,
  trace: readonly number[],
  seconds: number,
): string {
  try {
    return hangReport(t, v, trace, new WatchedExecutions(seconds));
  } catch (e) {
    if (!(e instanceof HungExecution)) throw e;
    return [
      ...scenarioHead(t),
      '',
      `(no diagram: the replay up to step ${v.step}, the step that never returned, did not return within ${seconds} s either: stopped)`,
      '',
      `timeout: the execution did not return within ${v.seconds} s: ${v.detail}`,
    ].join('\n');
  }
}

/**
 * Rows of cells as aligned text columns: each column as wide as its widest cell, two spaces between
 * columns, the columns in `right` (numbers) right-aligned; trailing blanks trimmed.
 */
export function alignColumns(rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}
