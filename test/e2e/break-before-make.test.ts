import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { arm64, builtinOperations, builtinReaders } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import { loadScn } from '../../src/scenario';
import { makeTarget, specOf } from '../../src/campaign';
import { crashFileFrom } from '../support/crash-file';
import { traceOf } from '../support/schedule';
import type { CliResult } from '../support/cli';
import { ROOT, cli, cliInProcess, expectOneLineError, inTmp as inTmpDir, inTmpAsync } from '../support/cli';

/**
 * A user's scenario that remaps a valid arm64 entry to another folio with a plain `__set_pte`, no clear between
 * (test/fixtures/remap-no-clear.scn): a write the Arm architecture forbids (break-before-make), outside what the
 * reference judges. Every command stops at such an execution with one line naming the file, the store and the fix
 * (exit 2), and reports no verdict from it; remap-clear.scn — the same with `__ptep_get_and_clear` first — runs.
 */
const FIXTURES = join(ROOT, 'test', 'fixtures');
const NO_CLEAR = join(FIXTURES, 'remap-no-clear.scn');
const CLEAR = join(FIXTURES, 'remap-clear.scn');
// the last line of stderr (INFO lines may come before it)
const ERROR = new RegExp(
  `(^|\\n)ptefuzz: ${NO_CLEAR.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cpu B \\(__set_pte, steps (?<s>\\d+)\\.\\.\\k<s>\\) ` +
    `changed the output address of the valid entry pte0 (at step \\d+|its store drained to memory at step \\d+), ` +
    `from 0x0068000000040[bf]c3 \\(pfn=0x40\\) to 0x0068000000080bc3 \\(pfn=0x80\\) with no invalid entry between ` +
    `\\(contpte_ptep_get_lockless under (sc|tso|weak)\\): arm64 forbids that \\(break-before-make\\) — clear the ` +
    `entry first \\(ptep_clear / ptep_get_and_clear\\) as the kernel does: break-before-make\\n$`,
);

const inTmp = (body: (dir: string) => void): void => inTmpDir('bbm', body);
const inTmpIn = (body: (dir: string) => Promise<void>): Promise<void> => inTmpAsync('bbm', body);
const expectOneLine = (r: CliResult): void => expectOneLineError(r, ERROR);

