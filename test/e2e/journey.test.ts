/**
 * The new user's path, run from a scratch folder outside the repository (node /path/to/bin/ptefuzz.js …),
 * as a kernel developer following README.md would.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CliResult } from '../support/cli';
import { ROOT, cli, cliInProcess, hasStackTrace } from '../support/cli';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-journey-'));
const BUGGY = join(ROOT, 'harness', 'readers', 'pae-buggy.js');
const HLH = join(ROOT, 'harness', 'readers', 'pae-hlh.ts');
const SCN = readFileSync(join(ROOT, 'corpus', 'mailing-list', 's1-pae-nx-double-refault.scn'), 'utf8');

describe('a user outside the repository', () => {
  test('the printed replay command runs as pasted (no `npx ptefuzz` that would ask the npm registry)', () => {
    const cwd = scratch();
    const r = cli(
      [
        ...['fuzz', '--reader-module', BUGGY, '--reader', 'ptep_get_recheck_high'],
        ...['--scenario', 's2-pae-zap-reestablish', '--model', 'sc', '--runs', '200', '--seed', '1'],
        ...['--crashes', 'crashes', '--corpus', 'corpus'],
      ],
      cwd,
    );
    expect(r.code).toBe(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
    const lines = r.stderr.split('\n').filter((l) => l.includes(' replay --reader-module '));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).not.toContain('npx ptefuzz');
    const cmd = lines[lines.length - 1]!.trim();
    expect(cmd.startsWith(`node ${join(ROOT, 'bin', 'ptefuzz.js')} replay --reader-module ${BUGGY} crashes/`)).toBe(
      true,
    );
    const rep = spawnSync('/bin/sh', ['-c', cmd], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` },
    });
    expect(rep.stdout).toContain('REPRODUCED crashes/');
    expect(rep.status).toBe(0);
  });

  test('a module reader diverging where every reader diverges (the S10 control) is told so, not left to look guilty', async () => {
    const cwd = scratch();
    const r = await cliInProcess(
      [
        ...['fuzz', '--reader-module', BUGGY, '--reader', 'ptep_get_lockless_normb'],
        ...['--scenario', 's10-pae-dontneed-refault-free-before-flush', '--scenario', 's2-pae-zap-reestablish'],
        ...['--model', 'sc', '--runs', '60', '--seed', '1', '--crashes', 'crashes', '--corpus', 'corpus'],
      ],
      cwd,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^s10-pae-dontneed-refault-free-before-flush +ptep_get_lockless_normb .* divergence$/m);
    const notes = r.stderr.split('\n').filter((l) => l.startsWith('note: '));
    expect(notes).toEqual([
      'note: every reader s10-pae-dontneed-refault-free-before-flush names is expected to diverge (ptep_get_lockless, ' +
        'ptep_get, ptep_get_atomic64: expect bug) — the kernel path it models is broken whatever the reader, so a ' +
        'divergence of ptep_get_lockless_normb there does not single it out',
    ]);
  });

  test('a torn read under weak that overlapped no writer in time does not say "did not race a writer"', async () => {
    const cwd = scratch();
    const r = await cliInProcess(
      [
        ...[
          'fuzz',
          '--reader-module',
          BUGGY,
          '--reader',
          'ptep_get_lockless_normb',
          '--scenario',
          's2-pae-zap-reestablish',
        ],
        ...['--model', 'weak', '--runs', '300', '--seed', '1', '--crashes', 'crashes', '--corpus', 'corpus', '--json'],
      ],
      cwd,
    );
    expect(r.code).toBe(1);
    const files = (JSON.parse(r.stdout) as { divergences: { file: string }[] }).divergences.map((d) => d.file);
    const heads: string[] = [];
    for (const f of files) {
      const show = await cliInProcess(['show', '--reader-module', BUGGY, f], cwd);
      expect(show.code).toBe(0);
      heads.push(show.stdout.split('\n').find((l) => l.startsWith('ptep_get_lockless_normb on CPU '))!);
    }
    expect(
      heads.some((h) =>
        h.includes('overlapped no writer in time, but could still read v0, which a writer had replaced'),
      ),
    ).toBe(true);
    for (const h of heads) expect(h).not.toContain('did not race a writer');
  });

  test('check --reader-module: a scenario naming a reader of the user’s module checks', async () => {
    const cwd = scratch();
    writeFileSync(
      join(cwd, 'mine.scn'),
      SCN.replace('reader ptep_get expect bug', 'reader ptep_get_lockless_hlh expect bug'),
    );
    const without = await cliInProcess(['check', 'mine.scn'], cwd);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain(
      "found 'ptep_get_lockless_hlh' (a reader of your own is known once its module is loaded: --reader-module PATH)",
    );
    const r = await cliInProcess(['check', '--reader-module', HLH, 'mine.scn'], cwd);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ptep_get_lockless_hlh (expect bug)');
  });
});

/**
 * The commands one after the other in `cwd`: in this process (the first describe runs the built binary as pasted),
 * but for `explore`, the built binary: its long search (~20 s CPU on the contpte example) costs ~20% more in this
 * process, where its hot loop runs vitest's transform of src/, than a node start saves.
 */
