import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CrashFile } from '../../src/crash';
import { CrashFileError, decodeCrash } from '../../src/crash';
import { crashTarget, replayCrash } from '../../src/campaign';
import { builtinReaders } from '../../src/kernel';

const CRASHES = join(__dirname, '..', '..', 'crashes');
const load = (name: string): CrashFile => decodeCrash(readFileSync(join(CRASHES, name)), name);

/**
 * Two committed witnesses of one target, class and value that are two bugs: S5's plain gather returns the same
 * clean block having read pte3 at v2 (siblings at v2) or at v0 (siblings at v0 and v2).
 */
const A = 's5-contpte-unfold-gather.contpte_ptep_get.exact.weak.false-clean.2ac40aec3610.msgpack';
const B = 's5-contpte-unfold-gather.contpte_ptep_get.exact.weak.false-clean.d4062f0273a4.msgpack';

describe('replay compares the witness signature the replay gives with the file’s', () => {
  const [a, b] = [load(A), load(B)];
  test('the two files: one class and value, two signatures', () => {
    expect(a.verdict).toEqual(b.verdict);
    expect(a.signature).not.toBe(b.signature);
    expect(replayCrash(a, A, builtinReaders())).toMatchObject({ reproduced: true, signature: a.signature });
    expect(replayCrash(b, B, builtinReaders())).toMatchObject({ reproduced: true, signature: b.signature });
  });
  test("a file with the other bug's trace does not reproduce, and says both signatures", () => {
    // was: REPRODUCED — kind, class and observed value were compared, not the signature
    const r = replayCrash({ ...a, trace: b.trace }, A, builtinReaders());
    expect(r.reproduced).toBe(false);
    expect(r.signature).toBe(b.signature);
    expect(r.difference).toContain(`with signature "${b.signature}", the file records "${a.signature}"`);
    expect(r.difference).not.toContain('\n');
  });
  test('a file whose list of allowed values was edited does not reproduce', () => {
    // was: REPRODUCED — the list the file shows as what the contract allowed was never compared
    if (a.verdict.kind !== 'divergence') throw new Error(`${A} is a divergence file`);
    const r = replayCrash({ ...a, verdict: { ...a.verdict, allowed: ['0x1', '0x2'] } }, A, builtinReaders());
    expect(r.reproduced).toBe(false);
    expect(r.difference).toContain('the file records 0x1 0x2 (edited or damaged)');
    expect(replayCrash(a, A, builtinReaders()).reproduced).toBe(true);
  });
  test('a file whose signature was edited does not reproduce', () => {
    const r = replayCrash({ ...a, signature: b.signature }, A, builtinReaders());
    expect(r.reproduced).toBe(false);
    expect(r.difference).toContain(`with signature "${a.signature}", the file records "${b.signature}"`);
  });
});

describe("a crash file's trace: what ptefuzz never records is noted", () => {
  const a = load(A);
  test('as ptefuzz wrote it: no note', () => {
    expect(replayCrash(a, A, builtinReaders()).traceNotes).toEqual([]);
  });
  test('values left over after the execution ended', () => {
    // was: accepted silently. A recorded trace ends where its last non-default choice is (the execution goes on
    // with the default 0): zeros appended are consulted as the defaults were, the same run, and 1000 of them
    // outlast the execution
    const long = [...a.trace, ...Array<number>(1000).fill(0)];
    const r = replayCrash({ ...a, trace: long }, A, builtinReaders());
    expect(r.traceNotes).toHaveLength(1);
    const m =
      /^note: the trace has (\d+) value\(s\) after the (\d+) the execution used \(trace values (\d+)–(\d+) were never consulted\) — ptefuzz never records such values: the trace was edited or damaged, and this run may not be the recorded one$/.exec(
        r.traceNotes[0]!,
      );
    expect(m, r.traceNotes[0]).not.toBeNull();
    const [unused, used, from, to] = m!.slice(1).map(Number);
    expect(used! + unused!).toBe(long.length);
    expect(used).toBeGreaterThanOrEqual(a.trace.length);
    expect([from, to]).toEqual([used, long.length - 1]);
    // the same run: it reproduces its verdict and signature
    expect(r.reproduced).toBe(true);
  });
  test('a value out of range and values left over: one note each', () => {
    const trace = [a.trace[0]! + 1000, ...a.trace.slice(1), ...Array<number>(1000).fill(0)];
    const r = replayCrash({ ...a, trace }, A, builtinReaders());
    expect(r.traceNotes).toHaveLength(2);
    expect(r.traceNotes[0]).toMatch(/^note: trace value 0 is \d+, where the execution offered \d+ options/);
    expect(r.traceNotes[1]).toMatch(/^note: the trace has \d+ value\(s\) after the \d+ the execution used/);
  });
});

describe("a timeout file's CPU is one of its scenario's", () => {
  const a = load(A);
  const n = crashTarget(a, A, builtinReaders()).built.cpus.length;
  const timeout = (cpu: number): CrashFile => ({
    ...a,
    version: 3,
    verdict: { kind: 'timeout', class: 'timeout', seconds: 1, step: 3, cpu, detail: 'x' },
  });
  test('0..n-1, and -1 (before the first step), are taken', () => {
    expect(n).toBeGreaterThan(1);
    for (const cpu of [-1, 0, n - 1]) expect(crashTarget(timeout(cpu), A, builtinReaders()).built.cpus).toHaveLength(n);
  });
  test('n and beyond: one line naming the field', () => {
    // was: taken, and `show` printed "CPU 99 (?)"
    for (const cpu of [n, 99]) {
      const e = (() => {
        try {
          crashTarget(timeout(cpu), A, builtinReaders());
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(CrashFileError);
      expect((e as Error).message).toBe(
        `${A}: field "verdict.cpu": expected -1 (a hang before the first step) or a CPU of the scenario, 0–${n - 1}, got ${cpu}`,
      );
    }
  });
});
