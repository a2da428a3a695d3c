import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Packr, Unpackr } from 'msgpackr';
import { describe, expect, test } from 'vitest';
import { corpusFolderName, encodeCorpusEntry } from '../../src/crash';
import { ROOT, cli, cliInProcess, hasStackTrace } from '../support/cli';

/*
 * Most cases run the command in this process (cliInProcess: what it prints and the code it returns); a few run the
 * built binary, for its exit status and stderr as a process: `replay crashes/` (exit 0), a truncated crash file and an
 * unknown reader (exit 2, one line), and the replay command `sh` runs as `show` printed it.
 */
const oneLine = (s: string): void => {
  expect(s.trim().split('\n')).toHaveLength(1);
  expect(hasStackTrace(s)).toBe(false);
};

describe('bad input: one line, exit 2, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-bad-'));
  const good = readdirSync(join(ROOT, 'crashes')).find((f) => f.endsWith('.msgpack'))!;
  const bytes = readFileSync(join(ROOT, 'crashes', good));

  test('replay crashes/ succeeds', () => {
    const r = cli(['replay', 'crashes/']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/crash file\(s\): (\d+) reproduced, 0 not reproduced, 0 unreadable/);
  });

  test('truncated crash file', () => {
    const f = join(dir, 'truncated.msgpack');
    writeFileSync(f, bytes.subarray(0, bytes.length - 10));
    const r = cli(['replay', f]);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain(f);
  });

  test('garbage crash file', async () => {
    const f = join(dir, 'garbage.msgpack');
    writeFileSync(f, 'GIF89a not a crash file');
    const r = await cliInProcess(['replay', f]);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain(f);
  });

  test('unknown format version', async () => {
    const f = join(dir, 'future.msgpack');
    const obj = new Unpackr({ useRecords: false }).unpack(bytes) as Record<string, unknown>;
    writeFileSync(f, new Packr({ useRecords: false }).pack({ ...obj, version: 7 }));
    const r = await cliInProcess(['show', f]);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain(`${f}: unsupported crash file format version 7`);
  });

  test('a crash file naming a reader of another architecture: one line, not a TypeError', async () => {
    const pae = readdirSync(join(ROOT, 'crashes')).find((f) => f.startsWith('s1-pae-double-refault.ptep_get.'))!;
    const obj = new Unpackr({ useRecords: false }).unpack(readFileSync(join(ROOT, 'crashes', pae))) as object;
    const f = join(dir, 'cross-arch.msgpack');
    writeFileSync(f, new Packr({ useRecords: false }).pack({ ...obj, reader: '__ptep_get' }));
    for (const cmd of ['replay', 'show', 'minimize']) {
      const r = await cliInProcess([cmd, f]);
      expect(r.code, cmd).toBe(2);
      oneLine(r.stderr);
      expect(r.stderr).toContain(
        `${f}: reader "__ptep_get" reads arm64 ptes, scenario s1-pae-double-refault is x86-pae`,
      );
    }
  });

  test('a trace edited to hold a value out of range: replay and show say so, in one line', async () => {
    const obj = new Unpackr({ useRecords: false }).unpack(bytes) as { trace: number[] };
    expect(obj.trace.length).toBeGreaterThan(0);
    const f = join(dir, 'edited-trace.msgpack');
    writeFileSync(f, new Packr({ useRecords: false }).pack({ ...obj, trace: [99, ...obj.trace.slice(1)] }));
    const note =
      /note: trace value 0 is 99, where the execution offered (\d+) options \(a (sched|rf|drain|op) choice, 0–(\d+)\): it wrapped to (\d+) — ptefuzz never records such a value: the trace was edited or damaged, and this run may not be the recorded one\n/;
    const r = await cliInProcess(['replay', f]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    const m = note.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const n = Number(m![1]);
    expect(Number(m![3])).toBe(n - 1);
    expect(Number(m![4])).toBe(99 % n);
    expect(r.stdout.startsWith(`${f}: note: trace value 0`)).toBe(true);
    const shown = await cliInProcess(['show', f]);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toMatch(note);
    expect(shown.stderr.startsWith(`${f}: note: trace value 0`), shown.stderr).toBe(true);
    // the file as ptefuzz wrote it: no note
    expect((await cliInProcess(['replay', join(ROOT, 'crashes', good)])).stdout).not.toContain('note: trace');
  });

  test('a folder with one bad file among good ones: the good ones still replay, exit 2', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ptefuzz-mixed-'));
    copyFileSync(join(ROOT, 'crashes', good), join(d, good));
    writeFileSync(join(d, 'zz-bad.msgpack'), 'x');
    const r = await cliInProcess(['replay', d]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('1 reproduced');
  });

  test('a file reached twice (a folder given twice, a file and its folder) is replayed and minimized once', async () => {
    // was: `replay c c` replayed and counted every file twice; `minimize c c` rewrote each twice
    const d = mkdtempSync(join(tmpdir(), 'ptefuzz-twice-'));
    copyFileSync(join(ROOT, 'crashes', good), join(d, good));
    const r = await cliInProcess(['replay', d, d, join(d, good), join(d, '..', basename(d), good)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 crash file(s): 1 reproduced, 0 not reproduced, 0 unreadable');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('REPRODUCED'))).toHaveLength(1);
    const m = await cliInProcess(['minimize', d, d, '--schedules', '0']);
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(/^1 crash file\(s\)/m);
    expect(readdirSync(d)).toEqual([good]);
  });

  test('an empty path, a folder given to show: say so, not ENOENT/EISDIR', async () => {
    for (const cmd of ['replay', 'minimize']) {
      const r = await cliInProcess([cmd, '']);
      expect(r.code, cmd).toBe(2);
      expect(r.stderr).toBe(
        "ptefuzz: '': an empty path was given (expected a crash file or a folder of crash files)\n",
      );
    }
    expect((await cliInProcess(['show', ''])).stderr).toBe(
      "ptefuzz: '': an empty path was given (expected a crash file)\n",
    );
    expect((await cliInProcess(['merge', dir, ''])).stderr).toBe(
      "ptefuzz: '': an empty path was given (expected a crash or corpus folder)\n",
    );
    // was: "ptefuzz: : cannot read (ENOENT)"
    for (const cmd of ['check', 'litmus']) {
      const r = await cliInProcess([cmd, '']);
      expect(r.code, cmd).toBe(2);
      expect(r.stderr, cmd).toBe("ptefuzz: '': an empty path was given (expected a .scn or .litmus file)\n");
    }
    const s = await cliInProcess(['show', 'crashes']);
    expect(s.code).toBe(2);
    expect(s.stderr).toBe(
      'ptefuzz: crashes: a folder, not a crash file (show takes one crash file; replay and minimize take folders)\n',
    );
  });

  test('deeply nested input (20000 parentheses, 2000 ifs): check, litmus and explore --scenario say so in one line', async () => {
    // was: RangeError: Maximum call stack size exceeded, and its stack trace
    const scn = join(dir, 'deep.scn');
    writeFileSync(
      scn,
      `loc x: u32 = 0\ncpu A {\n  r0 = READ_ONCE(x)\n}\nexists (${'('.repeat(20000)}A:r0=1${')'.repeat(20000)})\n`,
    );
    const litmus = join(dir, 'deep.litmus');
    writeFileSync(
      litmus,
      'C deep\n{}\nP0(int *x, int *y)\n{\n\tint r0;\n\tr0 = READ_ONCE(*x);\n' +
        '\tif (r0) {\n'.repeat(2000) +
        '\tWRITE_ONCE(*y, 1);\n' +
        '\t}\n'.repeat(2000) +
        '}\nexists (y=1)\n',
    );
    const deepScn = `ptefuzz: ${scn}:5:209: expected conditions ('(' and '~') nested at most 200 deep, found '('\n`;
    const deepLitmus = `ptefuzz: ${litmus}:207:2: expected if statements ('if') nested at most 200 deep, found 'if'\n`;
    const runs: [readonly string[], string][] = [
      [['check', scn], deepScn],
      [['explore', '--scenario', scn], deepScn],
      [['litmus', litmus], deepLitmus],
      [['explore', '--scenario', litmus], deepLitmus],
    ];
    for (const [args, line] of runs) {
      // the first as a process (its own stack, exit status and stderr), the others in this process
      const r = args === runs[0]![0] ? cli(args) : await cliInProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe(line);
    }
  });

  test('a path that is no regular file (a FIFO, /dev/zero, a folder): one line naming it, before it is read', () => {
    // was: a FIFO hung check, litmus and explore; /dev/zero hung check and aborted litmus (std::bad_alloc, 134)
    const fifo = join(dir, 'pipe.litmus');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const folder = join(dir, 'folder.scn');
    mkdirSync(folder);
    const run = (args: readonly string[]): { code: number | null; stderr: string } => {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'ptefuzz.js'), ...args], {
        encoding: 'utf8',
        timeout: 15_000,
      });
      return { code: r.status, stderr: r.stderr };
    };
    const expected = '(expected a .scn or .litmus file)';
    const runs: [readonly string[], string][] = [
      [['check', fifo], `${fifo}: a FIFO (named pipe), not a regular file ${expected}`],
      [['litmus', fifo], `${fifo}: a FIFO (named pipe), not a regular file ${expected}`],
      [['explore', '--scenario', fifo], `${fifo}: a FIFO (named pipe), not a regular file ${expected}`],
      [['check', '/dev/zero'], `/dev/zero: a character device, not a regular file ${expected}`],
      [['litmus', '/dev/zero'], `/dev/zero: a character device, not a regular file ${expected}`],
      [['check', folder], `${folder}: a folder, not a regular file ${expected}`],
      [
        ['list', '--reader-module', fifo],
        `${fifo}: is a FIFO (named pipe), not a regular file; expected a reader module (.js, .cjs, .mjs, .ts, .mts, .cts)`,
      ],
    ];
    for (const [args, line] of runs) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe(`ptefuzz: ${line}\n`);
    }
    // crash files: given, or met in a folder (replay counts it unreadable); a corpus entry that is a FIFO is skipped
    const crashFifo = join(dir, 'pipes', 'pipe.msgpack');
    mkdirSync(dirname(crashFifo));
    expect(spawnSync('mkfifo', [crashFifo]).status).toBe(0);
    const notCrash = `ptefuzz: ${crashFifo}: a FIFO (named pipe), not a regular file (expected a crash file)\n`;
    for (const args of [
      ['show', crashFifo],
      ['replay', crashFifo],
      ['replay', dirname(crashFifo)],
      ['minimize', crashFifo],
    ]) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe(notCrash);
    }
    // a symbolic link is followed: one to a scenario file is that file
    const link = join(dir, 'link.scn');
    symlinkSync(join(ROOT, 'test', 'fixtures', 'serialised-writers.scn'), link);
    const linked = run(['check', link]);
    expect(linked.stderr).toBe('');
    expect(linked.code).toBe(0);
  });

  test('unknown reader lists the valid ones', () => {
    const r = cli(['fuzz', '--reader', 'ptep_get_lockles', '--runs', '1']);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain(
      'unknown reader "ptep_get_lockles"; valid: ptep_get_lockless, ptep_get, ptep_get_atomic64',
    );
  });

  test('unknown scenario lists the valid ones', async () => {
    const r = await cliInProcess(['fuzz', '--scenario', 's9', '--runs', '1']);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain('unknown scenario "s9"; valid: s1-pae-double-refault,');
    expect(r.stderr).toMatch(/, s12-arm64-khugepaged-gup-fast-ipi, or a \.scn or \.litmus file\n$/);
  });

  test('unknown engine lists every engine the command takes, as its --help does', async () => {
    const cases: [string, string][] = [
      ['fuzz', 'coverage, random, pct, jsfuzz'],
      ['matrix', 'random, pct, exhaustive'],
    ];
    for (const [cmd, valid] of cases) {
      const r = await cliInProcess([cmd, '--engine', 'randm']);
      expect(r.code, cmd).toBe(2);
      expect(r.stderr).toBe(`ptefuzz: unknown engine "randm"; valid: ${valid}\n`);
      expect((await cliInProcess([cmd, '--help'])).stdout.replace(/\s+/g, ' ')).toContain(
        `engine: ${valid.replaceAll(', ', ' | ')}`,
      );
    }
  });

  test("no scenario uses the reader: say why (its architecture and the scenarios', or not named by them)", async () => {
    const cases: [string[], string][] = [
      [
        [
          'fuzz',
          ...['--reader-module', 'harness/readers/pae-buggy.js', '--reader', 'ptep_get_lockless_normb'],
          ...['--scenario', 's5-contpte-unfold-gather', '--runs', '1'],
        ],
        'ptefuzz: no scenario among s5-contpte-unfold-gather uses reader(s) ptep_get_lockless_normb: ptep_get_lockless_normb reads x86-pae ptes, scenario s5-contpte-unfold-gather is arm64\n',
      ],
      [
        [
          'matrix',
          ...['--reader', 'ptep_get_lockless', '--scenario', 's5-contpte-unfold-gather'],
          ...['--scenario', 'ext-sw-bits-zap-refault'],
        ],
        'ptefuzz: no scenario among s5-contpte-unfold-gather, ext-sw-bits-zap-refault uses reader(s) ptep_get_lockless: ptep_get_lockless reads x86-pae ptes, the scenarios are arm64 and arm64-ext-sw\n',
      ],
      [
        ['explore', '--reader', 'ptep_get', '--scenario', 's11-pae-file-zap-early-rmap'],
        'ptefuzz: no scenario among s11-pae-file-zap-early-rmap uses reader(s) ptep_get: ptep_get is a built-in x86-pae reader: it runs only on the scenarios that name it\n',
      ],
      // one named reader of two runs nowhere: an error too, not a campaign that silently leaves it out
      ...['fuzz', 'matrix', 'explore'].map((cmd): [string[], string] => [
        [cmd, '--scenario', 's1-pae-double-refault', '--reader', 'ptep_get', '--reader', 'contpte_ptep_get'],
        'ptefuzz: no scenario among s1-pae-double-refault uses reader(s) contpte_ptep_get: contpte_ptep_get reads arm64 ptes, scenario s1-pae-double-refault is x86-pae\n',
      ]),
    ];
    for (const [args, line] of cases) {
      const r = await cliInProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(line);
    }
  });

  test('bad flags', async () => {
    for (const args of [
      ['fuzz', '--runs', 'many'],
      ['fuzz', '--seed', '-1'],
      ['fuzz', '--model', 'arm'],
      ['fuzz', '--engine', 'afl'],
      ['fuzz', '--frobnicate'],
      ['bogus-command'],
      ['fuzz', '--jobs', '0', '--runs', '1'],
      ['fuzz', '--jobs', 'two', '--runs', '1'],
      ['fuzz', '--jobs', '1.5', '--runs', '1'],
      ['fuzz', '--jobs', '100000', '--runs', '1'],
      ['fuzz', '--shard', '0/4', '--seed', '1', '--runs', '1'],
      ['fuzz', '--shard', '5/4', '--seed', '1', '--runs', '1'],
      ['fuzz', '--shard', '2', '--seed', '1', '--runs', '1'],
      ['fuzz', '--shard', '1/0', '--seed', '1', '--runs', '1'],
      ['fuzz', '--shard', '1/4', '--runs', '1'],
    ]) {
      const r = await cliInProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      oneLine(r.stderr);
    }
  });

  test('--jobs and --shard name the flag and what was expected', async () => {
    const jobs = await cliInProcess(['fuzz', '--jobs', '0', '--runs', '1']);
    expect(jobs.stderr).toContain("option '--jobs <n>' argument '0' is invalid. expected a number of worker threads");
    const shard = await cliInProcess(['fuzz', '--shard', '0/4', '--seed', '1', '--runs', '1']);
    expect(shard.stderr).toContain('expected i/N with 1 ≤ i ≤ N (shards are numbered from 1');
    const seedless = await cliInProcess(['fuzz', '--shard', '2/4', '--runs', '1']);
    expect(seedless.stderr).toBe(
      'ptefuzz: --shard 2/4 needs --seed: every shard must run the same campaign (e.g. --seed 1)\n',
    );
  });

  test('a one-value flag given twice, an empty path, a too large number: one line naming the flag', async () => {
    const cases: [string[], string][] = [
      [
        ['fuzz', '--contract', 'exact', '--contract', 'non-torn', '--runs', '1'],
        "ptefuzz: option '--contract <name>' given twice ('exact', then 'non-torn'): expected one value (it is not repeatable)\n",
      ],
      [
        ['matrix', '--seed', '1', '--seed', '2'],
        "ptefuzz: option '--seed <n>' given twice ('1', then '2'): expected one value (it is not repeatable)\n",
      ],
      [
        ['fuzz', '--corpus', '', '--runs', '1'],
        "ptefuzz: option '--corpus <dir>' argument '' is invalid. expected a path, found an empty string.\n",
      ],
      [
        ['fuzz', '--runs', '99999999999999999999'],
        "ptefuzz: option '--runs <n>' argument '99999999999999999999' is invalid. expected a positive integer (at most 9007199254740991).\n",
      ],
      [['fuzz', '--corpsu', 'x'], "ptefuzz: unknown option '--corpsu' (Did you mean --corpus?)\n"],
    ];
    for (const [args, line] of cases) {
      const r = await cliInProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(line);
    }
  });

  test('a repeatable flag given the same value twice counts it once', async () => {
    const r = await cliInProcess([
      'fuzz',
      '--engine',
      'random',
      '--scenario',
      's2-pae-zap-reestablish',
      '--scenario',
      's2-pae-zap-reestablish',
      '--reader',
      'ptep_get_lockless',
      '--reader',
      'ptep_get_lockless',
      '--model',
      'sc',
      '--model',
      'sc',
      '--seed',
      '1',
      '--seed',
      '1',
      '--runs',
      '2',
      '--json',
      '--crashes',
      mkdtempSync(join(tmpdir(), 'ptefuzz-dup-')),
    ]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { targets: unknown[]; executions: number }).targets).toHaveLength(1);
  });

  test('list and list --json describe the same catalogue', async () => {
    const text = await cliInProcess(['list']);
    const json = await cliInProcess(['list', '--json']);
    expect(text.code).toBe(0);
    expect(json.code).toBe(0);
    const c = JSON.parse(json.stdout) as {
      scenarios: { name: string }[];
      readers: { name: string }[];
      models: string[];
    };
    for (const s of c.scenarios) expect(text.stdout).toContain(s.name);
    for (const r of c.readers) expect(text.stdout).toContain(r.name);
    expect(c.models).toEqual(['sc', 'tso', 'weak']);
  });
});

