/**
 * Issue 8 item 1, the hang watchdog: a reader module that spins without
 * yielding (harness/readers/pae-spin.js: `while (true) {}` once a writer raced
 * it) is stopped after --timeout, saved as a `timeout` crash file, and the
 * campaign goes on with a fresh worker. Fixed seeds and run counts; 1 s limits.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { describe, expect, test } from 'vitest';
import { loadCrash } from '../../src/crash';
import { ROOT, cli, hasStackTrace } from '../support/cli';
import { HANG } from '../support/hang-readers';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-wd-'));
const SPIN = 'harness/readers/pae-spin.js';
const CAMPAIGN = [
  '--reader-module',
  SPIN,
  '--scenario',
  's2-pae-zap-reestablish',
  '--reader',
  'ptep_get_lockless_spin',
  '--reader',
  'ptep_get',
  '--engine',
  'random',
  '--runs',
  '200',
  '--seed',
  '1',
  '--timeout',
  '1',
];

interface Summary {
  runs: number;
  targets: { reader: string; executions: number; verdict: string; timeouts?: number }[];
  divergences: { reader: string; class: string }[];
  timeout: number;
  timeouts: { reader: string; file: string; hits: number; detail: string }[];
  restarts: number;
  dropped: string[];
}

describe('fuzz --timeout (watchdog)', () => {
  test('a reader spinning in `while (true) {}` gives timeout files; the campaign goes on, exit 1; the file replays as a timeout', () => {
    const dir = tmp();
    const r = cli(['fuzz', ...CAMPAIGN, '--crashes', dir, '--json']);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(1);
    const sum = JSON.parse(r.stdout) as Summary;
    // the spinning target hung 3 times and was then dropped; the other one ran every run
    expect(sum.restarts).toBe(3);
    expect(sum.dropped).toEqual(['s2-pae-zap-reestablish ptep_get_lockless_spin non-torn tso']);
    expect(sum.runs).toBe(200);
    const [spin, naive] = sum.targets;
    expect(spin).toMatchObject({ reader: 'ptep_get_lockless_spin', verdict: 'timeout', timeouts: 3 });
    expect(naive).toMatchObject({ reader: 'ptep_get', executions: 200, verdict: 'divergence' });
    expect(sum.divergences.map((d) => `${d.reader} ${d.class}`)).toEqual(['ptep_get torn']);
    const files = readdirSync(dir).filter((f) => f.includes('.timeout.'));
    expect(files.length).toBeGreaterThan(0);
    expect(
      files.every((f) =>
        /^s2-pae-zap-reestablish\.ptep_get_lockless_spin\.non-torn\.tso\.timeout\.[0-9a-f]{12}\.msgpack$/.test(f),
      ),
    ).toBe(true);
    expect(sum.timeouts.map((t) => t.file.split('/').pop()).sort()).toEqual(files.sort());
    for (const t of sum.timeouts) {
      // the reader spins when its second read of pte_low differs from its first: the detail shows both, the
      // second read in the step that never returned (was: left out, the replay stopped before that step)
      const m =
        /^CPU 0 \(A: ptep_get_lockless_spin\) did not yield again after its step \d+ in ptep_get_lockless_spin, having read pte_low=(0x[0-9a-f]+) pte_high=0x[0-9a-f]+ pte_low=(0x[0-9a-f]+)$/.exec(
          t.detail,
        );
      expect(m, t.detail).not.toBeNull();
      expect(m![2]).not.toBe(m![1]);
    }
    expect(r.stderr).toMatch(/^#\d+\tTIMEOUT\t/m);
    expect(r.stderr).toContain('this target is dropped from the rest of the campaign');
    expect(r.stderr).toMatch(/^timeouts: \d+ distinct, 3 hung execution\(s\) stopped after 1 s/m);
    expect(r.stderr).toContain(`npx ptefuzz replay --timeout 1 --reader-module ${SPIN} `);

    const file = join(dir, files[0]!);
    const rec = loadCrash(file);
    expect(rec.version).toBe(3);
    expect(rec.verdict).toMatchObject({ kind: 'timeout', class: 'timeout', seconds: 1, cpu: 0 });
    expect(rec.readerModule?.path).toBe(SPIN);

    const replay = cli(['replay', '--timeout', '1', '--reader-module', SPIN, file]);
    expect(replay.stdout).toContain(`REPRODUCED ${file}: timeout after 1 s (expected: timeout)`);
    expect(replay.stdout).toContain('1 crash file(s): 1 reproduced, 0 not reproduced, 0 unreadable');
    expect(replay.code).toBe(0);

    const show = cli(['show', '--reader-module', SPIN, file]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('A: ptep_get_lockless_spin');
    expect(show.stdout).toMatch(/timeout: the execution did not return within 1 s: it hung in step \d+ on CPU 0/);
    expect(show.stdout).toContain(`replay: npx ptefuzz replay --timeout 1 --reader-module ${SPIN} `);

    // --html has nothing to draw; the command it points to instead must work as printed (with the module)
    const html = cli(['show', '--reader-module', SPIN, '--html', join(tmp(), 'r.html'), file]);
    expect(html.code).toBe(2);
    expect(html.stderr).toContain(`prints the execution up to the hang`);
    expect(html.stderr).toContain(`\`npx ptefuzz show --reader-module ${SPIN} `);
  });

  test('every execution hung: the summary says none was judged, no claim — never "No divergence."; exit 1', () => {
    // the same reader, hung blocked (HANG) instead of spinning: the summary is the subject, not the spin (which the
    // other tests stop), and its 3 hangs cost no CPU
    const blocked = join(tmp(), 'pae-block.js');
    const text = readFileSync(join(ROOT, SPIN), 'utf8');
    expect(text).toContain('    while (true) {}\n');
    writeFileSync(blocked, text.replace('    while (true) {}\n', HANG));
    const r = cli([
      'fuzz',
      ...['--reader-module', blocked, '--reader', 'ptep_get_lockless_spin', '--scenario', 's2-pae-zap-reestablish'],
      ...['--runs', '300', '--seed', '1', '--timeout', '1', '--crashes', tmp()],
    ]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Done: 0 executions \(300 runs\) in [\d.]+ s$/m);
    expect(r.stderr).not.toContain('No divergence');
    expect(r.stderr).toContain(
      '\nNo execution judged, so no claim: 3 hung execution(s) stopped, never judged (timeouts below); 1 target(s) dropped after 3 timeouts, not run further.\n',
    );
    expect(r.stderr).toMatch(/^timeouts: 3 distinct, 3 hung execution\(s\) stopped after 1 s/m);
  });

  test('--reader-module now loads in --jobs workers: two jobs, the same spinning reader, every run of the other target', () => {
    const dir = tmp();
    const r = cli(['fuzz', ...CAMPAIGN, '--jobs', '2', '--crashes', dir, '--json']);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(1);
    const sum = JSON.parse(r.stdout) as Summary;
    expect(sum.targets[1]).toMatchObject({ reader: 'ptep_get', executions: 200, verdict: 'divergence' });
    expect(sum.restarts).toBeGreaterThanOrEqual(3);
    expect(readdirSync(dir).some((f) => f.includes('.ptep_get_lockless_spin.non-torn.tso.timeout.'))).toBe(true);
  });

  test('a timeout file whose replay returns is NOT REPRODUCED (exit 1): the trace replayed without the spinning reader', () => {
    const file = join(ROOT, 'test', 'fixtures', 'crash-v3-timeout.msgpack');
    // the same reader name from a module that does not spin
    const fixed = join(tmp(), 'fixed.js');
    writeFileSync(fixed, readFileSync(join(ROOT, SPIN), 'utf8').replaceAll('while (true) {}', '{}'));
    const r = cli(['replay', '--timeout', '1', '--reader-module', fixed, file]);
    expect(r.stdout).toContain(`NOT REPRODUCED ${file}: recorded timeout (after 1 s)`);
    expect(r.stdout).toMatch(/replay returned within 1 s: \w+/);
    expect(r.code).toBe(1);
  });

  test("a timeout file's replay hangs where the file says: its signature is compared; a trace's left-over values are noted", () => {
    // the fixture was written before the replay up to a hang executed the hung step (d7fe742): its signature lacks
    // that step's load, as ptefuzz computed it then — the same hang
    const fixture = join(ROOT, 'test', 'fixtures', 'crash-v3-timeout.msgpack');
    const p = new Packr({ useRecords: false });
    const raw = p.unpack(readFileSync(fixture)) as { trace: number[]; signature: string } & Record<string, unknown>;
    const dir = tmp();
    let n = 0;
    const replay = (obj: object) => {
      const f = join(dir, `mutant-${n++}.msgpack`);
      writeFileSync(f, p.pack(obj));
      return { f, r: cli(['replay', '--timeout', '1', '--reader-module', SPIN, f]) };
    };
    const genuine = cli(['replay', '--timeout', '1', '--reader-module', SPIN, fixture]);
    expect(genuine.stdout).toContain(`REPRODUCED ${fixture}: timeout after 1 s (expected: timeout)`);
    expect(genuine.stdout).not.toContain('note: the trace');
    expect(genuine.code).toBe(0);
    // another hang's signature: was REPRODUCED (a hang was all that was checked)
    const other = 'ptep_get_lockless_spin on CPU 0: pte_low=0x0 pte_high=0x0';
    const edited = replay({ ...raw, signature: other });
    expect(edited.r.stdout).toMatch(
      new RegExp(
        `^NOT REPRODUCED ${edited.f}: recorded timeout \\(after 1 s\\) — .*; replay hung too, in step 9 on CPU 0 \\(stopped after 1 s\\), with signature "ptep_get_lockless_spin on CPU 0: [^"]*", the file records "${other}"`,
        'm',
      ),
    );
    expect(edited.r.code).toBe(1);
    // values after the hang: was not noted for a timeout file (nor for any file)
    const tail = replay({ ...raw, trace: [...raw.trace, 1, 1, 1] });
    const note = `${tail.f}: note: the trace has 3 value(s) after the ${raw.trace.length} the execution used`;
    expect(tail.r.stdout).toContain(note);
    expect(tail.r.stdout).toContain(`REPRODUCED ${tail.f}: timeout after 1 s`);
    expect(tail.r.code).toBe(0);
    const show = cli(['show', '--reader-module', SPIN, tail.f]);
    expect(show.stderr).toContain(note);
    expect(show.stdout).toContain(`\nsignature: ${raw.signature}\n`);
  });

  test.each([['0'], ['-1'], ['abc'], ['1s']])('--timeout %s: one line naming the flag, exit 2', (v) => {
    const r = cli(['fuzz', '--engine', 'random', '--runs', '1', '--timeout', v]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("option '--timeout <seconds>' argument");
    expect(r.stderr).toContain('expected a positive number of seconds');
  });
  test('--timeout 0.05: refused, a watchdog that short stops correct readers as hung', () => {
    const r = cli(['fuzz', '--engine', 'random', '--runs', '1', '--timeout', '0.05']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("option '--timeout <seconds>' argument '0.05' is invalid");
    expect(r.stderr).toContain('of at least 0.1');
  });
});
