import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cli, cliInProcess, hasStackTrace } from '../support/cli';

const MP = 'corpus/litmus/MP+wmb+rmb.litmus';

describe('ptefuzz litmus', () => {
  test("prints herd7's shape (States, Ok/No, Witnesses, Condition, Observation), exit 0", () => {
    const r = cli(['litmus', MP, '--model', 'sc']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Test MP+wmb+rmb Allowed',
        'States 3',
        '1:r0=0; 1:r1=0;',
        '1:r0=0; 1:r1=1;',
        '1:r0=1; 1:r1=1;',
        'No',
        'Witnesses',
        // herd7 under SC: each of the two loads reads the initial value or P0's store (2 × 2 candidate
        // executions); SC forbids r0=1 (y's store read) with r1=0 (x's initial value read after it): 3 executions
        'Positive: 0 Negative: 3',
        'Condition exists (1:r0=1 /\\ 1:r1=0)',
        'Observation MP+wmb+rmb Never 0 3',
        'Model sc; Executions 3 (20 traces); complete (every trace enumerated)',
        '',
      ].join('\n'),
    );
  });
  test('MP under weak: Sometimes, with the weak state', async () => {
    const r = await cliInProcess(['litmus', 'corpus/litmus/MP.litmus']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1:r0=1; 1:r1=0;\n1:r0=1; 1:r1=1;\nOk\n');
    expect(r.stdout).toMatch(/Observation MP Sometimes [1-9]\d* [1-9]\d*\n/);
  });
  test('a .litmus file is also a --scenario for explore (same herd7 block)', async () => {
    const a = await cliInProcess(['litmus', MP, '--model', 'weak']);
    const b = await cliInProcess(['explore', '--scenario', MP]);
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });
  const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-litmus-'));
  const bad = (name: string, body: string): string => {
    const f = join(dir, name);
    writeFileSync(f, `C ${name}\n\n{}\n\nP0(int *x)\n{\n${body}\n}\n\nexists (x=1)\n`);
    return f;
  };
  test.each([
    [
      'if.litmus',
      '\tint r0;\n\tr0 = READ_ONCE(*x);\n\tif (r0 < 1) WRITE_ONCE(*x, 1);',
      "9:9: expected ')' (if (r0), if (!r0), if (r0 == 1), if (r0 != 1)), found '<'",
    ],
    ['while.litmus', '\tint r0;\n\twhile (1) r0 = READ_ONCE(*x);', '8:2: unsupported construct: loops (while)'],
    [
      'lock.litmus',
      '\tspin_lock(x);',
      "7:12: expected a spinlock_t parameter of P0 (it has none: declare 'spinlock_t *l'), found 'x'",
    ],
    ['unlockwait.litmus', '\tspin_unlock_wait(x);', '7:2: unsupported construct: spin_unlock_wait'],
    [
      'atomic.litmus',
      '\tatomic_inc(x);',
      "7:13: expected an atomic_t parameter of P0 (it has none: declare 'atomic_t *v'), found 'x'",
    ],
    ['atomic64.litmus', '\tatomic64_inc(x);', "7:2: unsupported construct: 'atomic64_inc'"],
    [
      'typo.litmus',
      '\tWRITE_ONC(*x, 1);',
      "7:2: unsupported construct: 'WRITE_ONC' is outside the C-litmus subset ptefuzz reads (did you mean WRITE_ONCE?)",
    ],
    ['deref.litmus', '\tWRITE_ONCE(x, 1);', "7:13: expected '*' (P0's WRITE_ONCE takes *x), found 'x'"],
  ])('%s: one line naming the construct, exit 2', async (name, body, msg) => {
    const f = bad(name, body);
    // the first as a process (the real binary's exit status and stderr), the others in this process
    const r = name === 'if.litmus' ? cli(['litmus', f]) : await cliInProcess(['litmus', f]);
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(`ptefuzz: ${f}:${msg}`)).toBe(true);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

describe('show --litmus is read back by ptefuzz litmus', () => {
  const WITNESS = 'crashes/s2-pae-zap-reestablish.ptep_get.non-torn.sc.torn.22b9400becc7.msgpack';
  test("S2's committed sc witness, exported and re-imported: its exists outcome is reachable under sc", async () => {
    const shown = await cliInProcess(['show', WITNESS, '--litmus']);
    expect(shown.code).toBe(0);
    const exists = /^exists \((.*)\)$/m.exec(shown.stdout);
    expect(exists, 'the export has an exists clause').not.toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-litmus-'));
    const file = join(dir, 's2-witness.litmus');
    writeFileSync(file, shown.stdout);
    const r = await cliInProcess(['litmus', file, '--model', 'sc']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // the importer read the exporter's condition back unchanged
    expect(r.stdout).toContain(`Condition exists (${exists![1]})`);
    expect(r.stdout).toMatch(/^Observation s2-pae-zap-reestablish\+ptep_get\+sc (Sometimes|Always) [1-9]\d* \d+$/m);
    expect(r.stdout).toContain('complete (every trace enumerated)');
    // control: the same test asking for a high half the writer never stores is Never
    const impossible = exists![0].replace('0:r1=0', '0:r1=12345');
    expect(impossible).not.toBe(exists![0]);
    writeFileSync(file, shown.stdout.replace(exists![0], impossible));
    const never = await cliInProcess(['litmus', file, '--model', 'sc']);
    expect(never.code).toBe(0);
    expect(never.stdout).toMatch(/^Observation s2-pae-zap-reestablish\+ptep_get\+sc Never 0 \d+$/m);
  });
});

describe('show --litmus of a witness that takes the PTL is read back with its locks', () => {
  // test/fixtures/pae-fault-ptl.scn minimized to the reader and one fault: do_anonymous_page under the PTL
  const WITNESS = 'crashes/pae-fault-ptl.ptep_get.non-torn.weak.torn.b47329d78591.msgpack';
  test('exported with spin_lock/spin_unlock, imported: Sometimes under weak, Never under sc and when changed', async () => {
    const shown = await cliInProcess(['show', WITNESS, '--litmus']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('P1(int *pte_low, int *pte_high, spinlock_t *ptl)');
    expect(shown.stdout).toMatch(/\tspin_lock\(ptl\);\n[\s\S]*\tspin_unlock\(ptl\);\n/);
    const exists = /^exists \((.*)\)$/m.exec(shown.stdout)!;
    expect(exists[1]).toBe('0:r0=131175 /\\ 0:r1=0');
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-litmus-ptl-'));
    const file = join(dir, 'ptl-witness.litmus');
    writeFileSync(file, shown.stdout);
    const r = await cliInProcess(['litmus', file, '--model', 'weak', '--model', 'sc']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const obs = r.stdout.split('\n').filter((l) => l.startsWith('Observation '));
    // weak: the new low half with the old (zero) high half — the torn read of the witness; sc: set_pte
    // stores high before low, so a reader that sees the new low sees the new high
    expect(obs[0]).toMatch(/^Observation pae-fault-ptl\+ptep_get\+weak Sometimes [1-9]\d* \d+$/);
    expect(obs[1]).toMatch(/^Observation pae-fault-ptl\+ptep_get\+weak Never 0 \d+$/);
    // control: a high half the fault never stores is Never under weak too
    writeFileSync(file, shown.stdout.replace(exists[0], exists[0].replace('0:r1=0', '0:r1=12345')));
    const never = await cliInProcess(['litmus', file, '--model', 'weak']);
    expect(never.code).toBe(0);
    expect(never.stdout).toMatch(/^Observation pae-fault-ptl\+ptep_get\+weak Never 0 \d+$/m);
  });
});
