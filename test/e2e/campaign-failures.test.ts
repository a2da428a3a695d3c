/**
 * What a long campaign does when something under it fails: the crash folder
 * cannot be written (disk full, a file size limit, a folder made read-only),
 * a worker thread dies (out of memory, a reader module that calls
 * process.exit), the terminal is closed (SIGHUP). In every case the campaign
 * stops after the current run, prints its summary, keeps every finding — a
 * crash file it could not write is printed as a command that writes it — and
 * says in one line why it stopped (exit 2), never a stack trace.
 * Fixed seeds and run counts; synchronised on the campaign's own output.
 */
import type { SpawnSyncReturns } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadCrash } from '../../src/crash';
import { deathReason } from '../../src/cli/parallel';
import { ROOT, cli, cliInProcess, hasStackTrace } from '../support/cli';
import { paeReaderModule } from '../support/hang-readers';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-fail-'));
const BIN = join(ROOT, 'bin', 'ptefuzz.js');
const S2 = ['--scenario', 's2-pae-zap-reestablish', '--engine', 'random', '--seed', '1'];

interface Summary {
  interrupted: boolean;
  divergences: { reader: string; class: string; file: string }[];
  writeFailures?: { file: string; message: string }[];
  workerDeaths?: { job: number; target?: string; run: number; reason: string }[];
}

