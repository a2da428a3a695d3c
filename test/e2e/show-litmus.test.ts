/**
 * `ptefuzz show FILE --litmus` (issue 5): the witness as an LKMM C litmus test
 * in herd7 syntax, or a one-line refusal (exit 2) when it has no such form.
 * The expected test is written by hand from the witness's diagram
 * (`ptefuzz show` of the same file): the reader loads low (v0) before the
 * writer's zap and high after its re-establish.
 */
import { describe, expect, test } from 'vitest';
import { cli, hasStackTrace } from '../support/cli';

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

  test('a divergence judged on the end state (S11 lost-dirty: no reader loads to name) is refused in one line, exit 2', () => {
    const s11 = 'crashes/s11-pae-file-zap-early-rmap.ptep_get_atomic64.non-torn.tso.lost-dirty.3d05784c5eb2.msgpack';
    const r = cli(['show', s11, '--litmus']);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `ptefuzz: ${s11}: no LKMM C-litmus form: the lost-dirty divergence is judged on the execution's end state, not on values a reader loaded: no exists clause over a reader's registers\n`,
    );
  });

  test('--litmus with --html is a usage error', () => {
    const r = cli(['show', S2, '--litmus', '--html', '/tmp/x.html']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
