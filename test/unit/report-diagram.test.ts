import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayCrash } from '../../src/campaign';
import { loadCrash } from '../../src/crash';
import type { Event, Execution, Program } from '../../src/machine';
import { begin, end, execute, LocationTable, READ_ONCE, TraceSource } from '../../src/machine';
import { builtinReaders, paeValue, x86Pae } from '../../src/kernel';
import type { BuiltScenario } from '../../src/scenario';
import { builtinScenario } from '../../src/scenario';
import type { Judgement } from '../../src/compare';
import { contractByName, judge } from '../../src/compare';
import { DEFAULT_COLUMN_WIDTH, layoutRows, renderDiagram, renderVerdictReport, truncate, wrap } from '../../src/report';

interface Run {
  readonly exec: Execution;
  readonly built: BuiltScenario;
  readonly j: Judgement;
}

function run(scenario: string, readerName: string, model: 'sc' | 'tso' | 'weak', trace: readonly number[]): Run {
  const reader = builtinReaders().get(readerName)!;
  const built = builtinScenario(scenario)!.build(reader, x86Pae);
  const exec = execute({ locations: built.locations, cpus: built.cpus }, model, new TraceSource(trace));
  const j = judge(exec, reader.name, built.subject, contractByName('non-torn')!, x86Pae);
  return { exec, built, j };
}

/** A deterministic LCG: the search below must find the same witness every time. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s >> 16;
  };
}

/** Jann Horn's S1 outcome: high half of C's pte, low half shared by the initial pte and D's. */
const S1_TORN = paeValue(0x10002n, 0x10067n);

function findS1Witness(): Run {
  const next = lcg(1);
  for (let i = 0; i < 20000; i++) {
    const trace = Array.from({ length: 20 }, () => next() % 2);
    const r = run('s1-pae-double-refault', 'ptep_get_lockless', 'tso', trace);
    if (r.j.verdict.kind === 'divergence' && r.j.verdict.observed === S1_TORN) return r;
  }
  throw new Error('no S1 witness found: did the S1 scenario or ptep_get_lockless change?');
}

const W = DEFAULT_COLUMN_WIDTH;
const witness = findS1Witness();
const input = { exec: witness.exec, built: witness.built, arch: x86Pae, judgement: witness.j };

/** The column a diagram line's text sits in, and the text; asserts it sits in exactly one. */
function cellOf(line: string, ncpu: number, offset = 0): { col: number; text: string } {
  const body = line.slice(offset);
  const cols: number[] = [];
  for (let c = 0; c < ncpu; c++) if (body.slice(c * W, (c + 1) * W).trim() !== '') cols.push(c);
  expect(cols, `line ${JSON.stringify(line)}`).toHaveLength(1);
  const col = cols[0]!;
  const cell = body.slice(col * W, (col + 1) * W);
  // never runs into the gap before the next column
  expect(cell.length <= W - 2 || cell.slice(W - 2).trim() === '', `line ${JSON.stringify(line)}`).toBe(true);
  return { col, text: cell.trim() };
}

/** What a row of an event must start with, written from the instruction vocabulary. */
function expectedPrefix(ev: Event, r: Run): string {
  const loc = (i: number): string => r.built.locations.locs[ev.locs[i]!]!.name;
  const hex8 = (v: bigint | undefined): string => '0x' + (v ?? 0n).toString(16).padStart(8, '0');
  switch (ev.kind) {
    case 'drain':
      return `drain ${loc(0)} = ${hex8(ev.wrote)}`;
    case 'load':
      // a load the C source assigns to a variable is named by it (the value wraps onto the next line)
      return ev.dest === undefined ? `${ev.name}(${loc(0)}) = ${hex8(ev.read)}` : `${ev.dest} = ${ev.name}(${loc(0)})`;
    case 'store':
      return `${ev.name}(${loc(0)},`;
    case 'rmw':
      return `${ev.name}(pte`;
    case 'lock':
    case 'unlock':
      return `${ev.name}(${loc(0)})`;
    default:
      return `${ev.name}()`;
  }
}

