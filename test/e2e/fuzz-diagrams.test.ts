/**
 * `fuzz --diagrams`: what a campaign prints for each new distinct divergence. A campaign over many scenarios
 * (the quick start's `npx ptefuzz fuzz`) gives each one compact line under its status line — class, reader,
 * scenario, contract, model, what the scenario expects, and the `show` command of its crash file — and the full
 * diagram only for a divergence the scenario expects correct (UNEXPECTED); a campaign over one scenario draws every
 * one (was: a diagram of ~35-80 lines for each, 11196 stderr lines for `fuzz --runs 20000 --seed 1`, the summary
 * buried under them). The crash files and `--json` are the same whatever is printed.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CliResult } from '../support/cli';
import { ROOT, cli, cliInProcess, hasStackTrace } from '../support/cli';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-diagrams-'));

interface Divergence {
  scenario: string;
  reader: string;
  contract: string;
  model: string;
  class: string;
  file: string;
}

interface Run {
  code: number;
  stderr: string;
  stdout: string;
  crashes: string;
  files: string[];
  divergences: Divergence[];
}

/** `fuzz ARGS --json` into fresh crash and corpus folders: in this process, unless `run` is the built binary (cli). */
async function fuzz(
  args: readonly string[],
  run: (args: readonly string[]) => Promise<CliResult> = cliInProcess,
): Promise<Run> {
  const crashes = tmp();
  const r = await run(['fuzz', ...args, '--crashes', crashes, '--corpus', tmp(), '--json']);
  expect(hasStackTrace(r.stderr)).toBe(false);
  const divergences = (JSON.parse(r.stdout) as { divergences: Divergence[] }).divergences;
  return { ...r, crashes, files: readdirSync(crashes).sort(), divergences };
}

/** The `\tdivergence:` lines of stderr, each with the line before it and the line after it. */
function divergenceLines(stderr: string): { before: string; line: string; after: string }[] {
  const lines = stderr.split('\n');
  return lines.flatMap((line, i) =>
    line.startsWith('\tdivergence: ') ? [{ before: lines[i - 1] ?? '', line, after: lines[i + 1] ?? '' }] : [],
  );
}

/** What a divergence's diagram prints (runReport), none of which a compact line has. */
const DIAGRAM_TEXT = [/^reference history of /m, /^verdict {3}divergence: /m, /^\treplay: /m, /^contract {2}/m];

/** The compact line of a divergence, as the `--json` summary names it (`npx ptefuzz`: run from the repository). */
const compactLine = (d: Divergence, expectation: string): string =>
  `\tdivergence: ${d.class} — ${d.reader} on ${d.scenario} (${d.contract}, ${d.model}), ${expectation}; ` +
  `show: npx ptefuzz show ${d.file}`;

/** The file name of a crash file path. */
const base = (file: string): string => file.split('/').pop()!;