describe('a path that needs shell quoting', () => {
  test('show prints a replay command that sh runs as printed', async () => {
    const good = readdirSync(join(ROOT, 'crashes')).find((f) => f.endsWith('.msgpack'))!;
    const d = join(mkdtempSync(join(tmpdir(), 'ptefuzz-quote-')), "it's a $(dir)");
    mkdirSync(d);
    const f = join(d, good);
    copyFileSync(join(ROOT, 'crashes', good), f);
    const s = await cliInProcess(['show', f]);
    expect(s.code).toBe(0);
    const line = s.stdout.split('\n').find((l) => l.startsWith('replay: '))!;
    expect(line).toBe(`replay: npx ptefuzz replay '${f.replace("'", "'\\''")}'`);
    const cmd = line.slice('replay: '.length).replace('npx ptefuzz', `"${process.execPath}" bin/ptefuzz.js`);
    const r = spawnSync('/bin/sh', ['-c', cmd], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`REPRODUCED ${f}:`);
  });

  test('fuzz prints quoted replay commands for a crash folder that needs it', async () => {
    const d = join(mkdtempSync(join(tmpdir(), 'ptefuzz-quote-')), "it's a $(dir)");
    const r = await cliInProcess(
      ['fuzz', '--scenario', 's10-pae-dontneed-refault-free-before-flush', '--reader', 'ptep_get_lockless'].concat([
        '--engine',
        'random',
        '--runs',
        '3',
        '--seed',
        '1',
        '--crashes',
        d,
      ]),
    );
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.includes('npx ptefuzz replay'));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/npx ptefuzz replay '[^']*it'\\''s a \$\(dir\)\/[^']*\.msgpack'$/);
  });
});

