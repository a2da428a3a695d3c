import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinReaders } from '../../src/kernel';
import { loadCrash } from '../../src/crash';
import { crashTarget, expectationAt, makeTarget, replayCrash, runTarget } from '../../src/campaign';
import { RandomSource, deriveSeed } from '../../src/engines';
import { TraceSource } from '../../src/machine';
import type { Call, Item } from '../../src/scenario';
import { builtinScenario, parseScn, printValue } from '../../src/scenario';

const dir = join(__dirname, '..', '..', 'crashes');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.msgpack'))
  .sort();

describe('every committed crash file replays its recorded verdict', () => {
  test('the known-bad readers have committed crash files', () => {
    for (const prefix of [
      's1-pae-double-refault.ptep_get_lockless.non-torn.sc.torn',
      's2-pae-zap-reestablish.ptep_get.non-torn.sc.torn',
      's2-pae-zap-reestablish-nowmb.ptep_get_lockless.non-torn.weak.torn',
      's2-pae-zap-reestablish-samelow.ptep_get_lockless.non-torn.sc.torn',
      's1-pae-gup-fast-broadcast.ptep_get_lockless.non-torn.sc.wrong-page',
      's1-pae-gup-fast-broadcast.ptep_get_lockless.non-torn.sc.torn',
      's1-pae-gup-fast-ipi.ptep_get_lockless.non-torn.sc.wrong-page',
      's1-pae-gup-fast-broadcast-forceflush.ptep_get_lockless.non-torn.sc.torn',
      's4-pae-gup-fast-recheck-ptep-get.ptep_get_atomic64.non-torn.sc.wrong-page',
      's7-arm64-fault-norecency.ptep_get_lockless_norecency.ad-relaxed.weak.lost-dirty',
      's5-contpte-unfold-gather.contpte_ptep_get.exact.weak.false-clean',
      's6-contpte-remap-false-dirty.contpte_ptep_get.no-false-dirty.weak.false-dirty',
      's8-contpte-set-access-flags.contpte_ptep_get_lockless.ad-relaxed.weak.livelock',
      's9-contpte-fold-unfold.contpte_ptep_get_lockless.exact.weak.ad-mixed',
      's9-contpte-fold-unfold-bbml2.contpte_ptep_get_lockless@2025.exact.weak.ad-mixed',
      'ext-sw-bits-zap-refault.ptep_get_ext_sw.ad-relaxed.weak.torn',
      's10-pae-dontneed-refault-free-before-flush.ptep_get_lockless.non-torn.sc.use-after-free',
      's11-pae-file-zap-early-rmap.ptep_get_atomic64.non-torn.tso.lost-dirty',
      's12-arm64-khugepaged-gup-fast.__ptep_get.ad-relaxed.sc.use-after-free',
    ]) {
      expect(
        files.some((f) => f.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
  });
  for (const f of files) {
    test(f, () => {
      const crash = loadCrash(join(dir, f));
      const r = replayCrash(crash, f, builtinReaders());
      expect(crash.verdict.kind === 'divergence' && r.observed).toBe(
        crash.verdict.kind === 'divergence' && crash.verdict.observed,
      );
      expect(r.reproduced).toBe(true);
    });
  }
});

/**
 * Issue 5: a crash file whose program the minimizer reduced stores the reduced
 * `.scn` text and what was dropped; the text is exactly the built-in scenario
 * of that name without the dropped CPUs and operations (checked here by
 * rebuilding the CPU bodies from the original and the dropped lines).
 */
describe('every reduced crash file is its built-in scenario minus what it says was dropped', () => {
  // reduced from a built-in (a reduced scenario file's original is not stored: only its dropped lines)
  const reduced = files.filter((f) => {
    const c = loadCrash(join(dir, f));
    return c.scenario.dropped !== undefined && c.scenario.source === 'builtin';
  });
  test('the S1 and S2 witnesses were reduced', () => {
    expect(reduced.some((f) => f.startsWith('s1-pae-double-refault.ptep_get_lockless.non-torn.sc.torn'))).toBe(true);
    expect(reduced.some((f) => f.startsWith('s2-pae-zap-reestablish.ptep_get.non-torn.sc.torn'))).toBe(true);
  });
  type Cpu = Extract<Item, { kind: 'cpu' }>;
  const head = (c: Cpu): string => `cpu ${c.name}${c.label !== undefined ? ` "${c.label}"` : ''}`;
  const call = (c: Call): string =>
    `${c.name}(${c.args.map((a) => (a.key !== undefined ? `${a.key}=` : '') + printValue(a.value)).join(', ')})`;
  const bodies = (text: string): string[] =>
    parseScn(text, 'x')
      .items.filter((it): it is Cpu => it.kind === 'cpu')
      .map((c) => `${head(c)} { ${c.body.flatMap((s) => (s.kind === 'call' ? [call(s)] : [])).join('; ')} }`);
  for (const f of reduced) {
    test(f, () => {
      const crash = loadCrash(join(dir, f));
      const original = builtinScenario(crash.scenario.name)!.text!;
      const dropped = crash.scenario.dropped!;
      expect(dropped.length).toBeGreaterThan(0);
      const expected = parseScn(original, 'x')
        .items.filter((it): it is Cpu => it.kind === 'cpu')
        .filter((c) => !dropped.includes(head(c)))
        .map((c) => {
          const calls = c.body.flatMap((s) => (s.kind === 'call' ? [call(s)] : []));
          const gone = dropped.filter((d) => d.startsWith(`${head(c)}: `)).map((d) => d.slice(head(c).length + 2));
          for (const g of gone) calls.splice(calls.indexOf(g), 1);
          return `${head(c)} { ${calls.join('; ')} }`;
        });
      expect(bodies(crash.scenario.text!)).toEqual(expected);
    });
  }
});

/**
 * No committed witness stands on a program the minimizer broke: on each reduced crash file's program, the built-in
 * readers its scenario names and expects correct under the file's model (judged by the file's contract) do not
 * diverge in the file's class — not on the file's own choices, not on 200 seeded schedules. Five S2 `ptep_get` tears
 * did before the minimizer's controls (README, *Program minimization*): B's `set_pte` without its `pte_clear`, a
 * `set_pte` over a present pte, on which `ptep_get_atomic64` tears too (crashes/README.md).
 */
describe("no reduced crash file's program makes a reader its scenario expects correct diverge the same way", () => {
  const registry = builtinReaders();
  const reduced = files
    .map((f) => ({ f, crash: loadCrash(join(dir, f)) }))
    .filter(({ crash }) => crash.scenario.dropped !== undefined && crash.verdict.kind === 'divergence');
  test('the reduced files include the five S2 ptep_get tears written again', () => {
    for (const h of ['219ed5cb8095', '4ba3d9aa8b64', '8d393c148811', '48e1b500da4f', '03fbd9f63cc4'])
      expect(
        reduced.some(({ f }) => f.includes(`.torn.${h}.`)),
        h,
      ).toBe(true);
  });
  for (const { f, crash } of reduced) {
    test(f, () => {
      const t = crashTarget(crash, join(dir, f), registry);
      const cls = crash.verdict.kind === 'divergence' ? crash.verdict.class : '';
      const s = t.scenario;
      const correct = s.readers.filter((name) => {
        const r = registry.get(name);
        return (
          r !== undefined &&
          name !== t.reader.name &&
          expectationAt(s, name, t.model) === 'correct' &&
          (s.contracts?.[name] ?? r.contract) === t.contract.name
        );
      });
      for (const name of correct) {
        const other = makeTarget(s, registry.get(name)!, t.contract, t.model, t.arch);
        const classes = new Set<string>();
        for (let i = -1; i < 200; i++) {
          const source = i < 0 ? new TraceSource(crash.trace) : new RandomSource(deriveSeed('reduced-control', i));
          const v = runTarget(other, source).judgement.verdict;
          if (v.kind === 'divergence') classes.add(v.class);
        }
        expect(classes.has(cls), `${name} diverges (${cls}) on ${f}'s program`).toBe(false);
      }
    });
  }
});
