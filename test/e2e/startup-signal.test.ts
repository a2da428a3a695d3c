/**
 * A signal in a command's first moments — while it loads reader modules and
 * scenario files, before its first execution — ends `fuzz` and `explore`
 * cleanly: one line saying nothing was run (no claim), the summary where one
 * makes sense, the exit code of an interrupted campaign without a divergence
 * (0), never the shell's 143 with no output. The reader module below writes a
 * marker file, then blocks its thread for 2 s (Atomics.wait) as a large module
 * would; SIGTERM is sent once the marker exists, so it always lands during the
 * load however loaded the machine is. Also: `explore` of tests judged by their
 * condition stops mid-search like a scenario's search.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, hasStackTrace } from '../support/cli';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-startsig-'));

/** harness/readers/pae-buggy.js, made to write `marker` and then block the main thread for 2 s when it is loaded. */
function slowReaderModule(marker: string): string {
  const block =
    "if (require('worker_threads').isMainThread) {\n" +
    `  require('fs').writeFileSync(${JSON.stringify(marker)}, 'loading');\n` +
    '  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);\n' +
    '}\n';
  const file = join(tmp(), 'slow-load.js');
  writeFileSync(file, block + readFileSync(join(ROOT, 'harness', 'readers', 'pae-buggy.js'), 'utf8'));
  return file;
}

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run `ptefuzz ARGS`; send `signal` once `marker` exists (the slow reader module is loading) or stderr matches `when`. */
function signalled(
  args: readonly string[],
  signal: NodeJS.Signals,
  trigger: { marker: string } | { when: RegExp },
): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'ptefuzz.js'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const send = (): void => {
      if (sent) return;
      sent = true;
      child.kill(signal);
    };
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const poll = setInterval(() => {
      if ('marker' in trigger && existsSync(trigger.marker)) send();
    }, 10);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if ('when' in trigger && trigger.when.test(stderr)) send();
    });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(guard);
      clearInterval(poll);
      expect(sent, `${signal} was sent`).toBe(true);
      resolve({ code, signal: sig, stdout, stderr });
    });
  });
}

const S2 = ['--scenario', 's2-pae-zap-reestablish'];

describe('SIGTERM while the reader modules load', () => {
  test('fuzz: the summary of 0 executions, one line that nothing was run, exit 0; no crash file', async () => {
    const dir = tmp();
    const marker = join(dir, 'marker');
    const crashes = join(dir, 'crashes');
    const args = ['fuzz', '--reader-module', slowReaderModule(marker), ...S2, '--engine', 'random', '--seed', '1'];
    const r = await signalled([...args, '--runs', '100000', '--crashes', crashes, '--json'], 'SIGTERM', { marker });
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('INFO: SIGTERM: stopping before the first execution (send it again to abort at once)\n');
    expect(r.stderr).toMatch(/^Done: 0 executions \(0 runs\) in [\d.]+ s \(interrupted\)$/m);
    const last = r.stderr.trim().split('\n').pop();
    expect(last).toBe(
      'INTERRUPTED by SIGTERM before the first execution: none of the 5 target(s) was run (no execution); no claim about any of them',
    );
    // nothing judged: no "No divergence", no expectation verdicts
    expect(r.stderr).not.toMatch(/No divergence|expectations \(/);
    const sum = JSON.parse(r.stdout) as { executions: number; interrupted: boolean; divergences: unknown[] };
    expect([sum.executions, sum.interrupted, sum.divergences]).toEqual([0, true, []]);
    expect(existsSync(crashes) ? readdirSync(crashes) : []).toEqual([]);
  });

  test('fuzz of a litmus test: one line that nothing was run, exit 0', async () => {
    const dir = tmp();
    const marker = join(dir, 'marker');
    const sb = join(ROOT, 'corpus', 'litmus', 'SB.litmus');
    const args = ['fuzz', '--reader-module', slowReaderModule(marker), '--scenario', sb, '--runs', '100000'];
    const r = await signalled([...args, '--seed', '1'], 'SIGTERM', { marker });
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n').pop()).toBe(
      'INTERRUPTED by SIGTERM before the first execution: none of the 1 test(s) was run (no execution); no claim about any of them',
    );
    expect(r.stderr).not.toContain('SB weak:');
  });

  test('fuzz --engine jsfuzz: no jsfuzz process started, the same line, exit 0', async () => {
    const dir = tmp();
    const marker = join(dir, 'marker');
    const args = ['fuzz', '--engine', 'jsfuzz', '--reader-module', slowReaderModule(marker), ...S2];
    const r = await signalled(
      [...args, '--reader', 'ptep_get', '--runs', '100000', '--crashes', join(dir, 'c')],
      'SIGTERM',
      {
        marker,
      },
    );
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/^jsfuzz\[1\]/m);
    expect(r.stderr).toMatch(/^Done: 0 executions \(0 runs\) in [\d.]+ s \(interrupted\)$/m);
    expect(r.stderr).toContain(
      '\nINTERRUPTED by SIGTERM before the first execution: none of the 1 target(s) was run (no execution); no claim about any of them\n',
    );
    expect(r.stderr).toContain('jsfuzz: 0 session(s), 0 crash artifact(s)');
  });

  test('explore: every target NOT SEARCHED, one line that nothing was searched, exit 0', async () => {
    const dir = tmp();
    const marker = join(dir, 'marker');
    const args = ['explore', '--reader-module', slowReaderModule(marker), ...S2, '--reader', 'ptep_get'];
    const r = await signalled([...args, '--reader', 'ptep_get_recheck_high', '--crashes', join(dir, 'c')], 'SIGTERM', {
      marker,
    });
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'NOT SEARCHED (SIGTERM before their search began): 2 target(s), no claim about them\n' +
        '  s2-pae-zap-reestablish: reader ptep_get, contract non-torn, model tso\n' +
        '  s2-pae-zap-reestablish: reader ptep_get_recheck_high, contract non-torn, model tso\n',
    );
    expect(r.stderr).not.toContain('INFO: exploring');
    expect(r.stderr.trim().split('\n').pop()).toBe(
      'INTERRUPTED by SIGTERM before the first execution: none of the 2 target(s) was searched (no execution); no claim about any of them',
    );
  });

  test('explore --litmus: the shapes NOT SEARCHED, exit 0', async () => {
    const dir = tmp();
    const marker = join(dir, 'marker');
    const args = ['explore', '--reader-module', slowReaderModule(marker), '--litmus', 'MP', '--litmus', 'SB'];
    const r = await signalled(args, 'SIGINT', { marker });
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'NOT SEARCHED (SIGINT before their search began): 2 test(s), no claim about them\n  MP: model weak\n  SB: model weak\n',
    );
    expect(r.stdout).not.toContain('Observation');
  });
});

