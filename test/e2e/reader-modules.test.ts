import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Unpackr } from 'msgpackr';
import { describe, expect, test } from 'vitest';
import type { CliResult } from '../support/cli';
import { ROOT, cli, cliInProcess, hasStackTrace } from '../support/cli';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-mod-'));
const HLHL = 'harness/readers/pae-hlhl.ts';
const BUGGY = 'harness/readers/pae-buggy.js';
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

interface Target {
  scenario: string;
  reader: string;
  model: string;
  races: number;
  verdict: string;
}
interface Summary {
  targets: Target[];
  divergences: { reader: string; scenario: string; class: string; file: string }[];
}

/** `fuzz ARGS --json` into a fresh crash folder: in this process, unless `run` is the built binary (cli). */
async function fuzzJson(
  args: string[],
  run: (args: string[]) => Promise<CliResult> = cliInProcess,
): Promise<{ code: number; summary: Summary; stderr: string; dir: string }> {
  const dir = tmp();
  const r = await run(['fuzz', ...args, '--crashes', dir, '--json']);
  expect(hasStackTrace(r.stderr)).toBe(false);
  return { code: r.code, summary: JSON.parse(r.stdout) as Summary, stderr: r.stderr, dir };
}

describe('--reader-module: the worked examples', () => {
  test('pae-hlhl.ts agrees where the kernel loop is torn (S1, -samelow), with races; same schedules', async () => {
    const r = await fuzzJson([
      ...['--reader-module', HLHL, '--reader', 'ptep_get_lockless', '--reader', 'ptep_get_lockless_hlhl'],
      ...['--scenario', 's1-pae-double-refault', '--scenario', 's2-pae-zap-reestablish-samelow'],
      ...['--model', 'sc', '--runs', '3000', '--seed', '1'],
    ]);
    expect(r.code).toBe(1);
    const verdict = (s: string, reader: string): Target =>
      r.summary.targets.find((t) => t.scenario === s && t.reader === reader)!;
    for (const s of ['s1-pae-double-refault', 's2-pae-zap-reestablish-samelow']) {
      expect(verdict(s, 'ptep_get_lockless').verdict).toBe('divergence');
      expect(verdict(s, 'ptep_get_lockless_hlhl').verdict).toBe('agree');
      expect(verdict(s, 'ptep_get_lockless_hlhl').races).toBeGreaterThan(100);
    }
    expect(r.summary.divergences.every((d) => d.reader === 'ptep_get_lockless')).toBe(true);
  });

  test('pae-buggy.js: module readers run on every scenario of their arch by default; crash files name the module', async () => {
    const r = await fuzzJson([
      ...['--reader-module', BUGGY, '--scenario', 's2-pae-zap-reestablish'],
      ...['--model', 'sc', '--runs', '400', '--seed', '1'],
    ]);
    expect(r.code).toBe(1);
    expect(r.summary.targets.map((t) => t.reader)).toEqual([
      'ptep_get_lockless',
      'ptep_get',
      'ptep_get_atomic64',
      'ptep_get_lockless_normb',
      'ptep_get_recheck_high',
    ]);
    const d = r.summary.divergences.find((x) => x.reader === 'ptep_get_recheck_high')!;
    expect(d.class).toBe('torn');
    expect(r.stderr).toContain(`npx ptefuzz replay --reader-module ${BUGGY} `);
    const rec = new Unpackr({ useRecords: false }).unpack(readFileSync(d.file)) as Record<string, unknown>;
    expect(rec['readerModule']).toEqual({ path: BUGGY, sha256: sha256(join(ROOT, BUGGY)) });

    const without = await cliInProcess(['replay', d.file]);
    expect(without.code).toBe(2);
    expect(without.stderr.trim().split('\n')).toEqual([
      `ptefuzz: ${d.file}: reader "ptep_get_recheck_high" comes from a reader module: needs --reader-module ${BUGGY} (sha256 ${sha256(join(ROOT, BUGGY)).slice(0, 12)}…)`,
    ]);
    // a whole file that needs its module is counted apart from unreadable ones
    expect(without.stdout).toBe(
      '1 crash file(s): 0 reproduced, 0 not reproduced, 0 unreadable, 1 not run (needing --reader-module)\n',
    );
    const minimized = await cliInProcess(['minimize', d.file]);
    expect(minimized.code).toBe(2);
    expect(minimized.stdout).toMatch(/, 0 unreadable, 1 not run \(needing --reader-module\)\n$/);
    const withIt = await cliInProcess(['replay', '--reader-module', BUGGY, d.file]);
    expect(withIt.code).toBe(0);
    expect(withIt.stdout).toContain(`REPRODUCED ${d.file}: torn`);
    expect(withIt.stdout).not.toContain('note:');
    expect((await cliInProcess(['show', '--reader-module', BUGGY, d.file])).stdout).toContain(
      `replay: npx ptefuzz replay --reader-module ${BUGGY} ${d.file}`,
    );
  });

  test('a changed module source is noted on replay', async () => {
    const dir = tmp();
    const mod = join(dir, 'buggy.js');
    writeFileSync(mod, readFileSync(join(ROOT, BUGGY), 'utf8'));
    const r = await fuzzJson([
      ...['--reader-module', mod, '--reader', 'ptep_get_recheck_high', '--scenario', 's2-pae-zap-reestablish'],
      ...['--model', 'sc', '--runs', '200', '--seed', '1'],
    ]);
    const file = r.summary.divergences[0]!.file;
    appendFileSync(mod, '// edited\n');
    const rep = await cliInProcess(['replay', '--reader-module', mod, file]);
    expect(rep.code).toBe(0);
    expect(rep.stdout).toContain(`${file}: note: ${mod} differs from the module source this crash was recorded with`);
    const shown = await cliInProcess(['show', '--reader-module', mod, file]);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain(`${file}: note: ${mod} differs from the module source this crash was recorded with`);
  });

  // the built binary: the package name resolves to dist/'s API there (in this process, to src/'s)
  test('an .mjs module outside the repository imports ptefuzz by its package name', async () => {
    const dir = tmp();
    const mod = join(dir, 'atomic.mjs');
    writeFileSync(
      mod,
      [
        "import { machine } from 'ptefuzz';",
        'export default {',
        "  name: 'my_atomic_read', arch: 'x86-pae', contract: 'non-torn',",
        '  *read(p) {',
        "    yield machine.begin({ name: 'my_atomic_read', role: 'reader', subject: p.name, locs: p.locs });",
        '    const v = yield machine.atomic64_read(p.locs);',
        '    yield machine.end(v);',
        '    return v;',
        '  },',
        '};',
      ].join('\n'),
    );
    const r = await fuzzJson(
      [
        ...['--reader-module', mod, '--reader', 'my_atomic_read', '--scenario', 's1-pae-double-refault'],
        ...['--model', 'weak', '--runs', '300', '--seed', '3'],
      ],
      async (args) => cli(args),
    );
    expect(r.code).toBe(0);
    expect(r.summary.targets).toHaveLength(1);
    expect(r.summary.targets[0]).toMatchObject({ reader: 'my_atomic_read', verdict: 'agree' });
    expect(r.summary.targets[0]!.races).toBeGreaterThan(0);
  });

  test('list shows module readers with their module', async () => {
    const r = await cliInProcess(['list', '--json', '--reader-module', HLHL]);
    expect(r.code).toBe(0);
    const readers = (JSON.parse(r.stdout) as { readers: { name: string; module?: { path: string } }[] }).readers;
    expect(readers.find((x) => x.name === 'ptep_get_lockless_hlhl')!.module!.path).toBe(HLHL);
    expect(readers.find((x) => x.name === 'ptep_get_lockless')!.module).toBeUndefined();
  });
});

