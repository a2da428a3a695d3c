/**
 * `ptefuzz show FILE --litmus` (issue 5): the witness as an LKMM C litmus test
 * in herd7 syntax, or a one-line refusal (exit 2) when it has no such form.
 * The expected test is written by hand from the witness's diagram
 * (`ptefuzz show` of the same file): the reader loads low (v0) before the
 * writer's zap and high after its re-establish.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cli, cliInProcess, hasStackTrace } from '../support/cli';

// minimized programs (issue 5): S2's zap (pte_clear) is dropped, S1's CPU C is dropped
const S2 = 'crashes/s2-pae-zap-reestablish.ptep_get.non-torn.sc.torn.22b9400becc7.msgpack';
const S1 = 'crashes/s1-pae-double-refault.ptep_get_lockless.non-torn.sc.torn.e9e661eab06e.msgpack';

// 0x00010067 = 65639, 0x00010001 = 65537, 0x00010002 = 65538, 0x00020067 = 131175
const S2_BODY = `{
	pte_low=65639;
	pte_high=65537;
}

P0(int *pte_low, int *pte_high)
{
	int r0;
	int r1;

	r0 = READ_ONCE(*pte_low);
	r1 = READ_ONCE(*pte_high);
}

P1(int *pte_low, int *pte_high)
{
	WRITE_ONCE(*pte_low, 0);
	smp_wmb();
	WRITE_ONCE(*pte_high, 0);
}

exists (0:r0=65639 /\\ 0:r1=0)
`;

describe('show --litmus', () => {
  test('a PAE S2 witness: herd7 C litmus with the executed accesses and the observed outcome', () => {
    const r = cli(['show', S2, '--litmus']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('C s2-pae-zap-reestablish+ptep_get+sc');
    expect(lines[1]).toBe('');
    // one (* … *) comment, ASCII only, then the init block
    const open = lines.indexOf('(*');
    const close = lines.indexOf(' *)');
    expect(open).toBe(2);
    expect(close).toBeGreaterThan(open);
    expect(lines.filter((l) => l === '(*' || l.endsWith('*)'))).toEqual(['(*', ' *)']);
    expect(lines.slice(open, close + 1).join('\n')).toMatch(/^[\x20-\x7e\n]*$/);
    expect(lines.slice(open, close).join('\n')).toContain('{0x00000000:0x00010067} (torn under non-torn, model sc)');
    // the comment says the program is the minimizer's reduction of the built-in scenario, on its title line too
    expect(lines.slice(open, close).join('\n')).toContain(
      ' * s2-pae-zap-reestablish (reduced: 1 operation dropped): PAE: one zap -> re-establish cycle racing the reader (S2)',
    );
    expect(lines.slice(open, close).join('\n')).toContain(
      `reduced by the minimizer from built-in s2-pae-zap-reestablish (the title above is the full scenario's): dropped from cpu B "zap + re-establish": set_pte(pte, {0x00010002:0x00020067})`,
    );
    expect(lines[close + 1]).toBe('');
    expect(lines.slice(close + 2).join('\n')).toBe(S2_BODY);
  });

  test('a witness with a 64-bit access (S1: cmpxchg64 in ptep_get_and_clear) is refused in one line, exit 2', () => {
    const r = cli(['show', S1, '--litmus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`ptefuzz: ${S1}: no LKMM C-litmus form: cmpxchg64 on CPU 1 at step`);
    expect(r.stderr).toContain('pte_low+pte_high');
  });

  // the two above as a process (exit 0, exit 2); the others in this process
  test('a divergence judged on the end state (S11 lost-dirty: no reader loads to name) is refused in one line, exit 2', async () => {
    const s11 = 'crashes/s11-pae-file-zap-early-rmap.ptep_get_atomic64.non-torn.tso.lost-dirty.3d05784c5eb2.msgpack';
    const r = await cliInProcess(['show', s11, '--litmus']);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `ptefuzz: ${s11}: no LKMM C-litmus form: the lost-dirty divergence is judged on the execution's end state, not on values a reader loaded: no exists clause over a reader's registers (instead: \`npx ptefuzz show ${s11}\` draws the witness, \`npx ptefuzz show ${s11} --html OUT.html\` as a page to attach)\n`,
    );
  });

  test('--litmus with --html is a usage error', async () => {
    const r = await cliInProcess(['show', S2, '--litmus', '--html', '/tmp/x.html']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

/**
 * arm64 witnesses: 64-bit descriptors exported as int labels (0 = 0, then 1, 2, … in order of first
 * appearance), mapped back in the comment. The expected tests are written by hand from the witnesses'
 * diagrams (`ptefuzz show FILE`).
 */