describe('explore of tests judged by their condition stops cleanly on SIGINT', () => {
  test('the test being searched: partial states, no Ok/No, no Observation; the next test NOT SEARCHED; exit 0', async () => {
    // 3 CPUs of 8 accesses each, unbounded: billions of traces, so its search is running when the signal lands
    const cpu = (p: number): string =>
      `P${p}(int *x, int *y, int *z)\n{\n\tint r0;\n` +
      [0, 1, 2, 3]
        .map(
          (i) => `\tWRITE_ONCE(*${'xyz'[(p + i) % 3]!}, ${i + 1});\n\tr0 = READ_ONCE(*${'xyz'[(p + i + 1) % 3]!});\n`,
        )
        .join('') +
      '}\n';
    const big = join(tmp(), 'big.litmus');
    writeFileSync(big, `C big\n\n{}\n\n${cpu(0)}\n${cpu(1)}\n${cpu(2)}\nexists (0:r0=1 /\\ 1:r0=1)\n`);
    const litmus = (name: string): string => join(ROOT, 'corpus', 'litmus', `${name}.litmus`);
    const args = ['explore', '--scenario', litmus('SB'), '--scenario', big, '--scenario', litmus('CoRR')];
    // sent once stderr says big's search (minutes long) has begun
    const r = await signalled([...args, '--model', 'sc'], 'SIGINT', { when: /^INFO: exploring big under sc, /m });
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `INFO: exploring big under sc, no preemption bound: ${big} (test 2 of 3)\n` +
        'INFO: SIGINT: stopping the search of big under sc after the current execution (send it again to abort at once)\n',
    );
    expect(r.stderr).not.toContain('CoRR under sc');
    const blocks = r.stdout.trim().split('\n\n');
    expect(blocks).toHaveLength(3);
    expect(blocks[0]).toMatch(/^Test SB Allowed\n[\s\S]*\nObservation SB Never 0 \d+\n/);
    const n =
      /^INTERRUPTED by SIGINT after (\d+) executions \((\d+) traces?\): the states below are partial — no Ok\/No, no Observation \(not a claim about the test\)$/m.exec(
        blocks[1]!,
      );
    expect(n, blocks[1]).not.toBeNull();
    expect(blocks[1]).toMatch(/^Test big Allowed\n/);
    expect(blocks[1]).toContain(
      `\nModel sc; Executions ${n![1]} (${n![2]} ${n![2] === '1' ? 'trace' : 'traces'}); INTERRUPTED by SIGINT: the states above are partial`,
    );
    expect(blocks[1]).not.toMatch(/^(Ok|No|Observation .*)$/m);
    expect(blocks[1]).toMatch(new RegExp(`^Positive: (\\d+) Negative: (\\d+)$`, 'm'));
    const [, pos, neg] = /^Positive: (\d+) Negative: (\d+)$/m.exec(blocks[1]!)!;
    expect(Number(pos) + Number(neg)).toBe(Number(n![1]));
    expect(blocks[2]).toBe(
      'NOT SEARCHED (SIGINT before their search began): 1 test(s), no claim about them\n  CoRR: model sc',
    );
  });
});
