import type { Execution, OpRecord } from '../machine';
import { countPreemptions } from '../machine';
import type { Arch } from '../kernel';
import { specDescribe } from '../kernel';
import type { Judged, Judgement, Verdict } from '../compare';
import { contractByName } from '../compare';
import type { LogicalHistory } from '../reference';
import type { BuiltScenario } from '../scenario';
import type { DiagramInput } from './diagram';
import { renderDiagram } from './diagram';
import { eventPieces } from './event-text';
import { readFrom, subjectLoads } from './reader-loads';
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
    const js = judgement.judged;
    const one = (i: number): string[] => ['', ...invocationLines(js[i]!, h, input)];
    out.push(
      ...foldRuns(
        js,
        (x, y) => sameInvocation(x, y, input),
        one,
        (a, b) => [...one(a), '', repeatedInvocationsLine(js.slice(a + 1, b))],
      ),
    );
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
  const label = built.subject.entries?.label;
  // a writer of one store is committed where it reached memory: said only when that is not where it finished
  const atomic =
    h.placed === undefined
      ? 'each writer atomic when it finishes'
      : 'each writer atomic when it finishes, or — one that made one store — where that store reached memory';
  const out = [
    label === undefined
      ? `reference history of ${h.subject} (${atomic}):`
      : `reference history of ${label.entry}, the entry read in block ${h.subject} (${label.view}; ${atomic}):`,
  ];
  out.push(`  v0  ${arch.format(h.values[0]!)}  initial`);
  const entries = h.ops.map((op, i) => {
    const spec: unknown = op.mark.spec;
    const what = h.describe?.get(i + 1) ?? specDescribe(spec) ?? op.mark.name;
    const text = `${arch.format(h.values[i + 1]!)}  ${what} by ${opName(op)} on ${cpuText(built, op.cpu)}`;
    const store = h.placed?.get(op.id);
    const where =
      store === undefined
        ? ''
        : store.kind === 'drain'
          ? ` (its store drained to memory before step ${store.step})`
          : ` (its store at step ${store.step})`;
    return { text, steps: op.done ? `${op.start}..${op.end}${where}` : undefined };
  });
  // a loop that writes the same value again and again (a livelock's retries): one line per run
  out.push(
    ...foldRuns(
      entries,
      (x, y) => x.steps !== undefined && y.steps !== undefined && x.text === y.text,
      (i) => [
        `  v${i + 1}  ${entries[i]!.text}, ${entries[i]!.steps === undefined ? 'did not finish' : `steps ${entries[i]!.steps}`}`,
      ],
      (a, b) => [
        `  v${a + 1}..v${b}  ${entries[a]!.text}, ${b - a} times: ${stepsList(entries.slice(a, b).map((x) => x.steps!))}`,
      ],
    ),
  );
  return out;
}

/** Runs of at least this many equal consecutive entries print as one line. */
const MIN_RUN = 3;

/**
 * The lines of `xs`: item i as `one(i)`, except that a maximal run [a, b) of at least MIN_RUN consecutive
 * items equal under `same` prints as `many(a, b)`.
 */
function foldRuns<T>(
  xs: readonly T[],
  same: (x: T, y: T) => boolean,
  one: (i: number) => string[],
  many: (a: number, b: number) => string[],
): string[] {
  const out: string[] = [];
  let a = 0;
  for (let i = 1; i <= xs.length; i++) {
    if (i < xs.length && same(xs[a]!, xs[i]!)) continue;
    if (i - a >= MIN_RUN) out.push(...many(a, i));
    else for (let k = a; k < i; k++) out.push(...one(k));
    a = i;
  }
  return out;
}

/** "steps 14..18, 33..37, …, 1230..1234": the first two and the last of a run's step ranges. */
function stepsList(ranges: readonly string[]): string {
  const shown = ranges.length <= 3 ? ranges : [ranges[0]!, ranges[1]!, '…', ranges[ranges.length - 1]!];
  return `steps ${shown.join(', ')}`;
}

function opName(op: OpRecord): string {
  return `${op.mark.name}()`;
}

/**
 * Whether the read raced a writer. Under tso/weak a read that overlapped no writer in time can still
 * return values a writer had already replaced (its window reaches back to them): say so, or a torn
 * read would sit under "did not race a writer".
 */
function racedText(j: Judged): string {
  if (j.raced) return 'raced a writer';
  if (j.window.hi > j.window.lo)
    return `overlapped no writer in time, but could still read ${rangeText(j.window.lo, j.window.hi - 1)}, which a writer had replaced (stores not yet visible to it)`;
  return 'did not race a writer';
}