describe('show --litmus of arm64 witnesses (64-bit locations as labels)', () => {
  // S5 reduced: B reads pte0, unfolds the block (xchg each entry to 0, a barrier, repaints non-CONT);
  // A's plain ptep_get reads pte3, then pte0 already cleared, pte1..pte3 not yet: false-clean
  const S5 = 'crashes/s5-contpte-unfold-gather.contpte_ptep_get.exact.weak.false-clean.d4062f0273a4.msgpack';
  const S5_LEGEND = [
    ' * pte0, pte1, pte2, pte3: 64-bit in the witness; herd7 knows only int, so each value is a label:',
    ' *   0 = 0x0000000000000000',
    ' *   1 = 0x00f8000000040f43',
    ' *   2 = 0x0078000000041fc3',
    ' *   3 = 0x0078000000042fc3',
    ' *   4 = 0x0078000000043fc3',
    ' *   5 = 0x00e8000000040f43',
    ' *   6 = 0x00e8000000041f43',
    ' *   7 = 0x00e8000000042f43',
    ' *   8 = 0x00e8000000043f43',
  ].join('\n');
  const S5_BODY = `{
	pte0=1;
	pte1=2;
	pte2=3;
	pte3=4;
}

P0(int *pte0, int *pte1, int *pte2, int *pte3)
{
	int r0;
	int r1;
	int r2;
	int r3;
	int r4;

	r0 = READ_ONCE(*pte3);
	r1 = READ_ONCE(*pte0);
	r2 = READ_ONCE(*pte1);
	r3 = READ_ONCE(*pte2);
	r4 = READ_ONCE(*pte3);
}

P1(int *pte0, int *pte1, int *pte2, int *pte3)
{
	int r0;
	int r1;
	int r2;
	int r3;
	int r4;

	r0 = READ_ONCE(*pte0);
	r1 = xchg_relaxed(pte0, 0);
	r2 = xchg_relaxed(pte1, 0);
	r3 = xchg_relaxed(pte2, 0);
	r4 = xchg_relaxed(pte3, 0);
	smp_mb();
	WRITE_ONCE(*pte0, 5);
	WRITE_ONCE(*pte1, 6);
	WRITE_ONCE(*pte2, 7);
	WRITE_ONCE(*pte3, 8);
}

exists (0:r0=4 /\\ 0:r1=0 /\\ 0:r2=2 /\\ 0:r3=3 /\\ 0:r4=4)
`;

  test('S5 contpte false-clean: the accesses on the block, values as labels, the legend maps them back', async () => {
    const r = await cliInProcess(['show', S5, '--litmus']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('C s5-contpte-unfold-gather+contpte_ptep_get+weak\n')).toBe(true);
    expect(r.stdout).toContain(S5_LEGEND);
    expect(r.stdout.slice(r.stdout.indexOf(' *)\n') + 4)).toBe('\n' + S5_BODY);
  });

  test('S5 round trip: fuzzing the exported test under weak reaches its exists outcome', async () => {
    const shown = await cliInProcess(['show', S5, '--litmus']);
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-litmus-arm64-'));
    try {
      const file = join(dir, 's5.litmus');
      writeFileSync(file, shown.stdout);
      const r = await cliInProcess(['fuzz', '--scenario', file, '--runs', '300', '--seed', '1', '--model', 'weak']);
      // the campaign's witness report is on stderr, with its status lines
      expect(r.stderr).toMatch(
        /^s5-contpte-unfold-gather\+contpte_ptep_get\+weak weak: WITNESS — [1-9]\d* of 300 executions reached the outcome of exists \(0:r0=4 \/\\ 0:r1=0 \/\\ 0:r2=2 \/\\ 0:r3=3 \/\\ 0:r4=4\)/m,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // ext-sw: the reader loads pte (old, label 1), then pte_sw already cleared (0): torn — the whole scenario's
  // witness (crashes/ holds it reduced to the zap alone, without the refault's stores)
  const EXT = 'test/fixtures/crash-builtin-by-name.msgpack';
  const EXT_BODY = `{
	pte=1;
	pte_sw=2;
}

P0(int *pte, int *pte_sw)
{
	int r0;
	int r1;

	r0 = READ_ONCE(*pte);
	smp_rmb();
	r1 = READ_ONCE(*pte_sw);
}

P1(int *pte, int *pte_sw)
{
	int r0;
	int r1;

	r0 = xchg_relaxed(pte, 0);
	r1 = xchg_relaxed(pte_sw, 0);
	WRITE_ONCE(*pte_sw, 0);
	smp_wmb();
	WRITE_ONCE(*pte, 3);
}

exists (0:r0=1 /\\ 0:r1=0)
`;

  test('ext-sw torn: exported by hand-checked labels, re-imported exhaustively: Sometimes, Never when changed', async () => {
    const shown = await cliInProcess(['show', EXT, '--litmus']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(
      [
        ' * pte, pte_sw: 64-bit in the witness; herd7 knows only int, so each value is a label:',
        ' *   0 = 0x0000000000000000',
        ' *   1 = 0x0068000000040fc3',
        ' *   2 = 0x0000000000000001',
        ' *   3 = 0x0068000000041fc3',
      ].join('\n'),
    );
    expect(shown.stdout.slice(shown.stdout.indexOf(' *)\n') + 4)).toBe('\n' + EXT_BODY);
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-litmus-arm64-'));
    try {
      const file = join(dir, 'ext.litmus');
      writeFileSync(file, shown.stdout);
      const r = await cliInProcess(['litmus', file, '--model', 'weak']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('Condition exists (0:r0=1 /\\ 0:r1=0)');
      expect(r.stdout).toMatch(/^Observation ext-sw-bits-zap-refault\+ptep_get_ext_sw\+weak Sometimes [1-9]\d* \d+$/m);
      expect(r.stdout).toContain('complete (every trace enumerated)');
      // control: a pte_sw value no store writes (label 9) is Never
      writeFileSync(file, shown.stdout.replace('exists (0:r0=1 /\\ 0:r1=0)', 'exists (0:r0=1 /\\ 0:r1=9)'));
      const never = await cliInProcess(['litmus', file, '--model', 'weak']);
      expect(never.stdout).toMatch(/^Observation ext-sw-bits-zap-refault\+ptep_get_ext_sw\+weak Never 0 \d+$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    [
      'crashes/s8-contpte-set-access-flags.contpte_ptep_get_lockless.ad-relaxed.weak.livelock.878d25e700dd.msgpack',
      "hw_dbm_update on CPU 1 at step 0: the MMU's hardware dirty-state (DBM) update of the descriptor, not a CPU instruction: LKMM has no hardware access/dirty-flag updates",
    ],
    [
      'crashes/s7-arm64-fault-norecency.ptep_get_lockless_norecency.ad-relaxed.weak.lost-dirty.73ceb81edd82.msgpack',
      'the lost-dirty divergence is judged on what set_pte_at() on CPU 0 did (a kernel operation, not a reader): no loads of a reader for an exists clause',
    ],
    [
      'crashes/s12-arm64-khugepaged-gup-fast.__ptep_get.ad-relaxed.sc.use-after-free.febaa5f07093.msgpack',
      "pmdp_get_lockless on CPU 0 at step 1: a page-table walk's pmd read (the table page it maps is followed for use-after-free): LKMM has no page tables",
    ],
  ])('%s is refused saying why and what to run instead, exit 2', async (file, why) => {
    const r = await cliInProcess(['show', file, '--litmus']);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `ptefuzz: ${file}: no LKMM C-litmus form: ${why} (instead: \`npx ptefuzz show ${file}\` draws the witness, \`npx ptefuzz show ${file} --html OUT.html\` as a page to attach)\n`,
    );
  });
});