/** Op rows: `name(args) {` (maybe wrapped after `(`) and `}…`; continuations hold values. */
const isOpRow = (t: string): boolean => t.endsWith(' {') || t.endsWith('(') || t.startsWith('}');
const isContinuation = (t: string): boolean => /^(0x|\{|= |→ )/.test(t);

describe('renderDiagram on the S1 torn witness (tso)', () => {
  const text = renderDiagram(input);
  const lines = text.split('\n');
  const ncpu = witness.built.cpus.length;

  it('has a header with one column per CPU, named as in the scenario, and a dashed underline', () => {
    expect(ncpu).toBe(4);
    const header = lines[0]!;
    const dashes = lines[1]!;
    witness.built.cpus.forEach((cpu, c) => {
      expect(header.slice(c * W, (c + 1) * W).trim()).toBe(cpu.name);
      expect(dashes.slice(c * W, (c + 1) * W).trim()).toMatch(/^-+$/);
    });
    expect(header.length).toBeLessThanOrEqual(ncpu * W);
  });

  it('shows every event, in order, on its own row in its CPU column', () => {
    const events = witness.exec.events;
    expect(events.some((e) => e.kind === 'drain')).toBe(true);
    let next = 0;
    for (const line of lines.slice(2)) {
      const { col, text: t } = cellOf(line, ncpu);
      if (isOpRow(t) || isContinuation(t)) continue;
      const ev = events[next];
      expect(ev, `extra row ${JSON.stringify(line)}`).toBeDefined();
      expect(col, `event ${next} ${ev!.name}`).toBe(ev!.cpu);
      expect(t.startsWith(expectedPrefix(ev!, witness)), `event ${next}: ${JSON.stringify(t)}`).toBe(true);
      next++;
    }
    expect(next).toBe(events.length);
  });

  it('nests operations: every open has a close in the same column, the reader closes with its value', () => {
    // a wrapped open is `name(` then `{args}) {`: count its first line only
    const opens = lines.filter((l) => / \{$|\($/.test(l) && !l.trim().startsWith('{')).length;
    const closes = lines.filter((l) => l.trim().startsWith('}')).length;
    expect(opens).toBe(witness.exec.ops.length);
    expect(closes).toBe(witness.exec.ops.length);
    const readerClose = lines.find((l) => l.startsWith('} = '));
    expect(readerClose).toBe(`} = ${x86Pae.format(S1_TORN)} ✗`);
    expect(lines).toContain('ptep_get_lockless(pte) {');
    // instructions sit two spaces inside their operation; the reader's loads are named by the
    // variables of its C source (pte.pte_low = ptep->pte_low; …; the recheck has none)
    const readerLoads = lines.filter((l) => /^ {2}(?:\S+ = )?load\(pte_/.test(l)).map((l) => l.trim());
    expect(readerLoads.map((l) => l.replace(/ = 0x[0-9a-f]{8}$/, ''))).toEqual([
      'pte.pte_low = load(pte_low)',
      'pte.pte_high = load(pte_high)',
      'load(pte_low)',
    ]);
  });

  it('numbers the steps in a gutter when asked, once per step', () => {
    const numbered = renderDiagram({ ...input, stepNumbers: true }).split('\n');
    const gutter = String(witness.exec.steps - 1).length + 2;
    const steps = numbered.slice(2).flatMap((l) => {
      const m = /^\s*(\d+) {2}/.exec(l.slice(0, gutter));
      return m ? [Number(m[1])] : [];
    });
    expect(steps).toEqual(Array.from({ length: witness.exec.steps }, (_, i) => i));
    for (const l of numbered.slice(2)) cellOf(l, ncpu, gutter);
  });

  it('is deterministic: same input, same string; same trace replayed, same string', () => {
    expect(renderDiagram(input)).toBe(text);
    const again = run('s1-pae-double-refault', 'ptep_get_lockless', 'tso', witness.exec.trace);
    expect(renderDiagram({ exec: again.exec, built: again.built, arch: x86Pae, judgement: again.j })).toBe(text);
    expect(renderVerdictReport(input)).toBe(renderVerdictReport({ ...input }));
  });

  it('keeps narrow columns fixed-width and cuts nothing: a value too long for its column goes on on the next line', () => {
    const narrow = renderDiagram({ ...input, width: 16 }).split('\n');
    for (const l of narrow) {
      const body = l.trimEnd();
      for (let c = 0; c * 16 < body.length; c++) {
        expect(body.slice(c * 16 + 14, c * 16 + 16).trim(), JSON.stringify(l)).toBe('');
      }
    }
    // the only … are the elided arguments of cmpxchg64(pte, …), as at full width
    const ellipses = (t: string): number => [...t].filter((ch) => ch === '…').length;
    expect(ellipses(narrow.join('\n'))).toBe(ellipses(text));
    // the reader's column (A), read top to bottom without blanks, holds its torn result whole
    const columnA = narrow
      .slice(2)
      .map((l) => l.slice(0, 16))
      .join('')
      .replace(/\s/g, '');
    expect(columnA).toContain('}={0x00010002:0x00010067}✗');
  });
});

describe('renderVerdictReport on the S1 torn witness', () => {
  const report = renderVerdictReport({ ...input, readerName: 'ptep_get_lockless', contract: 'non-torn' });
  const h = witness.j.history!;
  const vs = (pred: (v: bigint) => boolean): string =>
    h.values.flatMap((v, k) => (pred(v) ? [`v${k}`] : [])).join(', ');

  it('starts with the diagram', () => {
    expect(report.startsWith('reader ptep_get_lockless, contract non-torn\n')).toBe(true);
  });

  it('lists the reference history with each writer and its CPU', () => {
    expect(report).toContain(`  v0  ${x86Pae.format(h.values[0]!)}  initial`);
    h.ops.forEach((op, i) => {
      const line = report.split('\n').find((l) => l.startsWith(`  v${i + 1}  `));
      expect(line).toContain(`${op.mark.name}()`);
      expect(line).toContain(`CPU ${op.cpu} (${witness.built.cpus[op.cpu]!.name})`);
    });
  });

  it('names the torn halves and the logical values they came from', () => {
    const high = vs((v) => v >> 32n === S1_TORN >> 32n);
    const low = vs((v) => (v & 0xffff_ffffn) === (S1_TORN & 0xffff_ffffn));
    expect(high).toBe('v2');
    expect(low).toBe('v0, v4');
    expect(report).toContain('verdict   divergence: torn');
    expect(report).toContain(`high half from ${high}; low half from ${low}`);
  });

  it('decodes the observed and the allowed values, and states the contract', () => {
    expect(report).toContain(`observed  ${x86Pae.format(S1_TORN)}  present pfn=0x1000200010 rw user accessed dirty  ✗`);
    const w = witness.j.judged[0]!.window;
    expect(report).toContain(`allowed   v${w.lo}..v${w.hi}:`);
    for (let k = w.lo; k <= w.hi; k++) expect(report).toContain(`    v${k}  ${x86Pae.format(h.values[k]!)}`);
    expect(report).toMatch(/v1 {2}\{0x00000000:0x00000000\} {2}none/);
    expect(report).toContain('contract  non-torn: ');
  });

  it("says which logical value each of the reader's loads read", () => {
    expect(report).toMatch(/load\(pte_low\) = 0x00010067 {2}\(from v0\)/);
    expect(report).toMatch(/load\(pte_high\) = 0x00010002 {2}\(from v2\)/);
    expect(report).toMatch(/load\(pte_low\) = 0x00010067 {2}\(from v4\)/);
  });
});

describe('other executions', () => {
  it('reports agreement of the atomic control reader', () => {
    const r = run('s2-pae-zap-reestablish', 'ptep_get_atomic64', 'tso', [1, 0, 1, 1, 0, 1]);
    const report = renderVerdictReport({
      exec: r.exec,
      built: r.built,
      arch: x86Pae,
      judgement: r.j,
      contract: 'non-torn',
    });
    expect(report).toMatch(/verdict {3}agree/);
    expect(report).toContain('atomic64_read(pte) = {');
  });

  it('marks a stale read-from under weak memory', () => {
    const next = lcg(7);
    let found: { r: Run; ev: Event } | undefined;
    for (let i = 0; i < 5000 && found === undefined; i++) {
      const trace = Array.from({ length: 24 }, () => next() % 3);
      const r = run('s2-pae-zap-reestablish-nowmb', 'ptep_get_lockless', 'weak', trace);
      const ev = r.exec.events.find((e) => e.rank !== undefined && e.rank > 0);
      if (ev) found = { r, ev };
    }
    expect(found).toBeDefined();
    const { r, ev } = found!;
    const text = renderDiagram({ exec: r.exec, built: r.built, arch: x86Pae });
    expect(text).toContain(`(stale by ${ev.rank} ${ev.rank === 1 ? 'store' : 'stores'})`);
  });

  it('shows operations cut off by a bound as unfinished', () => {
    const reader = builtinReaders().get('ptep_get_lockless')!;
    const built = builtinScenario('s1-pae-double-refault')!.build(reader, x86Pae);
    const exec = execute({ locations: built.locations, cpus: built.cpus }, 'tso', new TraceSource([]), {
      steps: 5,
      retries: 64,
    });
    expect(exec.outcome.kind).toBe('bound-hit');
    const rows = layoutRows(exec);
    expect(rows.filter((r) => r.kind === 'unfinished').length).toBeGreaterThan(0);
    expect(renderDiagram({ exec, built, arch: x86Pae })).toContain('did not finish');
  });
});

describe('columns', () => {
  it('truncates with …', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });

  it('wraps between pieces, indenting continuations, and never exceeds the room', () => {
    expect(wrap(['READ_ONCE(pte_low)', ' = 0x1'], 2, 40)).toEqual(['  READ_ONCE(pte_low) = 0x1']);
    expect(wrap(['READ_ONCE(pte_low)', ' = 0x1'], 2, 20)).toEqual(['  READ_ONCE(pte_low)', '      = 0x1']);
    for (const l of wrap(['x'.repeat(50), ' y'], 4, 20)) expect(l.length).toBeLessThanOrEqual(20);
  });
});

// Every expectation below is worked out by hand from the wrapping rules (room 32 = column 34 minus its
// 2-space gap; continuation lines 4 deeper than the call, less only to keep a piece whole, never at or
// left of it; a piece longer than a line breaks after `, ` or `= `, then at a space, then beside a `(`).
describe('wrap cuts nothing and keeps continuations under their call', () => {
  it('breaks a long argument list after its commas, the arguments indented under the call, `{` on the last line', () => {
    // S8's fault handler call: 24 + 35 characters do not fit; `pte0,` still fits behind the `(`
    expect(wrap(['ptep_set_access_flags(', 'pte0, 0x00e8000000040f43, dirty=1) {'], 2, 32)).toEqual([
      '  ptep_set_access_flags(pte0,',
      '      0x00e8000000040f43,',
      '      dirty=1) {',
    ]);
  });

  it('puts a call whose name fills the line on two lines, name whole, at its `(`', () => {
    // 2 + 30 characters fill the room: `(` cannot follow
    expect(wrap(['contpte_ptep_get_lockless@2025(', 'pte0) {'], 2, 32)).toEqual([
      '  contpte_ptep_get_lockless@2025',
      '      (pte0) {',
    ]);
    expect(wrap(['page_remove_rmap(folio_mapcount)', ' = 0x00000001 → 0x00000000'], 2, 32)).toEqual([
      '  page_remove_rmap(',
      '      folio_mapcount)',
      '      = 0x00000001 → 0x00000000',
    ]);
  });

  it('breaks an assignment after its `=`, not inside the load', () => {
    // GUP-fast's nesting: 4 + 29 characters
    expect(wrap(['pte.pte_high = load(pte_high)', ' = 0x00010002'], 4, 32)).toEqual([
      '    pte.pte_high =',
      '        load(pte_high)',
      '        = 0x00010002',
    ]);
  });

  it('breaks a value wider than a whole line at its space, never with …', () => {
    // arm64 with extended SW bits: the reader result is 45 characters
    expect(wrap(['}', ' = {sw:0x0000000000000000 hw:0x0068000000040fc3}', ' ✗'], 0, 32)).toEqual([
      '} = {sw:0x0000000000000000',
      '    hw:0x0068000000040fc3} ✗',
    ]);
  });

  it('gives every continuation line of one row the same indent', () => {
    // at +4 the 27-character note would not fit (2 + 4 + 27 > 32): both continuations move to +3
    expect(wrap(['put_page(0x1000100010)', ' → freed, gen 1', ' (still in the TLB of CPU 2)'], 2, 32)).toEqual([
      '  put_page(0x1000100010)',
      '     → freed, gen 1',
      '     (still in the TLB of CPU 2)',
    ]);
  });
});

describe('operations that take no step', () => {
  it('sit inside their parent, before its first step or after its last', () => {
    const locations = new LocationTable();
    const x = locations.add('x', 32, 5n);
    const built: BuiltScenario = {
      locations,
      subject: { name: 'pte', initial: 0n, locIds: [] },
      cpus: [
        {
          name: 'CPU 0',
          program: function* (): Program {
            yield begin({ name: 'outer', role: 'other' });
            yield begin({ name: 'early', role: 'other' });
            yield end();
            yield READ_ONCE(x);
            yield begin({ name: 'late', role: 'other' });
            yield end();
            yield end();
            yield begin({ name: 'alone', role: 'other', args: 'x' });
            yield end();
          },
        },
      ],
    };
    const exec = execute({ locations, cpus: built.cpus }, 'sc', new TraceSource([]));
    expect(renderDiagram({ exec, built, arch: x86Pae })).toBe(
      [
        'CPU 0',
        '-----',
        'outer() {',
        '  early() {}',
        '  READ_ONCE(x) = 0x00000005',
        '  late() {}',
        '}',
        'alone(x) {}',
      ].join('\n'),
    );
  });
});

describe('long names and arguments in a diagram', () => {
  const locations = new LocationTable();
  const x = locations.add('x', 32, 5n);
  const cpu = (name: string, body: () => Program): BuiltScenario['cpus'][number] => ({ name, program: body });
  const draw = (cpus: BuiltScenario['cpus']): string => {
    const built: BuiltScenario = { locations, subject: { name: 'pte', initial: 0n, locIds: [] }, cpus };
    return renderDiagram({ exec: execute({ locations, cpus }, 'sc', new TraceSource([])), built, arch: x86Pae });
  };

  it('wraps a CPU name too long for its column in the header instead of cutting it', () => {
    const read = function* (): Program {
      yield READ_ONCE(x);
    };
    // `A: ` then 36 characters: the reader name alone (30) fits at +2, its `(pte1)` goes below
    expect(draw([cpu('A: contpte_ptep_get_lockless@2025(pte1)', read), cpu('B', read)])).toBe(
      [
        'A:                                B',
        '  contpte_ptep_get_lockless@2025',
        '  (pte1)',
        '--------------------------------  -',
        'READ_ONCE(x) = 0x00000005',
        '                                  READ_ONCE(x) = 0x00000005',
      ].join('\n'),
    );
  });

  it('keeps the `{` of an operation with its last argument', () => {
    const setPte = function* (): Program {
      yield begin({ name: 'set_pte', role: 'other', args: '{0x00010002:0x00020067}' });
      yield READ_ONCE(x);
      yield end();
    };
    // `set_pte({0x00010002:0x00020067})` fills the 32 characters: the argument and `{` go below
    expect(draw([cpu('CPU 0', setPte)])).toBe(
      ['CPU 0', '-----', 'set_pte(', '    {0x00010002:0x00020067}) {', '  READ_ONCE(x) = 0x00000005', '}'].join('\n'),
    );
  });

  const show = (file: string, dir = join(__dirname, '..', '..', 'crashes')): string => {
    const r = replayCrash(loadCrash(join(dir, file)), file, builtinReaders());
    const t = r.target;
    return renderDiagram({
      exec: r.run.exec,
      built: t.built,
      arch: t.arch,
      judgement: r.run.judgement,
      stepNumbers: true,
    });
  };

  it('S8 (2025 reader): the reader name and every argument of ptep_set_access_flags whole, under their call', () => {
    const text = show(
      's8-contpte-set-access-flags.contpte_ptep_get_lockless@2025.ad-relaxed.weak.livelock.db53eddd34b6.msgpack',
    );
    // steps up to 1170: a 6-character gutter; both calls nest 2 deep in smmu_write(pte0) (column A)
    expect(text).toContain(['        contpte_ptep_get_lockless@2025', '            (pte0) {'].join('\n'));
    // the args of contpte.ts's gathered form: `pte0, <entry>, dirty=1, pre-2026 no-op check`
    expect(text).toContain(
      [
        '        ptep_set_access_flags(pte0,',
        '            0x00e8000000040f43,',
        '            dirty=1,',
        '            pre-2026 no-op check) {',
      ].join('\n'),
    );
    expect(text).not.toMatch(/…(?!\)| \w+ did not finish)/);
  });

  it("ext-sw-bits: the torn {sw hw} result and the writer's value whole, ✗ beside the value", () => {
    // the whole scenario's witness (crashes/ holds it reduced to the zap alone: no set_pte_ext_sw)
    const text = show('crash-builtin-by-name.msgpack', join(__dirname, '..', 'fixtures'));
    // 8 steps: a 3-character gutter; the reader in column A, set_pte_ext_sw in column B (3 + 34)
    expect(text).toContain(['   } = {sw:0x0000000000000000', '       hw:0x0068000000040fc3} ✗'].join('\n'));
    const b = ' '.repeat(37);
    expect(text).toContain(
      [`${b}set_pte_ext_sw(`, `${b}    {sw:0x0000000000000000`, `${b}    hw:0x0068000000041fc3}) {`].join('\n'),
    );
  });
});

describe('every committed crash file (crashes/)', () => {
  const dir = join(__dirname, '..', '..', 'crashes');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.msgpack'))
    .sort();
  it.each(files)('%s: the diagram stays within its columns and cuts nothing', (file) => {
    const r = replayCrash(loadCrash(join(dir, file)), file, builtinReaders());
    const t = r.target;
    const lines = renderDiagram({
      exec: r.run.exec,
      built: t.built,
      arch: t.arch,
      judgement: r.run.judgement,
      stepNumbers: true,
    }).split('\n');
    const gutter = String(Math.max(0, r.run.exec.steps - 1)).length + 2;
    // n columns of 34, the last without its 2-space gap; fold notes included
    const budget = gutter + t.built.cpus.length * W - 2;
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(budget);
    // … only for elided arguments (`xchg_relaxed(pte0, …)`) and an operation a bound cut off
    for (const l of lines) expect(l, l).not.toMatch(/…(?!\)| \w+ did not finish)/);
  });
});

describe('retry marks', () => {
  it('a line under the load where the reader’s loop started over (S2 without wmb, weak: pte_low re-read changed)', () => {
    const file = 's2-pae-zap-reestablish-nowmb.ptep_get_lockless.non-torn.weak.torn.263c2d3e9e6a.msgpack';
    const r = replayCrash(loadCrash(join(__dirname, '..', '..', 'crashes', file)), file, builtinReaders());
    const t = r.target;
    const input = { exec: r.run.exec, built: t.built, arch: t.arch, judgement: r.run.judgement, stepNumbers: true };
    const text = renderDiagram(input);
    expect(text).toContain(
      [
        ' 7    smp_rmb()',
        ' 8    load(pte_low) = 0x00020067',
        '      ↻ retry: pte_low changed',
        ' 9    pte.pte_low = load(pte_low)',
      ].join('\n'),
    );
    expect(text).toContain('(1 retry) ✗');
    // without the judgement, no reader is the report's subject: no mark
    const { judgement: _, ...unjudged } = input;
    expect(renderDiagram(unjudged)).not.toContain('↻');
  });

  it('one mark per retry, in the reader’s column, right under a re-read of pte_low that read another value', () => {
    const next = lcg(3);
    let checked = 0;
    for (let i = 0; i < 3000 && checked < 3; i++) {
      const trace = Array.from({ length: 30 }, () => next() % 2);
      const r = run('s2-pae-zap-reestablish', 'ptep_get_lockless', 'sc', trace);
      const retries = r.j.judged.reduce((n, j) => n + j.op.retries, 0);
      if (retries === 0) continue;
      checked++;
      const lines = renderDiagram({ exec: r.exec, built: r.built, arch: x86Pae, judgement: r.j }).split('\n');
      const marks = lines.flatMap((l, k) => (l.trim() === '↻ retry: pte_low changed' ? [k] : []));
      expect(marks).toHaveLength(retries);
      for (const k of marks) {
        expect(cellOf(lines[k]!, r.built.cpus.length).col).toBe(0);
        // the line above is the re-read: `load(pte_low) = V`, V different from the iteration's first pte_low load
        const reread = /^load\(pte_low\) = (0x[0-9a-f]{8})$/.exec(lines[k - 1]!.trim());
        expect(reread, lines[k - 1]).not.toBeNull();
        const firsts = lines
          .slice(0, k - 1)
          .map((l, n) => (l.trim() === 'pte.pte_low = load(pte_low)' ? lines[n + 1]!.trim() : undefined))
          .filter((x) => x !== undefined);
        expect(firsts.at(-1)).not.toBe(`= ${reread![1]!}`);
      }
    }
    expect(checked).toBe(3);
  });
});