describe('--reader-module: a broken module fails with one line naming the file, exit 2', () => {
  const dir = tmp();
  const write = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const reader = (fields: string): string =>
    `const { machine } = require('ptefuzz');\nmodule.exports = { reader: { ${fields} } };\n`;
  const ok = "name: 'r', arch: 'x86-pae', contract: 'exact'";
  const cases: [string, () => string, string][] = [
    ['missing file', () => join(dir, 'nope.ts'), 'nope.ts: no such file'],
    ['syntax error (.ts)', () => write('syn.ts', 'export const reader = {;\n'), 'syn.ts:1:24: syntax error: '],
    ['syntax error (.js)', () => write('syn.js', 'const a = ;\n'), 'syn.js:1:11: syntax error: '],
    // syntax errors the transpiler lets through, found by V8 in the CommonJS text: still at the module's line:col
    ...['js', 'cjs', 'mjs', 'ts'].map((ext): [string, () => string, string] => [
      `yield in a function, not a function* (.${ext})`,
      () => write(`plain.${ext}`, reader(`${ok},\n  read: function (p) {\n\n    yield begin(p);\n  },`)),
      `plain.${ext}:5:11: syntax error: Unexpected identifier 'begin'`,
    ]),
    [
      'a strict-mode error in an ES module whose types and imports the transpiler removes (.mts)',
      () =>
        write(
          'strict.mts',
          "import { machine } from 'ptefuzz';\ntype T = number;\nconst n: T = 1; with (machine) n;\n",
        ),
      'strict.mts:3:17: syntax error: Strict mode code may not include a with statement',
    ],
    ['no reader exported', () => write('none.js', 'exports.x = 1;\n'), 'none.js: no reader exported; expected'],
    [
      'name is not a string',
      () => write('name.js', reader("name: 7, arch: 'x86-pae', contract: 'exact', read: function* () {}")),
      'name.js: export reader: name: expected a C identifier string',
    ],
    [
      'unknown arch',
      () => write('arch.js', reader("name: 'r', arch: 'riscv', contract: 'exact', read: function* () {}")),
      'arch.js: reader "r": arch: unknown architecture "riscv"; valid: x86-pae',
    ],
    // was: 'architecture "constructor" has no pte encoding in this ptefuzz yet' (found on Object.prototype)
    [
      'an arch named after an Object.prototype member',
      () => write('archproto.js', reader("name: 'r', arch: 'constructor', contract: 'exact', read: function* () {}")),
      'archproto.js: reader "r": arch: unknown architecture "constructor"; valid: x86-pae',
    ],
    [
      'unknown contract',
      () => write('contract.js', reader("name: 'r', arch: 'x86-pae', contract: 'linear', read: function* () {}")),
      'contract.js: reader "r": contract: unknown contract "linear"; valid: exact, ',
    ],
    [
      'read is not a generator function',
      () => write('gen.js', reader(`${ok}, read: (p) => p`)),
      'gen.js: reader "r": read: expected a generator function',
    ],
    [
      'clash with a built-in reader',
      () => write('clash.js', reader("name: 'ptep_get', arch: 'x86-pae', contract: 'exact', read: function* () {}")),
      'clash.js: reader "ptep_get" clashes with a built-in reader of that name; rename it',
    ],
    [
      'throws while loading',
      () => write('throw.js', "throw new Error('boom\\nsecond line');\n"),
      'throw.js: error while loading the module: Error: boom',
    ],
    [
      'yields a helper without calling it',
      () =>
        write(
          'call.js',
          reader(
            `${ok}, read: function* (p) { yield machine.begin({ name: 'r', role: 'reader', subject: p.name, locs: p.locs }); yield machine.smp_rmb; }`,
          ),
        ),
      'call.js: reader "r" yielded a function (smp_rmb) instead of an instruction — call it',
    ],
    [
      'reads a field the arm64 pte does not have (a PAE habit): the message lists the fields it has',
      () =>
        write(
          'field.js',
          reader(
            "name: 'r', arch: 'arm64', contract: 'ad-relaxed', read: function* (p) { yield machine.begin({ name: 'r', role: 'reader', subject: p.name, locs: p.locs }); yield machine.READ_ONCE(p.low); }",
          ),
        ),
      'field.js: reader "r" yielded READ_ONCE on undefined, which is not a location of the pte it was given (pte0); the pte object has name (',
    ],
    [
      'ends its read with a Number, not a bigint: the message says what was expected and what was given',
      () =>
        write(
          'number.js',
          reader(
            `${ok}, read: function* (p) { yield machine.begin({ name: 'r', role: 'reader', subject: p.name, locs: p.locs }); yield machine.end(Number(yield machine.READ_ONCE(p.low))); }`,
          ),
        ),
      'number.js: reader "r" ended its read with number 65639: expected the value read, a bigint (yield end(v))',
    ],
    [
      'ends its read with no value',
      () =>
        write(
          'novalue.js',
          reader(
            `${ok}, read: function* (p) { yield machine.begin({ name: 'r', role: 'reader', subject: p.name, locs: p.locs }); yield machine.end(); }`,
          ),
        ),
      'novalue.js: reader "r" ended its read without the value read: yield end(v), v a bigint',
    ],
    [
      'never completes a read',
      () => write('empty.js', reader(`${ok}, read: function* () {}`)),
      'empty.js: reader "r" returned having completed no read; read() must yield begin(',
    ],
    [
      // the first arm64 scenario is a fault path, which goes on with what the reader returns: not a TypeError there
      'never completes a read (arm64)',
      () => write('empty64.js', reader("name: 'r', arch: 'arm64', contract: 'exact', read: function* () {}")),
      'empty64.js: reader "r" returned having completed no read; read() must yield begin(',
    ],
    [
      'never completes a read but returns a bigint',
      () => write('zero.js', reader(`${ok}, read: function* () { return 0n; }`)),
      'zero.js: reader "r" completed no read on s1-pae-double-refault',
    ],
    [
      'ends its read but returns nothing (GUP-fast goes on with the value returned)',
      () =>
        write(
          'noreturn.js',
          reader(
            `${ok}, read: function* (p) { yield machine.begin({ name: 'r', role: 'reader', subject: p.name, locs: p.locs }); yield machine.end(yield machine.READ_ONCE(p.low)); }`,
          ),
        ),
      'noreturn.js: reader "r" returned without the value read: return v after yield end(v), v a bigint',
    ],
    [
      'ends its read with a negative value: the crash file would hold "0x-5", which no replay reads back',
      () =>
        write(
          'negative.js',
          reader(
            `${ok}, read: function* (p) { yield machine.begin({ name: 'r', role: 'reader', subject: p.name, locs: p.locs }); yield machine.end(-5n); return -5n; }`,
          ),
        ),
      'negative.js: reader "r" ended its read with -0x5: expected the value read, a 64-bit pte value (0 to 0xffffffffffffffff)',
    ],
    [
      'returns a value wider than the pte (the report would show it wrapped)',
      () =>
        write(
          'wide.js',
          reader(
            `${ok}, read: function* (p) { yield machine.begin({ name: 'r', role: 'reader', subject: p.name, locs: p.locs }); yield machine.end(1n); return 1n << 64n; }`,
          ),
        ),
      'wide.js: reader "r" returned 0x10000000000000000: expected the value read, a 64-bit pte value',
    ],
    [
      'an export whose getter throws',
      () =>
        write(
          'getter.js',
          "module.exports = { reader: { get name() { throw new Error('getter'); }, read: function* () {} } };\n",
        ),
      'getter.js: reading its exports threw Error: getter',
    ],
    [
      'throws an object whose message and toString throw',
      () =>
        write(
          'throwobj.js',
          reader(
            `${ok}, read: function* () { throw { get message() { throw new Error('a'); }, toString() { throw new Error('b'); } }; }`,
          ),
        ),
      'throwobj.js: reader "r" threw an exception whose message cannot be read (its message or toString throws)',
    ],
    ...(
      [
        ['a timer it starts throws', "setTimeout(() => { throw new Error('late'); }, 0);", 'Error: late'],
        ['a promise it rejects is never awaited', "Promise.reject(new Error('rejected'));", 'Error: rejected'],
      ] as const
    ).map(([what, code, error], i): [string, () => string, string] => [
      `${what} (spawned: the error reaches the process)`,
      () =>
        write(
          `escape${i}.js`,
          `${code}\nconst { machine: m } = require('ptefuzz');\nmodule.exports = { reader: { name: 'r', arch: 'x86-pae', contract: 'exact', read: function* (p) { yield m.begin({ name: 'r', role: 'reader', subject: p.name, locs: p.locs }); const v = yield m.READ_ONCE(p.low); yield m.end(v); return v; } } };\n`,
        ),
      `escape${i}.js: an error escaped the module outside any read (from a timer or a promise it started): ${error}`,
    ]),
  ];
  // cases run by the built binary: the typescript package loaded by dist/, and V8's position of the error there; an
  // error escaping a module's timer or promise, which ends the process
  const spawned = (what: string) => what === 'syntax error (.ts)' || what.includes('(spawned');
  for (const [what, make, message] of cases) {
    test(what, async () => {
      const file = make();
      const args = [
        'fuzz',
        '--reader-module',
        file,
        '--runs',
        '1',
        '--seed',
        '1',
        '--crashes',
        tmp(),
        '--corpus',
        tmp(),
      ];
      const r = spawned(what) ? cli(args) : await cliInProcess(args);
      expect(r.code).toBe(2);
      expect(hasStackTrace(r.stderr)).toBe(false);
      // an error escaping a timer or promise comes once the campaign has begun: under its INFO line
      expect(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => !l.startsWith('INFO: ')),
      ).toHaveLength(1);
      expect(r.stderr).toContain(`ptefuzz: ${file}`);
      expect(r.stderr).toContain(message);
      if (what.startsWith('reads a field'))
        expect(r.stderr).toMatch(/, loc \("pte0"\), index \(number 0\), block \(\[…\]\), locs/);
    });
  }

  test('every command that resolves a reader accepts --reader-module', async () => {
    const f = join(dir, 'nope.js');
    for (const args of [
      ['explore', '--scenario', 's2-pae-zap-reestablish'],
      ['replay', join(ROOT, 'crashes')],
      [
        'show',
        join(
          ROOT,
          'crashes',
          readdirSync(join(ROOT, 'crashes')).find((x) => x.endsWith('.msgpack'))!,
        ),
      ],
      ['minimize', tmp()],
      ['list'],
    ]) {
      const r = await cliInProcess([...args, '--reader-module', f]);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr.trim(), args[0]).toBe(`ptefuzz: ${f}: no such file (--reader-module)`);
    }
  });

  test("every command's --help names the extensions the loader takes", async () => {
    for (const cmd of ['fuzz', 'explore', 'replay', 'show', 'minimize', 'check', 'merge', 'list', 'matrix']) {
      const help = (await cliInProcess([cmd, '--help'])).stdout.replace(/\s+/g, ' ');
      expect(help, cmd).toContain(
        '--reader-module <path> load user readers from a .js/.cjs/.mjs/.ts/.mts/.cts module and register them',
      );
    }
    const f = join(dir, 'reader.txt');
    writeFileSync(f, '');
    expect((await cliInProcess(['list', '--reader-module', f])).stderr).toBe(
      `ptefuzz: ${f}: expected a reader module ending in .js, .cjs, .mjs, .ts, .mts, .cts\n`,
    );
  });
});