describe('fuzz: a crash folder that cannot be written', () => {
  test('the finding is printed as a command that writes its crash file; summary, one line, exit 2', async () => {
    const dir = tmp();
    const crashes = join(dir, 'crashes');
    // RLIMIT_FSIZE: a crash file (~1.4 KB) cannot be written (EFBIG), as on a full disk; stdout/stderr are pipes
    const quoted = [BIN, 'fuzz', ...S2, '--runs', '300', '--crashes', crashes, '--json'].map((a) => `'${a}'`);
    const r = spawnSync('sh', ['-c', `ulimit -f 1; exec '${process.execPath}' ${quoted.join(' ')}`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.status).toBe(2);
    const name = /cannot write the crash file (\S+\.msgpack) \(file too large/.exec(r.stderr)?.[1];
    expect(name).toMatch(/^s2-pae-zap-reestablish\.ptep_get\.non-torn\.tso\.torn\.[0-9a-f]{12}\.msgpack$/);
    expect(readdirSync(crashes).filter((f) => f.endsWith('.msgpack'))).toEqual([]);
    // the summary is printed, the finding listed as not saved, and the last line says why the campaign stopped
    expect(r.stderr).toMatch(/^Done: \d+ executions \(\d+ runs\) in [\d.]+ s/m);
    expect(r.stderr).toContain(`  NOT SAVED: ${name}`);
    const last = r.stderr.trim().split('\n').pop()!;
    expect(last).toMatch(/^ptefuzz: 1 crash file could not be written \(first: .*crashes: cannot write the crash file/);
    const sum = JSON.parse(r.stdout) as Summary;
    expect(sum.divergences.map((d) => [d.reader, d.class])).toEqual([['ptep_get', 'torn']]);
    expect(sum.writeFailures?.map((w) => w.file)).toEqual([join(crashes, name!)]);
    // the printed command writes the crash file; it loads and is the torn ptep_get witness
    const echo = r.stderr.split('\n').find((l) => l.startsWith('\techo '))!;
    expect(echo).toMatch(new RegExp(`\\| base64 -d > ${name!.replace(/\./g, '\\.')}$`));
    const out = tmp();
    expect(spawnSync('sh', ['-c', echo.trim()], { cwd: out }).status).toBe(0);
    const rec = loadCrash(join(out, name!));
    expect([rec.reader, rec.model, rec.verdict.class]).toEqual(['ptep_get', 'tso', 'torn']);
    const replay = await cliInProcess(['replay', join(out, name!)]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('REPRODUCED');
  });
});

describe('fuzz: a corpus folder that cannot be written', () => {
  test('one warning per worker, the entries stay in memory, the campaign runs to its end and counts them', () => {
    const dir = tmp();
    const corpus = join(dir, 'corpus');
    // RLIMIT_FSIZE 0: no regular file can get a byte (stdout and stderr are pipes); a correct reader, so no crash file
    const args = ['fuzz', '--scenario', 's2-pae-zap-reestablish', '--reader', 'ptep_get_lockless', '--seed', '1'];
    const quoted = [BIN, ...args, '--runs', '300', '--crashes', join(dir, 'crashes'), '--corpus', corpus];
    const r = spawnSync(
      'sh',
      ['-c', `ulimit -f 0; exec '${process.execPath}' ${quoted.map((a) => `'${a}'`).join(' ')}`],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.status).toBe(0);
    const folder = join(corpus, 's2-pae-zap-reestablish.ptep_get_lockless.non-torn.tso');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('ptefuzz:'))).toEqual([
      `ptefuzz: warning: ${folder}: cannot write the corpus (file too large (a file size limit: ulimit -f), EFBIG); new entries are kept in memory only and the campaign goes on (the summary counts them)`,
    ]);
    expect(r.stderr).toMatch(/^Done: 300 executions \(300 runs\) in [\d.]+ s$/m);
    const info =
      /^INFO: corpus .*: 0 entries loaded, 0 new entries saved, (\d+) new entries NOT saved \(write errors; kept in memory only\)$/m.exec(
        r.stderr,
      );
    expect(Number(info?.[1])).toBeGreaterThan(1);
    expect(readdirSync(folder)).toEqual([]);
  });
});

/**
 * A correct PAE lockless reader (low, rmb, high, rmb, re-read low; retry) that, on its `at`-th call, moves its own
 * corpus target folder away and leaves a file in its place — the folder removed or replaced while the campaign runs.
 */
function folderSwappingReaderModule(corpus: string, at: number): string {
  const folder = join(corpus, 's2-pae-zap-reestablish.ptep_get_lockless_swap.non-torn.tso');
  const file = join(tmp(), 'pae-swap.js');
  writeFileSync(
    file,
    paeReaderModule({
      name: 'ptep_get_lockless_swap',
      source: 'include/linux/pgtable.h ptep_get_lockless() LOW_HIGH (test: replaces its corpus folder by a file)',
      summary: 'low, rmb, high, rmb, re-read low; retry if low changed',
      requires: "const { renameSync, writeFileSync } = require('node:fs');\n",
      helpers: 'begin, end, plain_read, retry, smp_rmb',
      head: 'let calls = 0;\n',
      start: `  if (++calls === ${at}) {
    renameSync(${JSON.stringify(folder)}, ${JSON.stringify(`${folder}.moved`)});
    writeFileSync(${JSON.stringify(folder)}, 'a file where the folder was');
  }
`,
      body: `  let lo;
  let hi;
  for (;;) {
    lo = yield plain_read(ptep.low);
    yield smp_rmb();
    hi = yield plain_read(ptep.high);
    yield smp_rmb();
    if (lo === (yield plain_read(ptep.low))) break;
    yield retry();
  }
  const pte = kernel.paeValue(hi, lo);
  yield end(pte);
  return pte;
`,
    }),
  );
  return file;
}

describe('fuzz: a corpus target folder replaced by a file while the campaign runs', () => {
  test('one warning naming it, the entries stay in memory, the campaign runs to its end with its summary', () => {
    const dir = tmp();
    const corpus = join(dir, 'corpus');
    const folder = join(corpus, 's2-pae-zap-reestablish.ptep_get_lockless_swap.non-torn.tso');
    const module = folderSwappingReaderModule(corpus, 60);
    const r = cli([
      'fuzz',
      '--scenario',
      's2-pae-zap-reestablish',
      '--reader-module',
      module,
      '--reader',
      'ptep_get_lockless_swap',
      '--seed',
      '1',
      '--runs',
      '300',
      '--crashes',
      join(dir, 'crashes'),
      '--corpus',
      corpus,
    ]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    // was: exit 2 at the next new entry, `FOLDER: not a folder (…: move the file away)` and no summary
    expect(r.stderr.split('\n').filter((l) => l.startsWith('ptefuzz:'))).toEqual([
      `ptefuzz: warning: ${folder}: cannot write the corpus (not a folder: the corpus keeps each target's entries in a folder of this name); new entries are kept in memory only and the campaign goes on (the summary counts them)`,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Done: 300 executions \(300 runs\) in [\d.]+ s$/m);
    const info = /^INFO: corpus .*: 0 entries loaded, (\d+) new entries saved, (\d+) new entries NOT saved/m.exec(
      r.stderr,
    );
    // what was saved before the swap is whole in the moved folder; what came after is counted
    expect(readdirSync(`${folder}.moved`).filter((f) => f.endsWith('.msgpack')).length).toBe(Number(info?.[1]));
    expect(Number(info?.[1])).toBeGreaterThan(0);
    expect(Number(info?.[2])).toBeGreaterThan(0);
    expect(readFileSync(folder, 'utf8')).toBe('a file where the folder was');
  });
});

/** harness/readers/pae-spin.js, made to end its worker thread (`process.exit(3)`) on its `dieAt`-th raced read. */
function dyingReaderModule(dieAt: number): string {
  const src = readFileSync(join(ROOT, 'harness', 'readers', 'pae-spin.js'), 'utf8')
    .replace(/ptep_get_lockless_spin/g, 'ptep_get_lockless_exit')
    .replace('    while (true) {}\n', `    if (++raced === ${dieAt}) process.exit(3);\n`)
    .replace("const { kernel, machine } = require('ptefuzz');", '$&\nlet raced = 0;');
  expect(src).toContain('process.exit(3)');
  const file = join(tmp(), 'pae-exit.js');
  writeFileSync(file, src);
  return file;
}

describe('fuzz: a worker thread that dies', () => {
  test('--jobs 2, a worker ends itself on its 100th raced read: summary with what was found, one line per death, exit 2', async () => {
    const crashes = tmp();
    const module = dyingReaderModule(100);
    // in this process: the worker threads are what dies (a reader module's process.exit ends its thread only)
    const r = await cliInProcess([
      'fuzz',
      ...S2,
      '--reader-module',
      module,
      '--reader',
      'ptep_get_lockless_exit',
      '--reader',
      'ptep_get',
      '--runs',
      '400',
      '--jobs',
      '2',
      '--crashes',
      crashes,
      '--json',
    ]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr).not.toContain('internal bug');
    expect(r.code).toBe(2);
    // the first worker to die stops the campaign; the other may die too before it hears of it
    const deaths = r.stderr.split('\n').filter((l) => l.includes('worker thread died'));
    expect(deaths.length).toBeGreaterThanOrEqual(1);
    for (const l of deaths)
      expect(l).toMatch(
        /^ptefuzz: job [12]'s worker thread died \(exited with code 3\) during run \d+( of s2-pae-zap-reestablish ptep_get_lockless_exit non-torn tso)?; the campaign stopped \(any other job after its current run\): the summary above counts every execution judged, and the crash files found are written$/,
      );
    expect(r.stderr.trim().split('\n').pop()).toBe(deaths[deaths.length - 1]);
    const sum = JSON.parse(r.stdout) as Summary & { targets: { reader: string; executions: number }[] };
    expect(sum.interrupted).toBe(true);
    expect(sum.workerDeaths?.map((d) => d.reason)).toEqual(deaths.map(() => 'exited with code 3'));
    // what the workers judged before they died is counted, and ptep_get's tear (found in the first runs) is kept
    expect(sum.targets.find((t) => t.reader === 'ptep_get')!.executions).toBeGreaterThanOrEqual(40);
    expect(sum.divergences.filter((d) => d.reader === 'ptep_get').map((d) => d.class)).toContain('torn');
    for (const d of sum.divergences) expect(loadCrash(d.file).verdict.class).toBe(d.class);
    expect(r.stderr).toMatch(/^Done: \d+ executions \(\d+ runs\) in [\d.]+ s \(interrupted\)$/m);
  });
});

describe('deathReason', () => {
  test('names out of memory, an uncaught error and a bare exit in words', () => {
    const oom = Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), {
      code: 'ERR_WORKER_OUT_OF_MEMORY',
    });
    expect(deathReason(oom, 1)).toBe('out of memory, ERR_WORKER_OUT_OF_MEMORY');
    expect(deathReason(new RangeError('Maximum call stack size exceeded\n    at f (x.js:1:1)'), 1)).toBe(
      'RangeError: Maximum call stack size exceeded',
    );
    expect(deathReason('boom', 1)).toBe('threw boom');
    expect(deathReason(undefined, 3)).toBe('exited with code 3');
  });
});

describe('fuzz: SIGHUP (the terminal closed)', () => {
  test('stops the campaign after the current run, as SIGTERM does: summary, (interrupted), the campaign verdict as exit code', async () => {
    const crashes = tmp();
    // --runs far beyond what runs before the signal: the campaign ends only by it
    const p = spawn(
      process.execPath,
      [BIN, 'fuzz', ...S2, '--reader', 'ptep_get', '--runs', '100000000', '--crashes', crashes],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    let sent = false;
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (s: string) => {
      stderr += s;
      // after the first divergence is on disk (its replay line is printed once the file is written)
      if (!sent && /\treplay: .*\n/.test(stderr)) {
        sent = true;
        p.kill('SIGHUP');
      }
    });
    const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
      p.on('error', reject);
      p.on('exit', (c, s) => resolve({ code: c, signal: s }));
    });
    expect(sent).toBe(true);
    expect(signal).toBe(null);
    expect(code).toBe(1);
    expect(hasStackTrace(stderr)).toBe(false);
    expect(stderr).toContain('INFO: SIGHUP: stopping after the current run (send it again to abort at once)');
    expect(stderr).toMatch(/^Done: \d+ executions \(\d+ runs\) in [\d.]+ s \(interrupted\)$/m);
    expect(readdirSync(crashes).filter((f) => f.endsWith('.msgpack')).length).toBeGreaterThanOrEqual(1);
  });
});