async function runAll(commands: readonly string[][], cwd: string): Promise<CliResult[]> {
  const results: CliResult[] = [];
  for (const c of commands) results.push(c[0] === 'explore' ? cli(c, cwd) : await cliInProcess(c, cwd));
  return results;
}

/** A README section (from its `## TITLE` to the next `## `) and the contents of its fenced blocks. */
function readmeSection(title: string): { section: string; blocks: string[] } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`## ${title}`);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return { section, blocks: [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => m[2]!) };
}

/** The blocks' `node $P …` lines (continuations joined), as argument vectors; `crashes/…msgpack` is `file`. */
function readmeCommands(blocks: readonly string[], file: string): string[][] {
  return blocks
    .filter((b) => b.includes('node $P'))
    .flatMap((b) => b.replace(/\\\n\s*/g, '').split('\n'))
    .filter((l) => l.startsWith('node $P '))
    .map((l) => l.replace(/#.*$/, '').trim().slice('node $P '.length).replace('crashes/…msgpack', file).split(/\s+/));
}

describe('README "Worked example: settling a proposed reader", run as written', () => {
  const { section, blocks } = readmeSection('Worked example: settling a proposed reader');
  const cwd = scratch();
  copyFileSync(HLH, join(cwd, 'pae-hlh.ts'));
  writeFileSync(join(cwd, 's1-pae-nx-double-refault.scn'), SCN);
  const P = join(ROOT, 'bin', 'ptefuzz.js');
  const FILE = 'crashes/s1-pae-nx-double-refault.ptep_get_lockless_hlh.non-torn.sc.torn.f2d75fbce4ef.msgpack';
  const commands = readmeCommands(blocks, FILE);

  test('the module in the README is the committed example', () => {
    const file = readFileSync(HLH, 'utf8');
    expect(blocks[0]!.trim().length).toBeGreaterThan(0);
    for (const line of blocks[0]!.trim().split('\n')) expect(file).toContain(line);
  });

  test('check, fuzz, explore, show, show --html, replay, minimize print what the README quotes', async () => {
    expect(commands.map((c) => c[0])).toEqual(['check', 'fuzz', 'explore', 'show', 'show', 'replay', 'minimize']);
    const [check, fuzz, explore, show, html, replay, minimize] = await runAll(commands, cwd);
    expect(check!.code).toBe(0);
    expect(check!.stdout).toContain(
      'OK s1-pae-nx-double-refault.scn: scenario s1-pae-nx-double-refault — x86-pae, model tso, 4 CPUs (A B C D); readers ',
    );
    expect(fuzz!.code).toBe(1);
    const table = blocks.find((b) => b.startsWith('scenario '))!.replace('/path/to/ptefuzz/bin/ptefuzz.js', P);
    expect(fuzz!.stderr).toContain(table);
    const witness = blocks.find((b) => b.startsWith('ptep_get_lockless_hlh on CPU 0'))!;
    expect(fuzz!.stderr).toContain(witness);
    expect(fuzz!.stderr).toContain('high half from v1, v3; low half from v2');
    expect(explore!.code).toBe(1);
    for (const q of [
      'Executions 3189 (traces); the preemption bound 2 cut the search',
      'Raced: the reader overlapped a writer in 2434 of 3189 executions',
      'no divergence within bound 2',
      '   8  {0x00000000:0x34567067}  torn',
      'DIVERGENCE: 1 divergent state(s) within bound 2',
      `replay --reader-module pae-hlh.ts ${FILE}`,
    ]) {
      expect(section.replace(/\s+/g, ' ')).toContain(q.trim().replace(/\s+/g, ' '));
      expect(explore!.stdout).toContain(q);
    }
    expect(show!.code).toBe(0);
    expect(show!.stdout).toContain(witness);
    expect(html!.code).toBe(0);
    expect(existsSync(join(cwd, 'hlh.html'))).toBe(true);
    expect(replay!.code).toBe(0);
    expect(replay!.stdout).toContain(`REPRODUCED ${FILE}: torn {0x00000000:0x34567067}`);
    expect(minimize!.code).toBe(0);
    expect(minimize!.stdout).toContain(`UNCHANGED ${FILE}:`);
  });
});

describe('README "Worked example: an arm64 contpte proposal", run as written', () => {
  const { section, blocks } = readmeSection('Worked example: an arm64 contpte proposal');
  const NOPFN = join(ROOT, 'harness', 'readers', 'contpte-nopfn.ts');
  const cwd = scratch();
  copyFileSync(NOPFN, join(cwd, 'contpte-nopfn.ts'));
  copyFileSync(
    join(ROOT, 'corpus', 'mailing-list', 'contpte-refold-other-folio.scn'),
    join(cwd, 'contpte-refold-other-folio.scn'),
  );
  const FILE =
    'crashes/contpte-refold-other-folio.contpte_ptep_get_lockless_nopfn.no-false-dirty.sc.false-dirty.3910c7c3bf01.msgpack';
  const commands = readmeCommands(blocks, FILE);

  test('the loop in the README is the committed module’s', () => {
    const file = readFileSync(NOPFN, 'utf8');
    for (const line of blocks[0]!.trim().split('\n')) expect(file).toContain(line.trim());
  });

  // the arm64 worked example: its `explore` is ~25 s of CPU, ~65 s beside two other test files on 2 cores, so a
  // limit of 300 s rather than 120 s (a safety net against a hang, not a time budget)
  test('check, fuzz, explore, show, show --html, replay, minimize print what the README quotes', async () => {
    expect(commands.map((c) => c[0])).toEqual(['check', 'fuzz', 'explore', 'show', 'show', 'replay', 'minimize']);
    const [check, fuzz, explore, show, html, replay, minimize] = await runAll(commands, cwd);
    expect(check!.code).toBe(0);
    expect(check!.stdout).toContain('OK contpte-refold-other-folio.scn: scenario contpte-refold-other-folio — arm64');
    expect(fuzz!.code).toBe(1);
    expect(hasStackTrace(fuzz!.stderr)).toBe(false);
    expect(fuzz!.stderr).toContain(blocks.find((b) => b.startsWith('scenario '))!);
    const witness = blocks.find((b) => b.startsWith('contpte_ptep_get_lockless_nopfn on CPU 0'))!;
    expect(fuzz!.stderr).toContain(witness);
    const flat = section.replace(/\s+/g, ' ');
    // one crash file, whose reduced program keeps each clear before its __set_pte (break-before-make: the
    // minimizer rejects a reduction that writes FolioB over FolioA's valid entry; it dropped all four before) and
    // the unfold (a misprogrammed block: FolioB's plain entries beside FolioA's CONT ones; it dropped it before)
    expect(flat).toContain('it finds 1 distinct divergence (one crash file), `…3910c7c3bf01`');
    expect(fuzz!.stderr).toContain('1 distinct divergence(s)');
    expect(readdirSync(join(cwd, 'crashes'))).toEqual([FILE.slice('crashes/'.length)]);
    expect(fuzz!.stderr).toContain(
      'reduced by the minimizer from scenario file contpte-refold-other-folio (the title above is the full ' +
        'scenario\'s): dropped from cpu B "remap the block to FolioB, refold": spin_lock(ptl), spin_unlock(ptl)\n',
    );
    for (const q of [
      'no value of its page (pfn=0x41) in the window was; v14 was dirty but maps another page (pfn=0x81)',
      'reference history of pte1, the entry read in block pte (while valid+CONT, access/dirty OR-ed over pte0..pte3,',
    ]) {
      expect(flat).toContain(q);
      expect(fuzz!.stderr.replace(/\s+/g, ' ')).toContain(q);
    }
    expect(explore!.code).toBe(1);
    for (const q of [
      'no divergence within bound 2',
      '(3352 of 26188 executions hit a bound and were not judged',
      ' 740  0x00f8000000041f43  false-dirty 482, agree 258',
      'Fields (arm64 value decoded):',
      'DIVERGENCE',
    ]) {
      expect(flat).toContain(q.trim().replace(/\s+/g, ' '));
      expect(explore!.stdout).toContain(q);
    }
    expect(explore!.stdout).toContain('Raced: the reader overlapped a writer in 20696 of 26188 executions');
    expect(show!.code).toBe(0);
    expect(show!.stdout).toContain(witness);
    expect(html!.code).toBe(0);
    expect(existsSync(join(cwd, 'nopfn.html'))).toBe(true);
    expect(replay!.code).toBe(0);
    expect(replay!.stdout).toContain(`REPRODUCED ${FILE}: false-dirty 0x00f8000000041f43`);
    expect(minimize!.code).toBe(0);
    expect(minimize!.stdout).toContain(`UNCHANGED ${FILE}:`);
    const litmus = await cliInProcess(['show', '--reader-module', 'contpte-nopfn.ts', FILE, '--litmus'], cwd);
    expect(litmus.code).toBe(2);
    expect(litmus.stderr.trim().split('\n')).toHaveLength(1);
    expect(litmus.stderr).toContain(
      "hw_dbm_update on CPU 2 at step 33: the MMU's hardware dirty-state (DBM) update of the descriptor, not a CPU instruction",
    );
  }, 300_000);
});