describe('--reader-module: readers named after Object.prototype members are readers like any other', () => {
  test('check names their expectations (was: TypeError for `constructor`); fuzz runs them with their clauses', async () => {
    const dir = tmp();
    const mod = join(dir, 'proto.js');
    writeFileSync(
      mod,
      readFileSync(join(ROOT, BUGGY), 'utf8')
        .replaceAll('ptep_get_lockless_normb', 'constructor')
        .replaceAll('ptep_get_recheck_high', '__proto__'),
    );
    const scn = join(dir, 'proto.scn');
    writeFileSync(
      scn,
      'scenario proto-readers\narch x86-pae\npte pte = {0x00010001:0x00010067}\nreader constructor\n' +
        'reader __proto__ expect bug under sc\ncpu A {\n  reader(pte)\n}\ncpu B {\n  pte_clear(pte)\n' +
        '  set_pte(pte, {0x00010002:0x00020067})\n}\n',
    );
    const r = await cliInProcess(['check', scn, '--reader-module', mod]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('readers constructor, __proto__ (expect bug under sc)\n');
    // `bug under sc`: __proto__ runs under tso (the arch's) and sc; constructor, with no clause, under tso only
    const f = await fuzzJson(['--reader-module', mod, '--scenario', scn, '--runs', '1', '--seed', '1']);
    expect(f.code).not.toBe(2);
    expect(f.summary.targets.map((t) => `${t.reader} ${t.model}`).sort()).toEqual([
      '__proto__ sc',
      '__proto__ tso',
      'constructor tso',
    ]);
  });
});