describe('fuzz: one compact line per new divergence in a campaign over many scenarios', () => {
  test('the default campaign (every built-in scenario): one line per crash file, under its status line; no diagram', async () => {
    // the built binary, as the quick start runs it; 100 runs: 16 crash files (300: 24), the first the README quotes
    const r = await fuzz(['--runs', '100', '--seed', '1'], async (args) => cli(args));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^INFO: \d+ targets \((\d+) scenarios\)/m);
    expect(Number(/\((\d+) scenarios\)/.exec(r.stderr)![1])).toBeGreaterThan(20);
    // a campaign that finds many: each one crash file, each one line
    expect(r.files.length).toBeGreaterThanOrEqual(10);
    expect(r.divergences.map((d) => base(d.file)).sort()).toEqual(r.files);
    const found = divergenceLines(r.stderr);
    expect(found).toHaveLength(r.files.length);
    for (const { before, line, after } of found) {
      // its status line above it, the next status line (or the summary) right below: nothing else
      expect(before).toMatch(/^#\d+\tNEW\t/);
      expect(after).toMatch(/^(#\d+\t|Done: )/);
      expect(line).toMatch(/, expected (bug|benign); show: npx ptefuzz show \//);
    }
    // every crash file written is named by exactly one line, with what its scenario expects
    for (const d of r.divergences) {
      const lines = found.filter((f) => f.line.endsWith(`show ${d.file}`));
      expect(lines, d.file).toHaveLength(1);
      expect([compactLine(d, 'expected bug'), compactLine(d, 'expected benign')]).toContain(lines[0]!.line);
    }
    // the summary's expectations line judges the same campaign: no UNEXPECTED divergence, so no diagram at all
    expect(r.stderr).not.toContain('UNEXPECTED');
    for (const text of DIAGRAM_TEXT) expect(r.stderr).not.toMatch(text);
    // the replay commands are still listed under the summary, one per file
    for (const d of r.divergences) expect(r.stderr).toContain(`\n  npx ptefuzz replay ${d.file}\n`);
    // the README's quick start quotes the first of them (its crash folder `crashes/`)
    const quoted = readFileSync(join(ROOT, 'README.md'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('\tdivergence: torn — ptep_get_lockless on s2-pae-zap-reestablish-nowmb '));
    expect(quoted).toHaveLength(1);
    expect(found[0]!.line).toBe(quoted[0]!.replace(' show crashes/', ` show ${r.crashes}/`));
  }, 300_000);

  test('--jobs 2: the same policy (one line per crash file, no diagram of an expected bug)', async () => {
    const scenarios = ['s1-pae-double-refault', 's2-pae-zap-reestablish'].flatMap((s) => ['--scenario', s]);
    // 1000 runs: the 3 crash files of 3000 (seed 42)
    const r = await fuzz([...scenarios, '--model', 'tso', '--runs', '1000', '--seed', '42', '--jobs', '2']);
    expect(r.code).toBe(1);
    expect(r.files.length).toBeGreaterThan(0);
    const found = divergenceLines(r.stderr);
    expect(found).toHaveLength(r.files.length);
    for (const d of r.divergences) expect(found.map((f) => f.line)).toContain(compactLine(d, 'expected bug'));
    for (const text of DIAGRAM_TEXT) expect(r.stderr).not.toMatch(text);
  }, 300_000);
});

/** pae-fault-ptl.scn, whose naive ptep_get tears under weak, with the wrong expectation `ptep_get expect correct`. */
function wrongExpectation(): { dir: string; file: string } {
  const dir = tmp();
  const text = readFileSync(join(ROOT, 'test', 'fixtures', 'pae-fault-ptl.scn'), 'utf8');
  expect(text).toContain('\nreader ptep_get expect bug\n');
  writeFileSync(join(dir, 'wrong.scn'), text.replace('reader ptep_get expect bug', 'reader ptep_get expect correct'));
  return { dir, file: join(dir, 'wrong.scn') };
}

describe('fuzz: the diagrams a campaign prints', () => {
  const TWO = (scn: string): string[] => ['--scenario', scn, '--scenario', 's2-pae-zap-reestablish'];
  const RUNS = ['--runs', '400', '--seed', '1'];

  test('many scenarios: an UNEXPECTED divergence (the scenario expects the reader correct) gets its diagram, an expected bug one line', async () => {
    const { file } = wrongExpectation();
    const r = await fuzz([...TWO(file), ...RUNS]);
    expect(r.code).toBe(1);
    const unexpected = r.divergences.filter((d) => d.scenario === 'pae-fault-ptl');
    const expected = r.divergences.filter((d) => d.scenario === 's2-pae-zap-reestablish');
    expect(unexpected.map((d) => `${d.reader} ${d.model} ${d.class}`)).toEqual(['ptep_get weak torn']);
    expect(expected.length).toBeGreaterThan(0);
    const u = unexpected[0]!;
    // its line names the crash file, then its diagram and the replay command, as a one-scenario campaign prints it
    const head = `\tdivergence: torn — ptep_get on pae-fault-ptl (non-torn, weak), UNEXPECTED (expected correct) -> ${u.file}\n`;
    expect(r.stderr).toContain(head);
    const report = r.stderr.slice(r.stderr.indexOf(head), r.stderr.indexOf('\n\n', r.stderr.indexOf('\treplay: ')));
    expect(report).toMatch(/^ +A: ptep_get +B: fault$/m);
    expect(report).toMatch(/^reference history of pte /m);
    expect(report).toMatch(/^verdict {3}divergence: torn$/m);
    expect(report).toContain(`\treplay: npx ptefuzz replay ${u.file}`);
    // one diagram: the unexpected divergence's
    expect(r.stderr.match(/^reference history of /gm)).toHaveLength(1);
    expect(r.stderr.match(/^\treplay: /gm)).toHaveLength(1);
    for (const d of expected) expect(r.stderr).toContain(compactLine(d, 'expected bug') + '\n');
    // the summary says it too
    expect(r.stderr).toContain(
      'UNEXPECTED divergence where the scenario expects the reader correct (1; a new finding or a modelling error):\n' +
        '  ptep_get on pae-fault-ptl (non-torn): divergence: torn under weak\n',
    );
  }, 300_000);

  test('--diagrams all: every divergence of a campaign over many scenarios gets its diagram; none: not even the UNEXPECTED one', async () => {
    const { file } = wrongExpectation();
    const all = await fuzz([...TWO(file), ...RUNS, '--diagrams', 'all']);
    const none = await fuzz([...TWO(file), ...RUNS, '--diagrams', 'none']);
    expect(all.files.length).toBeGreaterThan(1);
    // what is printed changes nothing else: the same crash files, byte for byte
    expect(none.files).toEqual(all.files);
    for (const f of all.files)
      expect(readFileSync(join(none.crashes, f)).equals(readFileSync(join(all.crashes, f))), f).toBe(true);
    expect(all.stderr.match(/^reference history of /gm)).toHaveLength(all.files.length);
    expect(all.stderr.match(/^\treplay: /gm)).toHaveLength(all.files.length);
    const tag = (d: Divergence): string =>
      d.scenario === 'pae-fault-ptl' ? 'UNEXPECTED (expected correct)' : 'expected bug';
    for (const d of all.divergences)
      expect(all.stderr).toContain(`(${d.contract}, ${d.model}), ${tag(d)} -> ${d.file}\n`);
    for (const text of DIAGRAM_TEXT) expect(none.stderr).not.toMatch(text);
    const lines = divergenceLines(none.stderr).map((l) => l.line);
    expect(lines).toHaveLength(none.files.length);
    for (const d of none.divergences) expect(lines).toContain(compactLine(d, tag(d)));
  }, 300_000);

  test('one scenario: every divergence gets its diagram (issue 2: the race the user asked about); --diagrams none: one line', async () => {
    const args = ['--scenario', 's2-pae-zap-reestablish', '--reader', 'ptep_get', '--model', 'sc', '--runs', '2000'];
    const r = await fuzz([...args, '--seed', '1']);
    expect(r.code).toBe(1);
    expect(r.divergences).toHaveLength(1);
    const d = r.divergences[0]!;
    expect(r.stderr).toContain(
      `\tdivergence: torn — ptep_get on s2-pae-zap-reestablish (non-torn, sc), expected bug -> ${d.file}\n`,
    );
    expect(r.stderr).toMatch(/^ +A: ptep_get +B: zap \+ re-establish$/m);
    for (const text of DIAGRAM_TEXT) expect(r.stderr).toMatch(text);
    expect(r.stderr).toContain(`\treplay: npx ptefuzz replay ${d.file}\n`);
    const none = await fuzz([...args, '--seed', '1', '--diagrams', 'none']);
    expect(none.files).toEqual(r.files);
    expect(divergenceLines(none.stderr).map((l) => l.line)).toEqual([
      compactLine(none.divergences[0]!, 'expected bug'),
    ]);
    for (const text of DIAGRAM_TEXT) expect(none.stderr).not.toMatch(text);
  }, 300_000);

  test('a bad --diagrams value: one line naming the flag and the values it takes, exit 2', async () => {
    for (const bad of ['some', 'ALL', '']) {
      const r = await cliInProcess(['fuzz', '--diagrams', bad, '--runs', '1', '--crashes', tmp()]);
      expect(r.code).toBe(2);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.stderr.trim().split('\n')).toEqual([
        `ptefuzz: option '--diagrams <which>' argument '${bad}' is invalid. expected all, unexpected, none.`,
      ]);
      expect(r.stdout).toBe('');
    }
    // a litmus campaign draws no diagram: the flag is refused there, as the other options of a kernel campaign
    const litmus = await cliInProcess([
      'fuzz',
      '--scenario',
      'corpus/litmus/MP.litmus',
      '--diagrams',
      'all',
      '--runs',
      '1',
    ]);
    expect(litmus.code).toBe(2);
    expect(litmus.stderr.trim().split('\n')).toHaveLength(1);
    expect(litmus.stderr).toContain('--diagrams does not apply to litmus tests');
  });
});
