import type { Execution, OpRecord } from '../machine';
import { countPreemptions } from '../machine';
import type { Arch } from '../kernel';
import { specDescribe } from '../kernel';
import type { Judged, Judgement, Verdict } from '../compare';
import { contractByName } from '../compare';
import type { LogicalHistory } from '../reference';
import { indexOfTag } from '../reference';
import type { BuiltScenario } from '../scenario';
import type { DiagramInput } from './diagram';
import { renderDiagram } from './diagram';
import { eventPieces } from './event-text';
import { subjectLoads } from './reader-loads';
import { rangeText, tearUnitNames, valueWithFields } from './value-text';

/** A verdict report needs the judgement of the execution it draws. */
export interface VerdictReportInput extends DiagramInput {
  readonly judgement: Judgement;
}

/**
 * The CPU-column diagram followed by what the comparator decided: the
 * reference history of the subject (v0 → v1 → … with the writer operation
 * that produced each and its CPU), each judged reader invocation (its loads
 * and which logical value each read, the observed value and the allowed
 * window, decoded into fields), the contract and the verdict. For a torn
 * value it says which logical values each separately written part matches.
 */
export function renderVerdictReport(input: VerdictReportInput): string {
  // the summary cites step numbers, so the diagram shows them unless told not to
  const diagram = renderDiagram({ ...input, stepNumbers: input.stepNumbers ?? true });
  return [diagram, renderVerdictSummary(input)].join('\n\n');
}

/** The part of the report below the diagram. */
export function renderVerdictSummary(input: VerdictReportInput): string {
  const { exec, built, arch, judgement } = input;
  const out: string[] = [executionLine(exec)];
  const h = judgement.history;
  if (h === undefined) {
    out.push(`no invocation of ${input.readerName ?? 'the reader'} on ${built.subject.name}`);
  } else {
    out.push('', ...historyLines(h, built, arch));
    for (const j of judgement.judged) out.push('', ...invocationLines(j, h, input));
  }
  out.push('', ...contractLines(judgement.verdict, input.contract));
  out.push(...verdictLines(judgement, arch));
  return out.join('\n');
}

function executionLine(exec: Execution): string {
  const outcome = exec.outcome.kind === 'complete' ? 'complete' : `bound hit (${exec.outcome.bound})`;
  const pre = countPreemptions(exec.choices);
  // choices past the end of a trace default to 0, so trailing zeros replay the same
  const trace = [...exec.trace];
  while (trace.length > 0 && trace[trace.length - 1] === 0) trace.pop();
  const plural = pre === 1 ? '' : 's';
  return `execution: ${outcome}, ${exec.steps} steps, ${pre} preemption${plural}, trace [${trace.join(',')}]`;
}

function cpuText(built: BuiltScenario, cpu: number): string {
  return `CPU ${cpu} (${built.cpus[cpu]?.name ?? '?'})`;
}

function historyLines(h: LogicalHistory, built: BuiltScenario, arch: Arch): string[] {
  const out = [`reference history of ${h.subject} (each writer atomic when it finishes):`];
  out.push(`  v0  ${arch.format(h.values[0]!)}  initial`);
  h.ops.forEach((op, i) => {
    const spec: unknown = op.mark.spec;
    const what = h.describe?.get(i + 1) ?? specDescribe(spec) ?? op.mark.name;
    const when = op.done ? `steps ${op.start}..${op.end}` : 'did not finish';
    out.push(
      `  v${i + 1}  ${arch.format(h.values[i + 1]!)}  ${what} by ${opName(op)} on ${cpuText(built, op.cpu)}, ${when}`,
    );
  });
  return out;
}

function opName(op: OpRecord): string {
  return `${op.mark.name}()`;
}

