import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CONTRACT_NAMES, builtinOperations, builtinReaders } from '../../src/kernel';
import { CONTRACTS } from '../../src/compare';
import type { Lowered, Scenario } from '../../src/scenario';
import type { PageDecl } from '../../src/machine';
import {
  BUILTIN_NAMES,
  builtinScenarios,
  ScenarioError,
  builtinScenario,
  loadScn,
  parseScn,
  printScn,
  unqualified,
} from '../../src/scenario';
import { TraceSource, execute } from '../../src/machine';
import { S4_FREE, S4_MAPPED } from '../../src/scenario/builtin/s4-pae-gup-fast-recheck';
import { S10_FREE, S10_MAPPED } from '../../src/scenario/builtin/s10-pae-dontneed-refault';
import { cli, cliInProcess, hasStackTrace } from '../support/cli';
import { bugModels, expectationFor, expectedContract } from '../../src/campaign';

const ctx = { readers: builtinReaders(), operations: builtinOperations() };
const load = (src: string, file = 'test.scn'): Lowered => loadScn(src, file, ctx);
const errorOf = (src: string): string => {
  try {
    load(src);
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  throw new Error('no error');
};

const S2 = `arch x86-pae
pte pte = {0x00010001:0x00010067}
reader ptep_get_lockless
cpu A {
  reader(pte)
}
cpu B {
  pte_clear(pte)
  set_pte(pte, {0x00010002:0x00020067})
}
`;

describe('.scn: typical mistakes give file:line:col errors', () => {
  const dir = join(__dirname, '..', 'fixtures', 'scn-errors');
  const cases: [string, string][] = [
    ['unknown-operation.scn', "8:3: expected an operation (did you mean pte_clear?), found 'pte_clr'"],
    [
      'unknown-reader.scn',
      "3:1: expected a reader (did you mean ptep_get_lockless, ptep_get, ptep_get_lockless_norecency?), found 'ptep_get_lockles' (a reader of your own is known once its module is loaded: --reader-module PATH)",
    ],
    ['missing-body.scn', "4:6: expected '{' opening the body of cpu A, found the end of the line"],
    ['bad-number.scn', "2:23: expected a number (decimal or 0x hex), found '0x0001006g'"],
    // was: accepted as decimal 10067 (an audit: a C programmer reads 00010067 as octal, and meant hex)
    [
      'octal-number.scn',
      '2:23: expected a number (decimal or 0x hex), found 00010067, a leading 0 (octal in C): write 0x00010067 for hex, or drop the leading 0 for decimal',
    ],
    ['duplicate-location.scn', "3:1: expected a new location name, found 'x' (already declared at line 1)"],
    // was: accepted (the unlock stored 0 to a free lock), and a minimized witness could keep a bare spin_unlock
    [
      'unbalanced-unlock.scn',
      '10:3: expected spin_unlock(ptl) only where cpu C holds ptl (after its spin_lock(ptl)), found spin_unlock(ptl) with ptl not held',
    ],
    // was: accepted, and every execution that reached the call ended as a deadlock (bound-hit)
    [
      'fault-under-ptl.scn',
      '11:3: expected no call of handle_pte_fault while cpu B holds ptl (handle_pte_fault takes ptl itself: it would wait for ever for the ptl cpu B took at line 9 — a deadlock; call it after spin_unlock(ptl)), found handle_pte_fault(…) inside spin_lock(ptl)',
    ],
    // was: accepted, and GUP-fast's pin of pte3's page judged against pte1's history — a false wrong-page
    [
      'consumer-other-entry.scn',
      "12:3: expected a consumer or reader on pte[1], the entry of block pte the reader under test reads (each is judged against that entry's history; writers may use any entry), found pte[3]",
    ],
  ];
  for (const [file, msg] of cases) {
    test(`${file}: ptefuzz check prints one line and exits 2`, async () => {
      const path = join(dir, file);
      // the first as a process (the real binary's exit status and stderr), the others in this process
      const r = file === cases[0]![0] ? cli(['check', path]) : await cliInProcess(['check', path]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`ptefuzz: ${path}:${msg}\n`);
      expect(hasStackTrace(r.stderr)).toBe(false);
    });
  }
  test('--scenario FILE with a mistake: the same line, exit 2', async () => {
    const path = join(dir, 'unknown-operation.scn');
    for (const cmd of ['fuzz', 'explore']) {
      const r = await cliInProcess([cmd, '--scenario', path, '--runs', '1'].slice(0, cmd === 'fuzz' ? 5 : 3));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${path}:8:3: expected an operation`);
    }
  });
});

describe('.scn: more errors name the place and what was expected', () => {
  test.each([
    [S2.replace('pte_clear(pte)', 'pte_clear(pte, barriers=maybe)'), 'test.scn:8:27: expected true or false, found'],
    [
      S2.replace('pte_clear(pte)', 'pte_clear()'),
      "test.scn:8:3: expected argument 'pte' of pte_clear(pte, barriers=true)",
    ],
    [
      S2.replace('pte_clear(pte)', 'pte_clear(pte, era=2022)'),
      "test.scn:8:18: expected a parameter of pte_clear(pte, barriers=true), found 'era'",
    ],
    [S2.replace('pte_clear(pte)', 'ptep_get_and_clear(pte, era=2021)'), "expected one of now|2022, found '2021'"],
    [
      S2.replace('pte_clear(pte)', 'WRITE_ONCE(pte, 0)'),
      "expected a 'loc' location (a pte is written only by registered operations",
    ],
    [
      S2.replace('{0x00010001:0x00010067}', '{0x100010001:0x00010067}'),
      "expected a number of at most 32 bits, found '0x100010001'",
    ],
    [
      S2.replace('arch x86-pae', 'arch arm64'),
      "test.scn:2:11: expected a pte value (a 64-bit number), found '{0x00010001:0x00010067}'",
    ],
    [
      S2.replace('arch x86-pae', 'arch x86_pae'),
      "expected an architecture (x86-pae, arm64, arm64-ext-sw), found 'x86_pae'",
    ],
    [
      S2.replace('  reader(pte)\n', ''),
      "expected a 'reader(pte)' call, or a consumer operation with read=reader, in some CPU body",
    ],
    [S2.replace('cpu B {', 'cpu A {'), "expected a new CPU name, found 'A' (already used at line 4)"],
    // lock balance, per CPU body: no unlock of a lock not held, no second lock of a held one, none held at the end
    [
      S2.replace('  pte_clear(pte)', '  spin_lock(ptl)\n  pte_clear(pte)\n  spin_unlock(ptl)\n  spin_unlock(ptl)'),
      'test.scn:11:3: expected spin_unlock(ptl) only where cpu B holds ptl (after its spin_lock(ptl)), found spin_unlock(ptl) with ptl not held',
    ],
    [
      S2.replace('  pte_clear(pte)', '  spin_lock(ptl)\n  pte_clear(pte)\n  spin_lock(ptl)'),
      'test.scn:10:3: expected a spin_lock of a lock cpu B does not hold (it took ptl at line 8: a second spin_lock deadlocks), found spin_lock(ptl) again',
    ],
    [
      S2.replace('  pte_clear(pte)', '  spin_lock(ptl)\n  pte_clear(pte)'),
      "test.scn:8:3: expected a spin_unlock(ptl) after this spin_lock(ptl) in cpu B's body (a CPU ends holding no lock, as the kernel releases every lock it takes), found none",
    ],
    // an operation that takes the lock itself, called while the CPU holds it: it would wait for ever
    [
      S2.replace('  pte_clear(pte)', '  spin_lock(ptl)\n  madv_dontneed_pae(pte)\n  spin_unlock(ptl)'),
      'test.scn:9:3: expected no call of madv_dontneed_pae while cpu B holds ptl (madv_dontneed_pae takes ptl itself: it would wait for ever for the ptl cpu B took at line 8 — a deadlock; call it after spin_unlock(ptl)), found madv_dontneed_pae(…) inside spin_lock(ptl)',
    ],
    [
      S2.replace(
        '  pte_clear(pte)',
        '  spin_lock(ptl)\n  pte_clear(pte)\n  handle_pte_fault(pte, read=ptep_get_atomic64)',
      ),
      'test.scn:10:3: expected no call of handle_pte_fault while cpu B holds ptl (handle_pte_fault takes ptl itself',
    ],
    [
      S2.replace('reader ptep_get_lockless', 'reader ptep_get_lockless expect fine'),
      "expected bug, correct, benign after 'expect', found 'fine'",
    ],
    [S2 + 'model relaxed\n', "expected a memory model (sc, tso, weak), found 'relaxed'"],
    [S2 + 'cpu C {\n  READ_ONCE(x)\n}\n', "expected a location (declare one with 'loc NAME: u32 = 0'), found 'x'"],
    [S2 + 'cpu C {\n', "expected '}' closing the body of cpu C (opened at line 11), found the end of the file"],
    ['sceanrio x\n', 'test.scn:1:1: expected a directive'],
    // the suggestion sits inside the parentheses, before ", found …", as in every other "did you mean"
    ['sceanrio x\n', "expect; did you mean scenario?), found 'sceanrio'"],
    ['loc x: u16 = 0\n', "test.scn:1:8: expected a width 'u32' or 'u64', found 'u16'"],
    [
      'loc x: u32 = 0\ncpu P0 {\n  r0 = READ_ONCE(x)\n}\nexists (0:r1=1)\n',
      "test.scn:5:9: expected a register of CPU 0 (r0), found 'r1'",
    ],
    ['title "unterminated\n', 'test.scn:1:20: expected a closing ", found the end of the line'],
    // was: accepted, and printed as it was — a CPU's label heads its diagram column and names it in a crash file's
    // `dropped` lines, whose loader refuses a control character
    [
      S2.replace('cpu B {', 'cpu B "zap\u001b[31m" {'),
      'test.scn:7:11: expected a closing " (a string holds no control character but a tab), found U+001B (a control character)',
    ],
    [
      S2.replace('cpu B {', 'cpu B "zap\\\u0007" {'),
      'test.scn:7:12: expected a closing " (a string holds no control character but a tab), found U+0007 (a control character)',
    ],
    [
      'title "a\u0085b"\n',
      'test.scn:1:9: expected a closing " (a string holds no control character but a tab), found U+0085 (a control character)',
    ],
    [
      'loc x: u32 = 0\ncpu P0 {\n  r0 = READ_ONCE(x)\n}\nexists (0:r0=1)\nexpect sc never\nexpect sc always\n',
      "test.scn:7:1: expected one 'expect' line per model, found 'expect sc' again (the first is at line 6)",
    ],
  ])('%#', (src, msg) => {
    expect(errorOf(src)).toContain(msg);
  });
});

describe(".scn: an operation that takes the PTL itself is called outside the CPU's own spin_lock(ptl)", () => {
  test('after the spin_unlock, or on another CPU than the holder: no error', () => {
    const after = S2.replace(
      '  pte_clear(pte)',
      '  spin_lock(ptl)\n  pte_clear(pte)\n  spin_unlock(ptl)\n  madv_dontneed_pae(pte)',
    );
    expect(load(after).kind).toBe('kernel');
    const other =
      S2.replace('  pte_clear(pte)', '  spin_lock(ptl)\n  pte_clear(pte)\n  spin_unlock(ptl)') +
      'cpu C {\n  madv_dontneed_pae(pte)\n}\n';
    expect(load(other).kind).toBe('kernel');
  });
  test("a recorded scenario (a crash file's text) is lowered without the check: it replays, as a deadlock", () => {
    const inside = S2.replace('  pte_clear(pte)', '  spin_lock(ptl)\n  madv_dontneed_pae(pte)\n  spin_unlock(ptl)');
    expect(loadScn(inside, 'test.scn', { ...ctx, recordedLocks: true }).kind).toBe('kernel');
  });
});

describe('.scn: "expect CLAUSE, CLAUSE" — an expectation under a memory model', () => {
  const withExpect = (tail: string): string =>
    S2.replace('reader ptep_get_lockless', `reader ptep_get_lockless${tail}`);
  test('clauses lower to {verdict, model} in the order written; the printer writes them canonically', () => {
    const l = load(withExpect(' expect  correct  under tso ,bug under weak # S2 without the wmbs'));
    if (l.kind !== 'kernel') throw new Error('expected a kernel scenario');
    expect(l.scenario.expect).toEqual({
      ptep_get_lockless: [
        { verdict: 'correct', model: 'tso' },
        { verdict: 'bug', model: 'weak' },
      ],
    });
    const canonical = 'reader ptep_get_lockless expect correct under tso, bug under weak # S2 without the wmbs\n';
    expect(l.text).toContain(canonical);
    expect(printScn(parseScn(l.text, 't.scn'))).toBe(l.text);
    // an unqualified expectation is one clause without a model, printed as before
    const old = load(withExpect(' contract exact expect bug'));
    if (old.kind !== 'kernel') throw new Error('expected a kernel scenario');
    expect(old.scenario.expect).toEqual({ ptep_get_lockless: [{ verdict: 'bug' }] });
    expect(old.text).toContain('reader ptep_get_lockless contract exact expect bug\n');
  });
  test.each([
    [
      ' expect bug under',
      "test.scn:3:42: expected a memory model (sc, tso, weak) after 'under', found the end of the line",
    ],
    [
      ' expect bug under relaxed',
      "test.scn:3:43: expected a memory model (sc, tso, weak) after 'under', found 'relaxed'",
    ],
    [
      ' expect bug under wek',
      "test.scn:3:43: expected a memory model (sc, tso, weak; did you mean weak?) after 'under', found 'wek'",
    ],
    [' expect under weak', "test.scn:3:33: expected 'bug', 'correct' or 'benign' after 'expect', found 'under'"],
    [
      ' expect bug under weak,',
      "test.scn:3:48: expected 'bug', 'correct' or 'benign' after ',', found the end of the line",
    ],
    [
      ' expect bug weak',
      "test.scn:3:37: expected 'under MODEL', ',' and another clause, or the end of the line, found 'weak'",
    ],
    [
      ' expect bug under weak tso',
      "test.scn:3:48: expected ',' and another clause, or the end of the line, found 'tso'",
    ],
    [
      ' expect correct under tso, fine under weak',
      "test.scn:3:52: expected bug, correct, benign after ',', found 'fine'",
    ],
    [
      ' expect bug under weak, bug under weak',
      "test.scn:3:49: expected one clause per model, found 'bug under weak' again",
    ],
    [
      ' expect bug under weak, correct under weak',
      "test.scn:3:49: expected one clause per model, found 'correct under weak' after 'bug under weak' (they contradict each other)",
    ],
    [
      ' expect bug under tso, correct under weak',
      "test.scn:3:48: expected clauses that agree with the nesting of the models (SC ⊆ TSO ⊆ weak), found 'correct under weak' with 'bug under tso' (they contradict each other: a bug under tso is one under weak too)",
    ],
    [
      ' expect bug under tso, bug under weak',
      "test.scn:3:48: expected clauses that agree with the nesting of the models (SC ⊆ TSO ⊆ weak), found 'bug under weak' with 'bug under tso' (one says the other: a bug under tso is one under weak too)",
    ],
    [
      ' expect correct under sc, correct under tso',
      "test.scn:3:51: expected clauses that agree with the nesting of the models (SC ⊆ TSO ⊆ weak), found 'correct under tso' with 'correct under sc' (one says the other: correct under tso is correct under sc too)",
    ],
    [
      ' expect correct under tso, bug',
      "test.scn:3:52: expected 'bug under MODEL' (with more than one clause each names its model; 'expect bug' alone is judged over every model run), found 'bug'",
    ],
  ])('%j', (tail, msg) => {
    expect(errorOf(withExpect(tail))).toBe(msg);
  });
  test('consistent clauses over all three models are accepted', () => {
    const l = load(withExpect(' expect correct under sc, benign under tso, bug under weak'));
    if (l.kind !== 'kernel') throw new Error('expected a kernel scenario');
    expect(l.scenario.expect['ptep_get_lockless']!.map((c) => `${c.verdict}@${c.model}`)).toEqual([
      'correct@sc',
      'benign@tso',
      'bug@weak',
    ]);
  });
  test('ptefuzz check shows the clauses; a bad clause is one line, exit 2', async () => {
    const r = cli(['check', join(__dirname, '..', '..', 'corpus', 'mailing-list', 's2-pae-zap-reestablish-nowmb.scn')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'readers ptep_get_lockless (expect correct under tso, bug under weak), ptep_get (expect bug), ptep_get_atomic64 (expect correct)',
    );
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-expect-under-'));
    try {
      const bad = join(dir, 'bad.scn');
      writeFileSync(bad, withExpect(' expect bug under relaxed'));
      // check above as a process; this one in this process
      const e = await cliInProcess(['check', bad]);
      expect(e.code).toBe(2);
      expect(e.stderr).toBe(
        `ptefuzz: ${bad}:3:43: expected a memory model (sc, tso, weak) after 'under', found 'relaxed'\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('.scn: a tab in a string is kept', () => {
  const l = load(S2.replace('cpu B {', 'cpu B "zap\tand re-establish" {'));
  expect(
    l.kind === 'kernel' &&
      l.scenario.ast?.file.items.some((it) => it.kind === 'cpu' && it.label === 'zap\tand re-establish'),
  ).toBe(true);
});

describe('.scn: a file without a scenario line is named after its file, under the same rule', () => {
  const named = (name: string, src = S2): string => {
    const l = loadScn(src, `${name}.scn`, ctx, name);
    return l.kind === 'kernel' ? l.scenario.name : l.test.name;
  };
  test.each(['my test', '.', '.hidden', '$(reboot)', "a'b", '1st', 'trailing-', ''])('%j is refused', (name) => {
    expect(() => named(name)).toThrow(
      `${name}.scn:1:1: expected a 'scenario NAME' line (the file name '${name}' is not a scenario name: a letter or '_', then letters, digits, '_', '.', '+', '@' or '-'), found none`,
    );
  });
  test('a name the scenario line accepts is taken; an explicit scenario line makes the file name irrelevant', () => {
    expect(named('my-test.v2+wmb@2022')).toBe('my-test.v2+wmb@2022');
    expect(named('my test', 'scenario mine\n' + S2)).toBe('mine');
  });
});

describe('.scn: lowering', () => {
  test('every built-in scenario is lowered from the text of its corpus file (one thing, not two)', () => {
    // no built-in is TypeScript any more (the list is in the order test below): each has a text and the syntax
    // tree the minimizer's program passes edit
    expect(
      builtinScenarios()
        .filter((b) => b.text === undefined || b.ast === undefined)
        .map((b) => b.name),
    ).toEqual([]);
    for (const b of builtinScenarios()) {
      const text = readFileSync(join(__dirname, '..', '..', 'corpus', 'mailing-list', `${b.name}.scn`), 'utf8');
      expect(b.text, b.name).toBe(text);
    }
  });
  /** The program S1 inside GUP-fast and S4 share: flush kind, pages, the four CPUs, the memory. */
  const expectGupFastProgram = (s: Scenario, reader: string, flush: string, pages: PageDecl[]): void => {
    const b = s.build(ctx.readers.get(reader)!, undefined as never);
    expect(b.flush, s.name).toBe(flush);
    expect(b.pages).toEqual(pages);
    expect(b.cpus.map((c) => c.name)).toEqual([
      `A: gup_fast(${reader})`,
      'B: MADV_DONTNEED',
      'C: fault, MADV_DONTNEED',
      'D: fault',
    ]);
    expect(b.locations.locs.map((l) => `${l.name}=${b.locations.initial[l.id]!.toString(16)}`)).toEqual([
      'pte_low=10067',
      'pte_high=10001',
      'ptl=0',
    ]);
  };
  test('S1 inside GUP-fast: the lowered texts keep the TypeScript scenarios they replaced (settings, flush, pages, CPUs)', () => {
    const want: [string, string, string][] = [
      ['s1-pae-gup-fast-broadcast', 'broadcast', 'deferred'],
      ['s1-pae-gup-fast-broadcast-forceflush', 'broadcast', 'forced'],
      ['s1-pae-gup-fast-ipi', 'ipi', 'deferred'],
      ['s1-pae-gup-fast-ipi-forceflush', 'ipi', 'forced'],
    ];
    for (const [name, flush, zap] of want) {
      const s = builtinScenario(name)!;
      expect(s.settings, name).toEqual({ flush, zap, recheck: 'ptep_get' });
      expect(s.consumer).toBe('gup_fast');
      expect(s.expect).toEqual(
        unqualified({
          ptep_get_lockless: flush === 'ipi' && zap === 'forced' ? 'correct' : 'bug',
          ptep_get: 'bug',
          ptep_get_atomic64: 'correct',
        }),
      );
      expectGupFastProgram(s, 'ptep_get', flush, [
        { pfn: 0x1000100010n, ref: 1 },
        { pfn: 0x1000300010n, ref: 0 },
        { pfn: 0x1000200020n, ref: 0 },
      ]);
      expect(s.text).toContain(zap === 'forced' ? 'zap_pte_range(pte, flush=forced)' : 'zap_pte_range(pte) #');
    }
  });
  test('S4: the lowered texts keep the TypeScript scenarios they replaced (settings, flush, pages, CPUs)', () => {
    const want: [string, string][] = [
      ['s4-pae-gup-fast-recheck-plain', 'plain'],
      ['s4-pae-gup-fast-recheck-ptep-get', 'ptep_get'],
      ['s4-pae-gup-fast-recheck-lockless', 'lockless'],
    ];
    for (const [name, recheck] of want) {
      const s = builtinScenario(name)!;
      expect(s.settings, name).toEqual({ flush: 'ipi', zap: 'deferred', recheck });
      expect(s.consumer).toBe('gup_fast');
      expect(s.model).toBe('tso');
      expect(s.readers).toEqual(['ptep_get_lockless', 'ptep_get_atomic64']);
      expect(s.expect).toEqual(
        unqualified({
          ptep_get_lockless: 'bug',
          ptep_get_atomic64: recheck === 'lockless' ? 'correct' : 'bug',
        }),
      );
      // P, then the allocator's order: the same-high page first, then the same-low one
      const pages = [
        { pfn: 0x1000100010n, ref: 1 },
        { pfn: 0x1000100020n, ref: 0 },
        { pfn: 0x1000200010n, ref: 0 },
      ];
      expectGupFastProgram(s, 'ptep_get_atomic64', 'ipi', pages);
      expect([S4_MAPPED, ...S4_FREE]).toEqual(pages.map((p) => p.pfn));
      expect(s.text).toContain(`gup_fast(pte, recheck=${recheck})\n`);
      expect(s.text).not.toContain('flush=forced');
    }
  });
  test('S9: the lowered texts keep the TypeScript scenarios they replaced (block, reader entry, CPUs, TLBI)', () => {
    for (const [name, tlbi] of [
      ['s9-contpte-fold-unfold', true],
      ['s9-contpte-fold-unfold-bbml2', false],
    ] as const) {
      const s = builtinScenario(name)!;
      expect(s.arch).toBe('arm64');
      expect(s.model).toBe('weak');
      expect(s.settings).toBeUndefined();
      expect(s.expect).toEqual(
        unqualified({
          contpte_ptep_get_lockless: 'correct',
          'contpte_ptep_get_lockless@2025': 'correct',
          contpte_ptep_get: 'benign',
          'contpte_ptep_get@2025': 'benign',
          __ptep_get: 'benign',
        }),
      );
      const b = s.build(ctx.readers.get('contpte_ptep_get_lockless')!, undefined as never);
      expect(b.cpus.map((c) => c.name)).toEqual([
        'A: contpte_ptep_get_lockless(pte1)',
        tlbi ? 'B: unfold, refold' : 'B: unfold, refold (BBML2)',
        'C: write to the folio (DBM)',
      ]);
      // pfn 0x40…, CONT, writable, clean; pte3 young; the reader's entry is pte1
      expect(b.locations.locs.map((l) => `${l.name}=${b.locations.initial[l.id]!.toString(16)}`)).toEqual([
        'pte0=78000000040bc3',
        'pte1=78000000041bc3',
        'pte2=78000000042bc3',
        'pte3=78000000043fc3',
        'ptl=0',
      ]);
      expect(b.subject.initial).toBe(0x78000000041fc3n);
      expect(b.subject.entries?.locIds).toEqual([0, 1, 2, 3]);
      expect(s.text!.includes('tlbi=false')).toBe(!tlbi);
    }
  });
  test('S5, S6: the lowered texts keep the TypeScript scenarios they replaced (block, reader entry, CPUs, FolioB)', () => {
    for (const [name, n, s6] of [
      ['s5-contpte-unfold-gather', 4, false],
      ['s5-contpte-unfold-gather-16', 16, false],
      ['s6-contpte-remap-false-dirty', 4, true],
      ['s6-kvm-dirty-check', 16, true],
    ] as const) {
      const s = builtinScenario(name)!;
      expect(s.arch, name).toBe('arm64');
      expect(s.model).toBe('weak');
      expect(s.settings).toBeUndefined();
      expect(s.consumer).toBeUndefined();
      const plain = s6 ? 'bug' : 'benign';
      expect(s.expect).toEqual(
        unqualified({
          contpte_ptep_get: plain,
          'contpte_ptep_get@2025': plain,
          contpte_ptep_get_lockless: 'correct',
          'contpte_ptep_get_lockless@2025': 'correct',
          __ptep_get: s6 ? 'correct' : 'benign',
        }),
      );
      const b = s.build(ctx.readers.get('contpte_ptep_get')!, undefined as never);
      const t = n - 1;
      expect(b.cpus.map((c) => c.name)).toEqual([
        `A: contpte_ptep_get(pte${t})`,
        'B: remap FolioB at pte0',
        ...(s6 ? ['C: write via pte0 (DBM)'] : []),
      ]);
      // FolioA (pfn 0x40 + i), CONT, writable, young; S5 only: pte0 dirty
      expect(b.locations.locs.map((l) => `${l.name}=${b.locations.initial[l.id]!.toString(16)}`)).toEqual([
        `pte0=${s6 ? '78000000040fc3' : 'f8000000040f43'}`,
        ...Array.from({ length: n - 1 }, (_, i) => `pte${i + 1}=780000000${(0x41 + i).toString(16)}fc3`),
        'ptl=0',
      ]);
      expect(b.subject.entries?.locIds).toEqual(Array.from({ length: n }, (_, i) => i));
      // the view of entry t: clean, or (S5) with pte0's dirty gathered in (PTE_DIRTY set, PTE_RDONLY clear)
      const last = 0x78000000040fc3n + BigInt(t) * 0x1000n;
      expect(b.subject.initial).toBe(s6 ? last : (last | (1n << 55n)) & ~0x80n);
      expect(s.text).toContain('__set_pte(pte[0], 0x0068000000080fc3)');
    }
  });
  test('S10: the lowered texts keep the TypeScript scenarios they replaced (settings, flush, pages, CPUs, zap)', () => {
    for (const [name, zap] of [
      ['s10-pae-dontneed-refault', 'deferred'],
      ['s10-pae-dontneed-refault-free-before-flush', 'free-before-flush'],
    ] as const) {
      const s = builtinScenario(name)!;
      const e = zap === 'deferred' ? 'benign' : 'bug';
      expect(s.settings, name).toEqual({ flush: 'ipi', zap });
      expect(s.consumer).toBe('handle_pte_fault');
      expect(s.arch).toBe('x86-pae');
      expect(s.model).toBe('tso');
      expect(s.expect).toEqual(unqualified({ ptep_get_lockless: e, ptep_get: e, ptep_get_atomic64: e }));
      const b = s.build(ctx.readers.get('ptep_get')!, undefined as never);
      expect(b.flush).toBe('ipi');
      expect(b.pages).toEqual([
        { pfn: 0x1000100010n, ref: 1 },
        { pfn: 0x1000200020n, ref: 0 },
      ]);
      expect([S10_MAPPED, ...S10_FREE]).toEqual(b.pages!.map((p) => p.pfn));
      expect(b.cpus.map((c) => c.name)).toEqual([
        'CPU0: MADV_DONTNEED',
        'CPU1: fault(ptep_get), access',
        'CPU2: walk, access via TLB',
      ]);
      expect(b.locations.locs.map((l) => `${l.name}=${b.locations.initial[l.id]!.toString(16)}`)).toEqual([
        'pte_low=10067',
        'pte_high=10001',
        'ptl=0',
      ]);
      expect(s.text!.includes('zap_pte_range(pte, flush=free-before-flush)')).toBe(zap === 'free-before-flush');
    }
  });
  test('S3, S7, S8, S11, S12, ext-sw-bits: the lowered texts keep the TypeScript scenarios they replaced', () => {
    // written from the TypeScript scenarios of a136435: settings, consumer, flush, pages, CPUs (first reader), memory;
    // the display names that changed are the texts' (S8's DBM CPU, S11's folio words, ext-sw-bits' unused PTL)
    const want: [string, Record<string, string> | undefined, string | undefined, string[], string[], string[]][] = [
      [
        's3-pae-fault-garbage',
        { fault: 'read', same: 'pte_same' },
        'handle_pte_fault',
        ['1000100010 ref 1', '1000400040 ref 0'],
        ['A: fault(ptep_get_lockless)', 'B: pte_clear under the PTL'],
        ['pte_low=10067', 'pte_high=10001', 'ptl=0'],
      ],
      ...(['pte_same_norecency', 'pte_same'] as const).map(
        (same): [string, Record<string, string>, string, string[], string[], string[]] => [
          `s7-arm64-fault-${same === 'pte_same' ? 'pte-same' : 'norecency'}`,
          { same, setAccessFlags: 'generic', hwAD: 'none' },
          'handle_pte_fault',
          ['1234 ref 1'],
          ['A: read fault(ptep_get_lockless_norecency)', 'B: write fault(ptep_get_lockless_norecency)'],
          ['pte0=68000001234bc3', 'ptl=0'],
        ],
      ),
      ...['', '-fixed'].map((v): [string, undefined, string, string[], string[], string[]] => [
        `s8-contpte-set-access-flags${v}`,
        undefined,
        'smmu_write',
        [],
        ['SMMU: write via pte0', 'DBM: a CPU writing to the folio'],
        ['pte0=78000000040bc3', 'pte1=78000000041bc3', 'pte2=78000000042bc3', 'pte3=78000000043bc3', 'ptl=0'],
      ]),
      [
        'ext-sw-bits-zap-refault',
        undefined,
        undefined,
        [],
        ['A: ptep_get_ext_sw', 'B: zap, refault'],
        ['pte=68000000040fc3', 'pte_sw=1', 'ptl=0'],
      ],
      ...(['v6.0', 'v6.1'] as const).map(
        (era): [string, Record<string, string>, string, string[], string[], string[]] => [
          `s11-pae-file-zap-${era === 'v6.0' ? 'early' : 'delayed'}-rmap`,
          { flush: 'ipi', rmap: era === 'v6.0' ? 'before flush (v6.0)' : 'after flush (v6.1)' },
          'user_write',
          ['1000500050 ref 2'],
          [`CPU0: zap_pte_range (${era})`, 'CPU1: user write(ptep_get_atomic64)', 'CPU2: writeback'],
          [
            'pte_low=50067',
            'pte_high=10005',
            'ptl=0',
            'folio_flags=0',
            'folio_mapcount=1',
            'folio_data=1',
            'folio_disk=0',
          ],
        ],
      ),
      ...(['none', 'tlb_remove_table_sync_one'] as const).map(
        (sync): [string, Record<string, string>, string, string[], string[], string[]] => [
          `s12-arm64-khugepaged-gup-fast${sync === 'none' ? '' : '-ipi'}`,
          { flush: 'broadcast', sync },
          'gup_fast',
          ['1234 ref 2', '7000 ref 1 table 0'],
          ['CPU0: gup_fast(__ptep_get)', 'CPU1: khugepaged', 'CPU2: next owner of the page'],
          ['pte0=e8000001234f43', 'ptl=0', 'pmd=7000003', 'page_table_lock=0'],
        ],
      ),
    ];
    for (const [name, settings, consumer, pages, cpus, locs] of want) {
      const s = builtinScenario(name)!;
      expect(s.settings, name).toEqual(settings);
      expect(s.consumer, name).toBe(consumer);
      const b = s.build(ctx.readers.get(s.readers[0]!)!, undefined as never);
      expect(b.flush, name).toBe(settings?.['flush']);
      expect(
        (b.pages ?? []).map((p) => `${p.pfn.toString(16)} ref ${p.ref}${p.locs ? ` table ${p.locs.join(' ')}` : ''}`),
      ).toEqual(pages);
      expect(b.cpus.map((c) => c.name)).toEqual(cpus);
      expect(b.locations.locs.map((l) => `${l.name}=${b.locations.initial[l.id]!.toString(16)}`)).toEqual(locs);
    }
  });
  test('the built-in list keeps its order (a campaign runs its scenarios round-robin in it)', () => {
    expect(builtinScenarios().map((s) => s.name)).toEqual([
      's1-pae-double-refault',
      's2-pae-zap-reestablish',
      's2-pae-zap-reestablish-nowmb',
      's2-pae-zap-reestablish-samelow',
      's1-pae-gup-fast-broadcast',
      's1-pae-gup-fast-broadcast-forceflush',
      's1-pae-gup-fast-ipi',
      's1-pae-gup-fast-ipi-forceflush',
      's3-pae-fault-garbage',
      's4-pae-gup-fast-recheck-plain',
      's4-pae-gup-fast-recheck-ptep-get',
      's4-pae-gup-fast-recheck-lockless',
      's7-arm64-fault-norecency',
      's7-arm64-fault-pte-same',
      's5-contpte-unfold-gather',
      's5-contpte-unfold-gather-16',
      's6-contpte-remap-false-dirty',
      's6-kvm-dirty-check',
      's8-contpte-set-access-flags',
      's8-contpte-set-access-flags-fixed',
      's9-contpte-fold-unfold',
      's9-contpte-fold-unfold-bbml2',
      'ext-sw-bits-zap-refault',
      's10-pae-dontneed-refault',
      's10-pae-dontneed-refault-free-before-flush',
      's11-pae-file-zap-early-rmap',
      's11-pae-file-zap-delayed-rmap',
      's12-arm64-khugepaged-gup-fast',
      's12-arm64-khugepaged-gup-fast-ipi',
    ]);
  });
  test("the names read from the built-in texts without lowering them are the lowered scenarios' names", () => {
    expect(BUILTIN_NAMES).toEqual(builtinScenarios().map((s) => s.name));
    // a lookup by name finds the lowered scenario itself (crash records compare built-ins by identity)
    for (const s of builtinScenarios()) expect(builtinScenario(s.name)).toBe(s);
    expect(builtinScenario('no-such-scenario')).toBeUndefined();
  });
  test('a lowered program is the operations in order: S2 under sc with the default trace', () => {
    const s = builtinScenario('s2-pae-zap-reestablish')!;
    const built = s.build(ctx.readers.get('ptep_get_lockless')!, undefined as never);
    const exec = execute({ locations: built.locations, cpus: built.cpus }, 'sc', new TraceSource([]));
    expect(built.cpus.map((c) => c.name)).toEqual(['A: ptep_get_lockless', 'B: zap + re-establish']);
    expect(built.locations.locs.map((l) => l.name)).toEqual(['pte_low', 'pte_high', 'ptl']);
    expect(exec.ops.map((o) => `${o.cpu}:${o.mark.name}`)).toEqual(['0:ptep_get_lockless', '1:pte_clear', '1:set_pte']);
    expect(exec.events.map((e) => `${e.cpu}:${e.name}`)).toEqual([
      '0:load',
      '0:smp_rmb',
      '0:load',
      '0:smp_rmb',
      '0:load',
      '1:WRITE_ONCE',
      '1:smp_wmb',
      '1:WRITE_ONCE',
      '1:WRITE_ONCE',
      '1:smp_wmb',
      '1:WRITE_ONCE',
    ]);
  });
  test('scenario fields: name, model default from the arch, expectations, contracts, printed text', () => {
    const l = load(
      S2.replace('reader ptep_get_lockless', 'scenario demo\nreader ptep_get_lockless contract exact expect bug'),
    );
    if (l.kind !== 'kernel') throw new Error('expected a kernel scenario');
    expect(l.scenario.name).toBe('demo');
    expect(l.scenario.model).toBe('tso');
    expect(l.scenario.expect).toEqual(unqualified({ ptep_get_lockless: 'bug' }));
    expect(l.scenario.contracts).toEqual({ ptep_get_lockless: 'exact' });
    expect(l.text).toContain('reader ptep_get_lockless contract exact expect bug\n');
  });
  test('an unknown contract on a reader line is an error at its line, not a later nameless one', () => {
    expect(errorOf(S2.replace('reader ptep_get_lockless', 'reader ptep_get_lockless contract bogus'))).toMatch(
      /^test\.scn:\d+:1: expected a contract \(exact, non-torn, ad-relaxed, no-false-dirty, gup-no-false-dirty\) after 'contract', found 'bogus'$/,
    );
    // the lowerer's list is the comparator's
    expect(CONTRACT_NAMES).toEqual(CONTRACTS.map((c) => c.name));
  });
  test('a raw .scn (no pte) is a test judged by its exists condition', () => {
    const l = load(
      'loc x: u32 = 0\nloc y: u64 = 0\ncpu P0 {\n  WRITE_ONCE(x, 1)\n  r0 = READ_ONCE(y)\n}\nexists (P0:r0=0 /\\ x=1)\n',
    );
    if (l.kind !== 'raw') throw new Error('expected a raw test');
    expect(l.test.cpus[0]!.regs).toEqual(['r0']);
    expect(l.test.locations.map((x) => [x.name, x.width])).toEqual([
      ['x', 32],
      ['y', 64],
    ]);
    expect(l.test.observed).toEqual([{ cpu: 0, name: 'r0' }, { name: 'x' }]);
  });
  test("a raw .scn condition's value must fit its location, or the locations its register reads (never silently false)", () => {
    const raw = (cond: string): string =>
      `loc x: u32 = 0\nloc y: u64 = 0\ncpu P0 {\n  r0 = READ_ONCE(x)\n  r1 = xchg(y, 1)\n}\nexists (${cond})\n`;
    expect(errorOf(raw('x=4294967296'))).toBe(
      "test.scn:7:11: expected a number of at most 32 bits (x is 32-bit), found '4294967296'",
    );
    expect(errorOf(raw('y=18446744073709551616'))).toBe(
      "test.scn:7:11: expected a number of at most 64 bits (y is 64-bit), found '18446744073709551616'",
    );
    expect(errorOf(raw('P0:r0=0x100000000'))).toBe(
      "test.scn:7:15: expected a number of at most 32 bits (P0:r0 reads 32-bit locations), found '0x100000000'",
    );
    expect(errorOf(raw('0:r1=18446744073709551616'))).toBe(
      "test.scn:7:14: expected a number of at most 64 bits (0:r1 reads 64-bit locations), found '18446744073709551616'",
    );
    expect(load(raw('x=4294967295 /\\ y=18446744073709551615 /\\ P0:r0=0xffffffff /\\ P0:r1=4294967296')).kind).toBe(
      'raw',
    );
  });
});

describe('.scn: names that are Object.prototype members are names like any other', () => {
  const PROTO = ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty'];
  test('an arch: refused as unknown, in a kernel scenario (was: a TypeError) and in a raw test (was: accepted)', () => {
    for (const name of PROTO) {
      const arch = `test.scn:1:1: expected an architecture (x86-pae, arm64, arm64-ext-sw), found '${name}'`;
      expect(errorOf(S2.replace('arch x86-pae', `arch ${name}`)), name).toBe(arch);
      expect(errorOf(`arch ${name}\npte pte = 0x10\nreader ptep_get\ncpu A {\n  reader(pte)\n}\n`), name).toBe(arch);
      const raw = `arch ${name}\nloc x: u32 = 0\ncpu A {\n  r0 = READ_ONCE(x)\n}\nexists (A:r0=1)\n`;
      expect(errorOf(raw), name).toBe(arch);
    }
  });
  test("an operation: refused as unknown (was: 'expected undefined argument(s)')", () => {
    for (const name of PROTO)
      expect(errorOf(S2.replace('pte_clear(pte)', `${name}(pte)`)), name).toMatch(
        new RegExp(`^test\\.scn:8:3: expected an operation \\(.*\\), found '${name}'$`),
      );
  });
  test("a reader a module names `constructor` or `__proto__`: its clauses are its own, never Object.prototype's", () => {
    const registry = builtinReaders();
    const base = registry.get('ptep_get')!;
    for (const name of ['constructor', '__proto__', 'toString']) registry.register({ ...base, name });
    const l = loadScn(
      S2.replace(
        'reader ptep_get_lockless',
        'reader constructor\nreader __proto__ expect bug under sc\nreader toString contract exact',
      ),
      'test.scn',
      { readers: registry, operations: builtinOperations() },
    );
    if (l.kind !== 'kernel') throw new Error('expected a kernel scenario');
    const s = l.scenario;
    expect(expectationFor(s, 'constructor')).toBeUndefined();
    expect(expectationFor(s, '__proto__')).toEqual([{ verdict: 'bug', model: 'sc' }]);
    expect(Object.keys(s.expect)).toEqual(['__proto__']);
    expect(expectedContract(s, { ...base, name: 'constructor' })).toBe(base.contract);
    expect(expectedContract(s, { ...base, name: 'toString' })).toBe('exact');
    expect(bugModels(s, 'constructor')).toEqual([]);
    expect(bugModels(s, '__proto__')).toEqual(['sc']);
  });
});

describe('.scn: nesting is limited to 200 levels (a one-line error, never a RangeError)', () => {
  const raw = (cond: string): string => `loc x: u32 = 0\ncpu A {\n  r0 = READ_ONCE(x)\n}\nexists (${cond})\n`;
  test("a condition's parentheses and ~: 200 deep are read, 201 refused at the 201st", () => {
    expect(load(raw('('.repeat(200) + 'A:r0=1' + ')'.repeat(200))).kind).toBe('raw');
    expect(load(raw('~'.repeat(200) + 'A:r0=1')).kind).toBe('raw');
    const what = "expected conditions ('(' and '~') nested at most 200 deep";
    // `exists (` (columns 1-8) is the directive's own: the 201st nested '(' is at column 8 + 201
    expect(errorOf(raw('('.repeat(20000) + 'A:r0=1' + ')'.repeat(20000)))).toBe(`test.scn:5:209: ${what}, found '('`);
    expect(errorOf(raw('~'.repeat(20000) + 'A:r0=1'))).toBe(`test.scn:5:209: ${what}, found '~'`);
  });
  test('a chain of 30000 terms is read and printed back (a balanced tree: the passes over it stay shallow)', () => {
    const chain = Array(30000).fill('A:r0=1').join(' \\/ ');
    const l = load(raw(chain));
    expect(l.text).toBe(raw(chain));
  });
  test('lists: 201 nested [ are refused at the 201st', () => {
    const src = `arch arm64\npte p = ${'['.repeat(20000)}1${']'.repeat(20000)}\n`;
    expect(errorOf(src)).toBe("test.scn:2:209: expected lists ('[') nested at most 200 deep, found '['");
  });
});

describe('.scn printer', () => {
  test('comments, blank lines, trailing comments and number spellings survive; spacing is canonical', () => {
    const messy =
      '# head\n\n\narch   x86-pae # the arch\npte pte={0x1:0x00010067}\nreader ptep_get\ncpu A "x \\"y\\"" {\n  # body\n  reader( pte )\n\n  pte_clear(pte,barriers=false)\n}\n';
    const canonical =
      '# head\n\narch x86-pae # the arch\npte pte = {0x1:0x00010067}\nreader ptep_get\ncpu A "x \\"y\\"" {\n  # body\n  reader(pte)\n\n  pte_clear(pte, barriers=false)\n}\n';
    expect(printScn(parseScn(messy, 'm.scn'))).toBe(canonical);
    expect(printScn(parseScn(canonical, 'c.scn'))).toBe(canonical);
  });
  test('every corpus and built-in .scn file is canonical: print(parse(text)) === text', () => {
    const root = join(__dirname, '..', '..');
    const files = readdirSync(join(root, 'corpus', 'mailing-list'))
      .map((f) => join(root, 'corpus', 'mailing-list', f))
      .filter((f) => f.endsWith('.scn'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(printScn(parseScn(text, f)), f).toBe(text);
    }
  });
});

const ARM = `arch arm64
pte pte = [0x0078000000040bc3, 0x0078000000041bc3, 0x0078000000042bc3, 0x0078000000043fc3]
reader contpte_ptep_get_lockless
cpu A {
  reader(pte[1])
}
cpu B {
  spin_lock(ptl)
  contpte_unfold(pte[1])
  spin_unlock(ptl)
}
`;

describe('.scn arm64 blocks, consumers and settings', () => {
  test('a contpte block lowers to pte0..pte3, the reader judged at its entry against the contpte view', () => {
    const l = load(ARM);
    if (l.kind !== 'kernel') throw new Error('kernel scenario expected');
    const b = l.scenario.build(builtinReaders().get('contpte_ptep_get_lockless')!, undefined as never);
    expect(b.locations.locs.map((x) => x.name)).toEqual(['pte0', 'pte1', 'pte2', 'pte3', 'ptl']);
    // entry 1 is valid+CONT: its view ORs pte3's access flag (AF = bit 10) in
    expect(b.subject.initial).toBe(0x0078000000041fc3n);
    expect(b.subject.entries?.locIds).toEqual([0, 1, 2, 3]);
  });
  test('flush, pages, a pmd with its table page, a folio, and the consumer of the reader under test', () => {
    const l = load(`arch arm64
flush broadcast
pte pte = 0x00e8000001234f43
pmd pmd = 0x0000000007000003
page 0x1234 ref 2
page 0x7000 ref 1 table pte
reader __ptep_get
cpu A {
  gup_fast(pte, pmd=pmd)
}
cpu B {
  khugepaged_collapse_file(pte, pmd, sync=none)
}
`);
    if (l.kind !== 'kernel') throw new Error('kernel scenario expected');
    expect(l.scenario.consumer).toBe('gup_fast');
    const b = l.scenario.build(builtinReaders().get('__ptep_get')!, undefined as never);
    expect(b.flush).toBe('broadcast');
    expect(b.pages).toEqual([
      { pfn: 0x1234n, ref: 2 },
      { pfn: 0x7000n, ref: 1, locs: [0] },
    ]);
    expect(b.locations.locs.map((x) => x.name)).toEqual(['pte0', 'ptl', 'pmd', 'page_table_lock']);
  });
  test.each([
    [
      ARM.replace(', 0x0078000000043fc3]', ']'),
      'test.scn:2:11: expected a contpte block of 4 or 16 entries (CONT_PTES), found 3 entries',
    ],
    [
      ARM.replace('reader(pte[1])', 'reader(pte)'),
      "test.scn:5:10: expected an entry pte[i] of the contpte block pte, found 'pte'",
    ],
    [
      ARM.replace('contpte_unfold(pte[1])', 'contpte_unfold(pte[4])'),
      "test.scn:9:22: expected an index 0..3, found '4'",
    ],
    [
      ARM.replace('contpte_unfold(pte[1])', 'contpte_unfold(pte[2])\n  reader(pte[2])'),
      'expected the reader under test reading pte[1] (every read by the reader under test reads the same pte), found pte[2]',
    ],
    [ARM + 'flush lazy\n', "test.scn:12:1: expected a TLB flush kind (ipi, broadcast), found 'lazy'"],
    [
      ARM.replace('spin_lock(ptl)', 'spin_lock(page_table_lock)'),
      "test.scn:8:13: expected a lock (ptl), found 'page_table_lock'",
    ],
    [
      S2.replace('reader(pte)', 'handle_pte_fault(pte, read=ptep_get_lockles)'),
      "test.scn:5:30: expected 'reader' (the reader under test) or a reader's name (did you mean ptep_get_lockless",
    ],
    [
      S2 + 'pmd pmd = 0x7000003\n',
      "test.scn:11:1: expected an architecture with a pmd level (arm64), found 'pmd' on x86-pae",
    ],
    [S2 + 'page 0x10 ref 1 table ptes\n', "test.scn:11:1: expected a pte after 'table' (pte), found 'ptes'"],
    [S2 + 'folio f pfn=0x10 dirty=1\n', "expected a folio field (pfn, flags, mapcount, data, disk), found 'dirty'"],
    [
      S2.replace('pte_clear(pte)', 'zap_pte_range(pte, flush=later)'),
      "expected one of deferred|forced|free-before-flush, found 'later'",
    ],
    [
      ARM.replace('spin_lock(ptl)', 'set_pte(pte[0], {0x1:0x2})'),
      "expected an operation for arm64, found 'set_pte' (x86-pae)",
    ],
  ])('%#', (src, msg) => {
    expect(errorOf(src)).toContain(msg);
  });
  test('a 16-entry block prints four entries per line; print(parse) is canonical', () => {
    const entries = Array.from(
      { length: 16 },
      (_, i) => `0x${(0x0078000000040fc3n + (BigInt(i) << 12n)).toString(16).padStart(16, '0')}`,
    );
    const messy = `arch arm64\npte pte = [\n${entries.join(',\n')}\n] # block\n`;
    const rows = [0, 4, 8, 12].map((i) => entries.slice(i, i + 4).join(', '));
    const canonical = `arch arm64\npte pte = [${rows.join(',\n  ')}] # block\n`;
    expect(printScn(parseScn(messy, 'm.scn'))).toBe(canonical);
    expect(printScn(parseScn(canonical, 'c.scn'))).toBe(canonical);
  });
});
