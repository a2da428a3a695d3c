/**
 * Crash files damaged or edited after ptefuzz wrote them (an audit of `replay`, `show` and `minimize`): each is
 * judged as it is — not reproduced (exit 1, the file left as it is) when its replay is not the divergence it
 * records, refused (one line, exit 2) when a field is no value ptefuzz writes — never REPRODUCED, a rewrite or a
 * removal by mistake, nor raw control characters on the terminal. Mutants of committed crash files.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { describe, expect, test } from 'vitest';
import type { CrashFile } from '../../src/crash';
import { decodeCrash, encodeCrash } from '../../src/crash';
import { ROOT, cliInProcess, hasStackTrace } from '../support/cli';

const CRASHES = join(ROOT, 'crashes');
// two bugs of one target, class and value: S5's plain gather read pte3 at v2, or at v0 (README, *Crash files*)
const A = 's5-contpte-unfold-gather.contpte_ptep_get.exact.weak.false-clean.2ac40aec3610.msgpack';
const B = 's5-contpte-unfold-gather.contpte_ptep_get.exact.weak.false-clean.d4062f0273a4.msgpack';
const load = (name: string): CrashFile => decodeCrash(readFileSync(join(CRASHES, name)), name);
const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-damaged-'));
const noControl = (s: string): void => expect(s.replace(/[\t\n]/g, '')).not.toMatch(/\p{Cc}/u);

describe("a crash file holding another bug's trace (its signature is not its replay's)", () => {
  const [a, b] = [load(A), load(B)];

  test('replay: NOT REPRODUCED, both signatures on its line, exit 1', async () => {
    // was: REPRODUCED, exit 0 — only kind, class and value were compared
    const dir = tmp();
    const f = join(dir, B);
    writeFileSync(f, encodeCrash({ ...b, trace: a.trace }));
    const r = await cliInProcess(['replay', f]);
    expect(r.code).toBe(1);
    const line = r.stdout.split('\n').find((l) => l.startsWith('NOT REPRODUCED'));
    expect(line).toContain(`NOT REPRODUCED ${f}: recorded false-clean `);
    expect(line).toContain(`with signature "${a.signature}", the file records "${b.signature}"`);
    expect(r.stdout).toContain('1 crash file(s): 0 reproduced, 1 not reproduced, 0 unreadable');
  });

  test('show prints the recorded signature; NOT reproduced, exit 1', async () => {
    const ok = await cliInProcess(['show', join(CRASHES, A)]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`\nsignature: ${a.signature}\n`);
    const dir = tmp();
    const f = join(dir, B);
    writeFileSync(f, encodeCrash({ ...b, trace: a.trace }));
    const r = await cliInProcess(['show', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`\nsignature: ${b.signature}\n`);
    expect(r.stdout).toMatch(/^recorded: false-clean .*; NOT reproduced \(replay gave false-clean .* with signature/m);
  });

  test('minimize beside the genuine file: left as it is, not reproduced, exit 1 — not removed as its duplicate', async () => {
    // was: "same fingerprint as …, which is lighter: removed", exit 0
    const dir = tmp();
    copyFileSync(join(CRASHES, A), join(dir, A));
    const bytes = encodeCrash({ ...b, trace: a.trace });
    writeFileSync(join(dir, B), bytes);
    const r = await cliInProcess(['minimize', '--schedules', '0', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`NOT REPRODUCED ${join(dir, B)}: recorded false-clean `);
    expect(r.stdout).toContain('; not rewritten\n');
    expect(r.stdout).toContain('2 crash file(s): 0 rewritten, 1 already minimal, 1 not reproduced, 0 unreadable');
    expect(readdirSync(dir).sort()).toEqual([A, B].sort());
    expect(readFileSync(join(dir, B))).toEqual(bytes);
    expect(readFileSync(join(dir, A))).toEqual(readFileSync(join(CRASHES, A)));
  });
});

describe('minimize: a damaged file under the name a witness takes', () => {
  test('loses to the witness, whatever its trace weighs', async () => {
    // was: judged by its class alone — the lighter trace of another bug kept the name, and the genuine witness
    // was removed as its duplicate
    const [a, b] = [load(A), load(B)];
    const dir = tmp();
    writeFileSync(join(dir, A), encodeCrash({ ...a, trace: b.trace }));
    copyFileSync(join(CRASHES, A), join(dir, 'copy.msgpack'));
    const r = await cliInProcess(['minimize', '--schedules', '0', join(dir, 'copy.msgpack')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`renamed to ${join(dir, A)}`);
    expect(readdirSync(dir)).toEqual([A]);
    expect(readFileSync(join(dir, A))).toEqual(readFileSync(join(CRASHES, A)));
  });
});

describe('a crash file whose recorded value was edited', () => {
  test('replay and minimize agree: not reproduced, exit 1, the file untouched', async () => {
    // was: replay NOT REPRODUCED, minimize rewrote the file under the value its replay gave, exit 0
    const a = load(A);
    if (a.verdict.kind !== 'divergence') throw new Error('a divergence file');
    const dir = tmp();
    const f = join(dir, A);
    const bytes = encodeCrash({ ...a, verdict: { ...a.verdict, observed: '0x1' } });
    writeFileSync(f, bytes);
    const replay = await cliInProcess(['replay', f]);
    expect(replay.code).toBe(1);
    const minimize = await cliInProcess(['minimize', '--schedules', '0', f]);
    expect(minimize.code).toBe(1);
    expect(minimize.stdout).toMatch(
      new RegExp(`^NOT REPRODUCED ${f}: recorded false-clean 0x0+1; replay gave 0x`, 'm'),
    );
    expect(minimize.stdout).toContain('1 crash file(s): 0 rewritten, 0 already minimal, 1 not reproduced');
    expect(readdirSync(dir)).toEqual([A]);
    expect(readFileSync(f)).toEqual(bytes);
  });
});

describe('a trace with values left over after the execution ended', () => {
  test('replay, show and minimize say so, one line each; the run is the recorded one: reproduced', async () => {
    // was: nothing said. Zeros appended: consulted as the defaults were (the same run), and 1000 outlast it
    const a = load(A);
    const dir = tmp();
    const f = join(dir, 'tail.msgpack');
    writeFileSync(f, encodeCrash({ ...a, trace: [...a.trace, ...Array<number>(1000).fill(0)] }));
    const note = new RegExp(
      `^${f}: note: the trace has \\d+ value\\(s\\) after the \\d+ the execution used \\(trace values \\d+–${a.trace.length + 999} were never consulted\\) — ptefuzz never records such values: the trace was edited or damaged, and this run may not be the recorded one$`,
      'm',
    );
    const replay = await cliInProcess(['replay', f]);
    expect(replay.stdout).toMatch(note);
    expect(replay.stdout).toContain(`REPRODUCED ${f}: false-clean`);
    expect(replay.code).toBe(0);
    const show = await cliInProcess(['show', f]);
    expect(show.stderr).toMatch(note);
    expect(show.code).toBe(0);
    const minimize = await cliInProcess(['minimize', '--schedules', '0', f]);
    expect(minimize.stdout).toMatch(note);
    // rewritten with the trace its run made: under the genuine file's name, with its bytes
    expect(minimize.code).toBe(0);
    expect(readdirSync(dir)).toEqual([A]);
    expect(readFileSync(join(dir, A))).toEqual(readFileSync(join(CRASHES, A)));
  });
});

describe('fields no ptefuzz writes: one line naming the field, exit 2', () => {
  const p = new Packr({ useRecords: false });
  const raw = p.unpack(readFileSync(join(CRASHES, A))) as Record<string, unknown> & {
    scenario: Record<string, unknown>;
  };
  const cases: [string, object, string][] = [
    // was: the stored text ignored, the built-in replayed by name — NOT REPRODUCED with a diagram of another program
    [
      'a version-2 reduced file whose version was set to 1',
      { ...raw, version: 1 },
      'field "scenario.text": not in format version 1',
    ],
    [
      'a version-1 file with a program of the wrong type',
      { ...raw, version: 1, scenario: { name: raw.scenario['name'], source: 'builtin', program: 7 } },
      'field "scenario.program": not in format version 1',
    ],
    // was: printed as it is by show: an ANSI escape on the terminal, a line split in two
    ['an ANSI escape in tool', { ...raw, tool: '0.1.0\u001b[2J\u001b[31m' }, 'field "tool": expected one line of text'],
    ['a newline in seed', { ...raw, seed: '1\nrecorded: fake' }, 'field "seed": expected one line of text'],
    ['a newline in engine', { ...raw, engine: 'random\n' }, 'field "engine": expected one line of text'],
  ];
  for (const [what, obj, msg] of cases) {
    test(what, async () => {
      const dir = tmp();
      const f = join(dir, 'x.msgpack');
      writeFileSync(f, p.pack(obj));
      for (const cmd of ['replay', 'show', 'minimize']) {
        const r = await cliInProcess([cmd, f]);
        expect(r.code, cmd).toBe(2);
        expect(r.stderr.trim().split('\n'), cmd).toHaveLength(1);
        expect(r.stderr, cmd).toContain(`${f}: ${msg}`);
        expect(hasStackTrace(r.stderr)).toBe(false);
        noControl(r.stdout + r.stderr);
      }
    });
  }
});