function invocationLines(j: Judged, h: LogicalHistory, input: VerdictReportInput): string[] {
  const { op, window } = j;
  const { arch, built } = input;
  const retries = op.retries > 0 ? `, ${op.retries} ${op.retries === 1 ? 'retry' : 'retries'}` : '';
  const out = [
    `${op.mark.name} on ${cpuText(built, op.cpu)}, steps ${op.start}..${op.end}${retries}, ` + `${racedText(j)}:`,
  ];
  const loads = subjectLoads(input.exec, op, built.subject.locIds);
  const ctx = { locations: built.locations, subject: built.subject, arch };
  loads.forEach((ev, i) => {
    const k = readFrom(input.exec, ev, h).k;
    const from = k === undefined ? '' : `  (from v${k})`;
    out.push(`  ${i === 0 ? 'loads   ' : '        '}  step ${ev.step}: ${eventPieces(ev, ctx).join('')}${from}`);
  });
  if (op.result !== undefined) out.push(`  observed  ${valueWithFields(op.result, arch)}${j.accepted ? '' : '  ✗'}`);
  out.push(`  allowed   ${rangeText(window.lo, window.hi)}:`);
  const ks = Array.from({ length: window.hi - window.lo + 1 }, (_, i) => window.lo + i);
  out.push(
    ...foldRuns(
      ks,
      (x, y) => h.values[x] === h.values[y],
      (i) => [`    v${ks[i]!}  ${valueWithFields(h.values[ks[i]!]!, arch)}`],
      (a, b) => [
        `    v${ks[a]!}..v${ks[b - 1]!}  ${valueWithFields(h.values[ks[a]!]!, arch)}  (${b - a} times the same value)`,
      ],
    ),
  );
  return out;
}

/** Two judged invocations of one reader on one CPU that loaded the same values and were judged alike. */
function sameInvocation(x: Judged, y: Judged, input: VerdictReportInput): boolean {
  if (x.op.cpu !== y.op.cpu || x.op.mark.name !== y.op.mark.name || x.op.retries !== y.op.retries) return false;
  if (x.accepted !== y.accepted || x.raced !== y.raced || x.op.result !== y.op.result) return false;
  const ids = input.built.subject.locIds;
  const ctx = { locations: input.built.locations, subject: input.built.subject, arch: input.arch };
  const texts = (j: Judged): string =>
    subjectLoads(input.exec, j.op, ids)
      .map((ev) => eventPieces(ev, ctx).join(''))
      .join('\n');
  return texts(x) === texts(y);
}

/** The invocations after the first of a run of alike ones, in one line. */
function repeatedInvocationsLine(js: readonly Judged[]): string {
  const first = js[0]!;
  const verdict = first.accepted ? 'each accepted' : 'each rejected ✗';
  const raced = first.raced ? 'each raced a writer' : 'none raced a writer';
  const steps = stepsList(js.map((j) => `${j.op.start}..${j.op.end}`));
  return (
    `${first.op.mark.name} on CPU ${first.op.cpu} ${js.length} more times (${steps}): ` +
    `the same loads, the same values read and returned as above; ${raced}, ${verdict} (its window grows with the history)`
  );
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
    case 'agree': {
      const gave = j.discarded > 0 ? `; ${j.discarded} read in a GUP-fast that returned no page, not judged` : '';
      return j.raced > 0 || j.invocations === 0
        ? [`verdict   agree (${j.raced} of ${j.invocations} invocations raced a writer${gave})`]
        : [`verdict   agree, but vacuous here: no invocation raced a writer${gave}`];
    }
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
      return [falseDirtyText(v.observed, h.values, lo, hi, arch)];
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

/**
 * Why a dirty value is a false dirty: the values of the window it matches up
 * to access/dirty, and — when some value of the window was dirty — that those
 * map another page (no-false-dirty counts only the dirt of the page returned).
 */
export function falseDirtyText(
  observed: bigint,
  values: readonly bigint[],
  lo: number,
  hi: number,
  arch: Arch,
): string {
  const inWindow = values.flatMap((x, k) => (k >= lo && k <= hi ? [{ x, k }] : []));
  const o = arch.withoutAD(observed);
  const same = inWindow.filter(({ x }) => arch.withoutAD(x) === o).map(({ k }) => `v${k}`);
  const pfn = `pfn=0x${arch.pfn(observed).toString(16)}`;
  const head = `all fields but access/dirty match ${same.join(', ')} (window ${rangeText(lo, hi)}), but it is dirty and no value of its page (${pfn}) in the window was`;
  const others = inWindow.filter(({ x }) => arch.dirty(x) && arch.pfn(x) !== arch.pfn(observed));
  if (others.length === 0) return head;
  const pages = [...new Set(others.map(({ x }) => `0x${arch.pfn(x).toString(16)}`))].join(', ');
  const ks = others.map(({ k }) => `v${k}`).join(', ');
  return `${head}; ${ks} ${others.length === 1 ? 'was' : 'were'} dirty but map${others.length === 1 ? 's' : ''} another page (pfn=${pages}): that dirt is not this page's`;
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