/** Run bin/ptefuzz.js under `ulimit -f 1` (no crash file, ~1.4 KB, fits; stdout and stderr are pipes). */
function underFileSizeLimit(args: readonly string[]): SpawnSyncReturns<string> {
  const quoted = [BIN, ...args].map((a) => `'${a}'`);
  return spawnSync('sh', ['-c', `ulimit -f 1; exec '${process.execPath}' ${quoted.join(' ')}`], {
    cwd: ROOT,
    encoding: 'utf8',
  });
}

/** The printed `echo … | base64 -d > NAME` lines, each run in a fresh folder: the files they write replay. */
async function writtenByEchoLines(text: string): Promise<string[]> {
  const echoes = text.split('\n').filter((l) => l.startsWith('\techo '));
  const out = tmp();
  for (const e of echoes) expect(spawnSync('sh', ['-c', e.trim()], { cwd: out }).status).toBe(0);
  const files = readdirSync(out).map((f) => join(out, f));
  if (files.length > 0) {
    const replay = await cliInProcess(['replay', ...files]);
    expect(replay.code).toBe(0);
  }
  return readdirSync(out);
}

describe('explore and matrix: a crash folder that cannot be written', () => {
  test('explore prints every block, each unsaved finding with the command that writes it, and exits 2', async () => {
    const crashes = join(tmp(), 'crashes');
    const args = ['explore', '--scenario', 's2-pae-zap-reestablish', '--reader', 'ptep_get', '--crashes', crashes];
    const r = underFileSizeLimit(args);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.status).toBe(2);
    // the whole search was printed: the outcome set, the divergence and its witness, marked as not saved
    expect(r.stdout).toMatch(/^Executions \d+ \(traces\); the preemption bound 2 cut the search$/m);
    expect(r.stdout).toMatch(/^DIVERGENCE: 2 divergent state\(s\) within bound 2; .* — 1 of them NOT SAVED/m);
    expect(r.stdout).toContain('\treplay: none, the crash file was NOT SAVED (its bytes are above)');
    expect(r.stdout).not.toContain('\treplay: npx');
    expect(readdirSync(crashes).filter((f) => !f.startsWith('.'))).toEqual([]);
    const last = r.stderr.trim().split('\n').pop()!;
    expect(last).toMatch(/^ptefuzz: 1 crash file could not be written \(first: .*crashes: cannot write the crash file/);
    expect(last).toContain('explore searched every target all the same');
    expect(await writtenByEchoLines(r.stdout)).toEqual([
      expect.stringMatching(/^s2-pae-zap-reestablish\.ptep_get\.non-torn\.tso\.torn\.[0-9a-f]{12}\.msgpack$/),
    ]);
  });

  test('matrix prints its table and expectations, lists the unsaved files, and exits 2', async () => {
    const crashes = join(tmp(), 'crashes');
    const args = ['matrix', '--scenario', 's2-pae-zap-reestablish', '--reader', 'ptep_get', '--contract', 'non-torn'];
    const r = underFileSizeLimit([...args, '--model', 'tso', '--runs', '200', '--crashes', crashes]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^ {2}ptep_get +non-torn\* +tso +200 +\d+ +\d+ +0 +torn +bug$/m);
    expect(r.stdout).toContain('All 1 expectation(s) borne out.');
    const unsaved = r.stdout.split('\n').filter((l) => l.startsWith('  NOT SAVED: '));
    expect(unsaved.length).toBeGreaterThan(0);
    expect(r.stdout).not.toMatch(/^ {2}npx ptefuzz replay/m);
    const last = r.stderr.trim().split('\n').pop()!;
    expect(last).toMatch(
      new RegExp(
        `^ptefuzz: ${unsaved.length} crash files? could not be written .*the matrix ran every cell all the same`,
      ),
    );
    const written = await writtenByEchoLines(r.stderr);
    expect(written.sort()).toEqual(unsaved.map((l) => /NOT SAVED: .*\/([^/ ]+\.msgpack) /.exec(l)![1]!).sort());
  });
});