function invocationLines(j: Judged, h: LogicalHistory, input: VerdictReportInput): string[] {
  const { op, window } = j;
  const { arch, built } = input;
  const retries = op.retries > 0 ? `, ${op.retries} ${op.retries === 1 ? 'retry' : 'retries'}` : '';
  const out = [
    `${op.mark.name} on ${cpuText(built, op.cpu)}, steps ${op.start}..${op.end}${retries}, ` +
      `${j.raced ? 'raced a writer' : 'did not race a writer'}:`,
  ];
  const loads = subjectLoads(input.exec, op, built.subject.locIds);
  const ctx = { locations: built.locations, subject: built.subject, arch };
  loads.forEach((ev, i) => {
    const k = ev.tag === undefined ? undefined : indexOfTag(h, ev.tag);
    const from = k === undefined ? '' : `  (from v${k})`;
    out.push(`  ${i === 0 ? 'loads   ' : '        '}  step ${ev.step}: ${eventPieces(ev, ctx).join('')}${from}`);
  });
  if (op.result !== undefined) out.push(`  observed  ${valueWithFields(op.result, arch)}${j.accepted ? '' : '  ✗'}`);
  out.push(`  allowed   ${rangeText(window.lo, window.hi)}:`);
  for (let k = window.lo; k <= window.hi; k++) out.push(`    v${k}  ${valueWithFields(h.values[k]!, arch)}`);
  return out;
}

function contractLines(verdict: Verdict, requested: string | undefined): string[] {
  const name = verdict.kind === 'divergence' ? verdict.contract : requested;
  if (name === undefined) return [];
  const c = contractByName(name);
  return [`contract  ${name}${c ? `: ${c.summary}` : ''}`];
}

function verdictLines(j: Judgement, arch: Arch): string[] {
  const v = j.verdict;
  switch (v.kind) {
    case 'agree':
      return j.raced > 0 || j.invocations === 0
        ? [`verdict   agree (${j.raced} of ${j.invocations} invocations raced a writer)`]
        : ['verdict   agree, but vacuous here: no invocation raced a writer'];
    case 'bound-hit':
      return [`verdict   bound-hit (${v.bound}): neither a pass nor a divergence`];
    case 'divergence':
      return [`verdict   divergence: ${v.class}`, ...explainClass(v, j, arch).map((l) => `          ${l}`)];
  }
}

function explainClass(v: Extract<Verdict, { kind: 'divergence' }>, j: Judgement, arch: Arch): string[] {
  // consumer invariants say what went wrong themselves (their op is not a judged reader)
  if (v.detail !== undefined) return [v.detail];
  const h = j.history;
  const judged = j.judged.find((x) => x.op.id === v.op);
  if (h === undefined || judged === undefined) return [];
  const { lo, hi } = judged.window;
  const held = h.values.flatMap((x, k) => (x === v.observed ? [`v${k}`] : []));
  switch (v.class) {
    case 'torn':
      return [tornText(v.observed, h.values, arch)];
    case 'stale':
      return [`the pte held this value as ${held.join(', ')}, before the window ${rangeText(lo, hi)}`];
    case 'phantom':
      return held.length > 0
        ? [`the pte held this value only as ${held.join(', ')}, outside the window ${rangeText(lo, hi)}`]
        : ['the pte never held this value, and its parts do not all come from values it held'];
    case 'false-dirty':
      return [`all fields but access/dirty match ${rangeText(lo, hi)}, but it is dirty and no value there was`];
    case 'false-clean':
      return [
        `all fields but access/dirty match ${rangeText(lo, hi)}, but it is clean and every value there was dirty`,
      ];
    case 'ad-mixed':
      return [`all fields but access/dirty match ${rangeText(lo, hi)}; access/dirty combine different values`];
    case 'lost-dirty':
    case 'wrong-page':
    case 'use-after-free':
    case 'livelock':
      return v.detail === undefined ? [] : [v.detail];
  }
}

/** "high half from v2, low half from v0, v4": every logical value each part matches, high part first. */
export function tornText(observed: bigint, values: readonly bigint[], arch: Arch): string {
  const names = tearUnitNames(arch);
  const parts = arch.tearUnits.map((u, i) => {
    const ks = values.flatMap((x, k) => ((x & u) === (observed & u) ? [`v${k}`] : []));
    return { mask: u, text: `${names[i]!} from ${ks.length > 0 ? ks.join(', ') : 'no logical value'}` };
  });
  parts.sort((a, b) => (a.mask > b.mask ? -1 : a.mask < b.mask ? 1 : 0));
  return parts.map((p) => p.text).join('; ');
}