describe('replay and minimize search folders to every depth', () => {
  const S1 = 's1-pae-double-refault.ptep_get.non-torn.sc.torn.03f505568fbd.msgpack';
  const S2 = 's2-pae-zap-reestablish.ptep_get.non-torn.sc.torn.22b9400becc7.msgpack';
  const entry = { scenario: 's2-pae-zap-reestablish', reader: 'ptep_get', contract: 'non-torn', model: 'sc' };

  /** The layout of README's GNU parallel example: out/shard-N/{crashes,corpus}, shard 3 found nothing. */
  function shards(): string {
    const out = mkdtempSync(join(tmpdir(), 'ptefuzz-shards-'));
    for (const n of [1, 2, 3]) mkdirSync(join(out, `shard-${n}`, 'crashes'), { recursive: true });
    copyFileSync(join(ROOT, 'crashes', S2), join(out, 'shard-1', 'crashes', S2));
    copyFileSync(join(ROOT, 'crashes', S1), join(out, 'shard-2', 'crashes', S1));
    copyFileSync(join(ROOT, 'crashes', S2), join(out, 'shard-2', 'crashes', S2));
    const corpus = join(out, 'shard-1', 'corpus', corpusFolderName(entry));
    mkdirSync(corpus, { recursive: true });
    writeFileSync(join(corpus, '0123456789abcdef.msgpack'), encodeCorpusEntry(entry, [0, 1]));
    return out;
  }

  test('replay out/ over shard folders replays every crash file below it, in path order; corpus entries skipped', async () => {
    const out = shards();
    const r = await cliInProcess(['replay', `${out}/`]);
    expect(r.code).toBe(0);
    const replayed = [...r.stdout.matchAll(/^REPRODUCED (\S+): /gm)].map((m) => m[1]);
    expect(replayed).toEqual([
      join(out, 'shard-1', 'crashes', S2),
      join(out, 'shard-2', 'crashes', S1),
      join(out, 'shard-2', 'crashes', S2),
    ]);
    expect(r.stdout).toMatch(/^3 crash file\(s\): 3 reproduced, 0 not reproduced, 0 unreadable$/m);
    expect(r.stderr).toBe(`INFO: ${out}/: 1 corpus entry (format ptefuzz-corpus) skipped\n`);
    // one folder, with or without its trailing slash, is a folder: one line per file, no diagrams; one file: its diagram
    const bare = await cliInProcess(['replay', out]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toBe(r.stdout);
    expect(r.stdout).not.toContain('reference history');
    expect((await cliInProcess(['replay', join(out, 'shard-2', 'crashes', S1)])).stdout).toContain('reference history');
    // minimize too (every witness is already minimal: nothing rewritten, whatever its schedule search ran)
    const m = await cliInProcess(['minimize', out]);
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(
      /^3 crash file\(s\): 0 rewritten, 3 already minimal, 0 not reproduced, 0 unreadable(; schedule search: \d+ execution\(s\))?$/m,
    );
  });

  test('no crash file found at all is one line naming the paths, exit 2 — not "0 crash file(s)", exit 0', async () => {
    const out = shards();
    const empty = [join(out, 'shard-3'), join(out, 'shard-1', 'corpus')];
    for (const cmd of ['replay', 'minimize']) {
      const r = await cliInProcess([cmd, ...empty]);
      expect(r.code, cmd).toBe(2);
      expect(r.stdout, cmd).toBe('');
      expect(r.stderr, cmd).toBe(
        `ptefuzz: ${empty.join(', ')}: no crash file found (expected crash files, or folders holding *.msgpack crash files at any depth; only 1 corpus entry (format ptefuzz-corpus), skipped): nothing was checked\n`,
      );
    }
    // one empty folder beside crash files: a warning, and the files given are checked
    const r = await cliInProcess(['replay', join(out, 'shard-3'), join(out, 'shard-1')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1 crash file\(s\): 1 reproduced/m);
    expect(r.stderr).toContain(
      `ptefuzz: warning: ${join(out, 'shard-3')}: no crash file (*.msgpack) in this folder or below\n`,
    );
    const good = await cliInProcess(['replay', 'crashes/']);
    expect(good.stderr).toBe('');
  });
});