describe('a valid arm64 entry remapped without break-before-make: a one-line error, never a verdict', () => {
  test('fuzz (in its worker thread) stops at the first such execution and writes no crash file', () => {
    inTmp((dir) => {
      const crashes = join(dir, 'c');
      expectOneLine(cli(['fuzz', '--scenario', NO_CLEAR, '--runs', '200', '--seed', '1', '--crashes', crashes]));
      let files: string[] = [];
      try {
        files = readdirSync(crashes);
      } catch {
        // no folder: nothing written
      }
      expect(files).toEqual([]);
    });
  });

  // fuzz above as a process; the other commands in this process
  test('explore', async () => {
    await inTmpIn(async (dir) => {
      expectOneLine(
        await cliInProcess(['explore', '--scenario', NO_CLEAR, '--model', 'sc', '--crashes', join(dir, 'c')]),
      );
    });
  });

  test('matrix', async () => {
    expectOneLine(await cliInProcess(['matrix', '--scenario', NO_CLEAR, '--runs', '100']));
  });

  test('replay of a crash file whose program remaps without the clear', async () => {
    await inTmpIn(async (dir) => {
      const text = readFileSync(NO_CLEAR, 'utf8');
      const l = loadScn(text, NO_CLEAR, { readers: builtinReaders(), operations: builtinOperations() });
      if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
      const reader = builtinReaders().get('contpte_ptep_get_lockless')!;
      const t = makeTarget(l.scenario, reader, contractByName('no-false-dirty')!, 'sc', arm64);
      // B alone: spin_lock (0), the unfold (1..10), __set_pte (11)
      const trace = traceOf(specOf(t.built), 'sc', Array<number>(13).fill(1));
      const file = crashFileFrom(
        dir,
        's6-contpte-remap-false-dirty.contpte_ptep_get.no-false-dirty.weak.false-dirty.16f70c6a58e0.msgpack',
        {
          scenario: { name: 'remap-no-clear', source: 'file', text: l.text },
          reader: 'contpte_ptep_get_lockless',
          model: 'sc',
          trace,
        },
      );
      const r = await cliInProcess(['replay', file]);
      expect(r.code).toBe(2);
      // the crash file is named (was: `scenario remap-no-clear`, which names no file the user has)
      expect(r.stderr).toBe(
        `ptefuzz: ${file}: cpu B (__set_pte, steps 11..11) changed the output address of the valid ` +
          'entry pte0 at step 11, from 0x0068000000040bc3 (pfn=0x40) to 0x0068000000080bc3 (pfn=0x80) with no ' +
          'invalid entry between (contpte_ptep_get_lockless under sc): arm64 forbids that (break-before-make) — ' +
          'clear the entry first (ptep_clear / ptep_get_and_clear) as the kernel does: break-before-make\n',
      );
    });
  });

  test('with the clear first: fuzz runs to the end (sc, tso, weak: agree), explore finds no divergence (sc, tso)', async () => {
    await inTmpIn(async (dir) => {
      const models = ['sc', 'tso', 'weak'].flatMap((m) => ['--model', m]);
      const f = await cliInProcess([
        'fuzz',
        '--scenario',
        CLEAR,
        ...models,
        '--runs',
        '200',
        '--seed',
        '1',
        '--crashes',
        join(dir, 'c'),
        '--corpus',
        join(dir, 'k'),
      ]);
      expect(f.stderr).not.toMatch(/ptefuzz:/);
      expect(f.code).toBe(0);
      expect(f.stderr).toMatch(/remap-clear +contpte_ptep_get_lockless +no-false-dirty +weak +\d+ +\d+ +0 +\d+ +agree/);
      // weak at bound 1 has over a million traces: fuzz above covers it
      const x = await cliInProcess([
        'explore',
        '--scenario',
        CLEAR,
        ...models.slice(0, 4),
        '--bound',
        '1',
        '--crashes',
        join(dir, 'c'),
      ]);
      expect(x.stderr).not.toMatch(/ptefuzz:/);
      expect(x.code).toBe(0);
      expect(x.stdout.match(/no divergence within bound 1/g)).toHaveLength(2);
    });
  });
});

/**
 * A folded block's entry remapped to another folio without the unfold (test/fixtures/contpte-remap-no-unfold.scn):
 * a misprogrammed contiguous range (reference/contiguous.ts), the same one-line error as break-before-make's, and
 * the line the README quotes (*Scenario files*, "arm64 contpte blocks stay well programmed").
 */
describe('a contpte block left misprogrammed: a one-line error, never a verdict', () => {
  const NO_UNFOLD = 'contpte-remap-no-unfold.scn';

  test('fuzz, explore and matrix stop with the line the README quotes', async () => {
    await inTmpIn(async (dir) => {
      copyFileSync(join(FIXTURES, NO_UNFOLD), join(dir, NO_UNFOLD));
      const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
      const quoted = readme.split('\n').find((l) => l.startsWith(`ptefuzz: ${NO_UNFOLD}: `));
      expect(quoted).toBeDefined();
      const f = await cliInProcess(['fuzz', '--scenario', NO_UNFOLD, '--runs', '50', '--seed', '1'], dir);
      expect(f.code).toBe(2);
      expect(f.stderr.split('\n').filter((l) => l.startsWith('ptefuzz: '))).toEqual([quoted]);
      expect(existsSync(join(dir, 'crashes'))).toBe(false);
      for (const args of [
        ['explore', '--scenario', NO_UNFOLD, '--model', 'sc', '--crashes', join(dir, 'c')],
        ['matrix', '--scenario', NO_UNFOLD, '--runs', '50'],
      ]) {
        const r = await cliInProcess(args, dir);
        expectOneLineError(
          r,
          new RegExp(
            `(^|\\n)ptefuzz: ${NO_UNFOLD.replace('.', '\\.')}: cpu B \\(__set_pte, steps (?<s>\\d+)\\.\\.\\k<s>\\) left ` +
              'the contpte block pte misprogrammed at step \\d+: its valid entries disagree on the CONT bit — .* ' +
              'as the kernel does: misprogrammed contiguous range\\n$',
          ),
        );
      }
    });
  });
});
