/**
 * `ptefuzz explore` (issue 4 acceptance): the exhaustive engine prints, for
 * the MP and SB litmus shapes and their barrier variants, exactly the
 * outcome sets the memory-model laws assert (test/laws/expected-outcomes.ts),
 * in herd7 form; on S2 it reports the number of executions and "no
 * divergence within bound K"; on S1 it finds Jann Horn's torn value.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Target } from '../../src/campaign';
import { runTarget, selectTargets } from '../../src/campaign';
import type { EnumerateOptions } from '../../src/engines';
import { enumerate } from '../../src/engines';
import { builtinReaders } from '../../src/kernel';
import { shapeByName } from '../../src/litmus-shapes';
import { S2_NOWMB_SCN } from '../../src/scenario/builtin/s2-pae-zap-reestablish';
import { EXPECTED, MODELS } from '../laws/expected-outcomes';
import { bruteForce } from '../support/brute-force';
import type { CliResult } from '../support/cli';
import { ROOT, cli, cliInProcess, hasStackTrace } from '../support/cli';

/** a fresh crash folder: a divergent explore writes its crash files there, never into the repository's crashes/ */
const tmpCrashes = (): string => join(mkdtempSync(join(tmpdir(), 'ptefuzz-explore-')), 'crashes');

const BARRIER_VARIANTS = Object.keys(EXPECTED).filter((n) => /^(MP|SB)(\+|$)/.test(n));

interface HerdBlock {
  test: string;
  states: string[];
  ok: string;
  positive: number;
  negative: number;
  condition: string;
  observation: string;
  model: string;
}

/** Parse herd7-style blocks (separated by blank lines). */
function parseHerd(stdout: string): HerdBlock[] {
  return stdout
    .trim()
    .split(/\n\n/)
    .map((block) => {
      const lines = block.split('\n');
      const n = Number(/^States (\d+)$/.exec(lines[1]!)![1]);
      const witnesses = /^Positive: (\d+) Negative: (\d+)$/.exec(lines[n + 4]!)!;
      expect(lines[n + 3]).toBe('Witnesses');
      return {
        test: lines[0]!,
        states: lines.slice(2, 2 + n),
        ok: lines[n + 2]!,
        positive: Number(witnesses[1]),
        negative: Number(witnesses[2]),
        condition: lines[n + 5]!,
        observation: lines[n + 6]!,
        model: lines[n + 7]!,
      };
    });
}

/**
 * What a bound stopped in the executions explore runs for `t` (the enumerator's completeness is
 * test/laws/exhaustive-completeness.test.ts), classified here, independently of explore's own classification.
 */
interface BoundHits {
  readonly executions: number;
  /** executions a bound stopped */
  readonly hits: number;
  /** of those, stopped by the reader's retry bound */
  readonly retries: number;
  /** of the retry-bound hits, reads begun after every other CPU had finished its operations and its last step */
  readonly after: number;
}

function boundHits(t: Target, opts: EnumerateOptions): BoundHits {
  let hits = 0;
  let retries = 0;
  let after = 0;
  const x = enumerate(
    (source) => runTarget(t, source).exec,
    (exec) => {
      const o = exec.outcome;
      if (o.kind !== 'bound-hit') return;
      hits++;
      if (o.bound !== 'retries') return;
      retries++;
      const read = exec.ops[o.op]!;
      const othersDone = exec.ops.filter((op) => op.cpu !== read.cpu).every((op) => op.done);
      const others = exec.events.filter((e) => e.cpu !== read.cpu && e.kind !== 'drain');
      if (othersDone && others.every((e) => e.step < read.start)) after++;
    },
    opts,
  );
  return { executions: x.executions, hits, retries, after };
}

/**
 * `explore` of S9 (contpte_ptep_get_lockless, sc, bound 1), in this process: run once, for the tests that read its
 * bound-hit counts and those that read its decoded fields.
 */
let s9Explored: Promise<CliResult> | undefined;
const s9LocklessScBound1 = (): Promise<CliResult> =>
  (s9Explored ??= cliInProcess([
    ...['explore', '--scenario', 's9-contpte-fold-unfold', '--reader', 'contpte_ptep_get_lockless'],
    ...['--model', 'sc', '--bound', '1', '--crashes', mkdtempSync(join(tmpdir(), 'ptefuzz-explore-arm64-'))],
  ]));

describe('explore --litmus: herd7 States blocks equal the law tests’ outcome sets', () => {
  test('the MP and SB families are all covered', () => {
    expect(BARRIER_VARIANTS).toEqual(expect.arrayContaining(['MP', 'MP+wmb+rmb', 'SB', 'SB+mb+mb']));
  });

  test.each(BARRIER_VARIANTS)('%s under sc, tso and weak', async (name) => {
    const r = await cliInProcess(['explore', '--litmus', name, ...MODELS.flatMap((m) => ['--model', m])]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const blocks = parseHerd(r.stdout);
    expect(blocks).toHaveLength(MODELS.length);
    const shape = shapeByName(name)!;
    MODELS.forEach((model, i) => {
      const b = blocks[i]!;
      const expected = [...EXPECTED[name]![model]].sort();
      expect(b.test).toBe(`Test ${name} Allowed`);
      expect(b.model).toMatch(
        new RegExp(`^Model ${model}; Executions ${b.positive + b.negative} \\(\\d+ traces?\\); complete`),
      );
      expect(b.states).toEqual(expected.map((s) => `${s};`));
      const reachable = expected.includes(shape.interesting);
      expect(b.ok).toBe(reachable ? 'Ok' : 'No');
      expect(b.positive > 0).toBe(reachable);
      expect(b.condition).toBe(`Condition exists (${shape.interesting.replace(/; /g, ' /\\ ')})`);
      const kind = b.positive === 0 ? 'Never' : b.negative === 0 ? 'Always' : 'Sometimes';
      expect(b.observation).toBe(`Observation ${name} ${kind} ${b.positive} ${b.negative}`);
    });
  });
});

describe('explore --scenario', () => {
  test('S2, ptep_get_lockless, sc, --bound 2: the execution count and "no divergence within bound 2"', () => {
    const r = cli([
      'explore',
      '--scenario',
      's2-pae-zap-reestablish',
      '--reader',
      'ptep_get_lockless',
      '--model',
      'sc',
      '--bound',
      '2',
    ]);
    expect(r.code).toBe(0);
    expect(hasStackTrace(r.stderr)).toBe(false);
    // the same enumeration in-process: the CLI reports every execution it ran
    const [t] = selectTargets(
      { scenarios: ['s2-pae-zap-reestablish'], readers: ['ptep_get_lockless'], models: ['sc'] },
      builtinReaders(),
    );
    const values = new Set<string>();
    const summary = enumerate(
      (source) => {
        const run = runTarget(t!, source);
        for (const j of run.judgement.judged) values.add(t!.arch.format(j.op.result!));
        return run.exec;
      },
      () => undefined,
      { preemptionBound: 2 },
    );
    expect(summary.boundCut).toBe(true);
    expect(r.stdout).toContain(`Executions ${summary.executions} (traces); the preemption bound 2 cut the search`);
    expect(r.stdout).toContain('no divergence within bound 2');
    expect(r.stdout).toContain(`States ${values.size}\n`);
    for (const v of values)
      expect(r.stdout).toMatch(new RegExp(`^ *\\d+  ${v.replace(/[{}]/g, '\\$&')}.*  agree$`, 'm'));
    expect(r.stdout).toContain('{0x00010002:0x00020067}  agree'); // the re-established pte
    expect(r.stdout).not.toMatch(/ {2}torn|DIVERGENCE/);
  });

  test('an expected bug the bounded search does not reach: NOT FOUND within the bound, named with its reader', async () => {
    const r = await cliInProcess([
      ...['explore', '--scenario', 's1-pae-double-refault', '--reader', 'ptep_get_lockless'],
      ...['--model', 'tso', '--bound', '0', '--crashes', tmpCrashes()],
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no divergence within bound 0\n');
    expect(r.stdout).toContain(
      "\n\nexpectations (each scenario's `expect` for its readers, over the models run): 0 of 1 borne out (bug found 0, correct confirmed 0)\n" +
        'expected bug NOT FOUND within preemption bound 0 (1; a search the bound cut may find it with a higher --bound — its block above says whether the bound cut it):\n' +
        '  ptep_get_lockless on s1-pae-double-refault (non-torn): no divergence under tso (',
    );
  });

  test("without --model, the models fuzz runs: the scenario's own, then those its bug clauses name (S2-nowmb: weak), exit 1", async () => {
    const block = (model: string): string =>
      `reader ptep_get_lockless, contract non-torn, model ${model}, preemption bound 2\n`;
    const args = ['explore', '--scenario', 's2-pae-zap-reestablish-nowmb', '--reader', 'ptep_get_lockless'];
    const r = await cliInProcess([...args, '--crashes', tmpCrashes()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('non-torn tso, preemption bound 2 (target 1 of 2)');
    expect(r.stderr).toContain('non-torn weak, preemption bound 2 (target 2 of 2)');
    const [tso, weak] = r.stdout.split(block('weak'));
    expect(tso).toContain(block('tso'));
    expect(tso).toContain('no divergence within bound 2');
    expect(weak).toContain('DIVERGENCE: 4 divergent state(s) within bound 2');
    // the scenario's expectations for the reader, judged on the searches (correct under tso, bug under weak)
    expect(
      r.stdout.endsWith(
        "\n\nexpectations (each scenario's `expect` for its readers, over the models run): 2 of 2 borne out (bug found 1, correct confirmed 1)\n",
      ),
    ).toBe(true);
    // --model: exactly the models asked
    const only = await cliInProcess([...args, '--model', 'tso', '--crashes', tmpCrashes()]);
    expect(only.code).toBe(0);
    expect(only.stdout).not.toContain(block('weak'));
    // … and the clause about weak is unchecked, with the model to run it with
    expect(only.stdout).toContain(
      '  ptep_get_lockless on s2-pae-zap-reestablish-nowmb (non-torn), bug under weak: weak not run (the models run: tso; bug under weak is judged under weak); run it with --model weak\n',
    );
    // a .scn's `model` line is the scenario's own model
    const f = join(mkdtempSync(join(tmpdir(), 'ptefuzz-explore-scn-')), 'nowmb-sc.scn');
    writeFileSync(
      f,
      S2_NOWMB_SCN.replace('scenario s2-pae-zap-reestablish-nowmb', 'scenario nowmb-sc').replace(
        'model tso',
        'model sc',
      ),
    );
    const scn = await cliInProcess([
      'explore',
      '--scenario',
      f,
      '--reader',
      'ptep_get_lockless',
      '--crashes',
      tmpCrashes(),
    ]);
    expect(scn.code).toBe(1);
    expect(scn.stderr).toContain('nowmb-sc ptep_get_lockless non-torn sc, preemption bound 2 (target 1 of 2)');
    expect(scn.stderr).toContain('nowmb-sc ptep_get_lockless non-torn weak, preemption bound 2 (target 2 of 2)');
    // and --help says so
    expect((await cliInProcess(['explore', '--help'])).stdout.replace(/\s+/g, ' ')).toContain(
      'default: each scenario’s model (its `model` line, else its architecture’s) and the models its reader’s `bug under M` clauses name, as fuzz; weak for litmus shapes and tests judged by their condition',
    );
  });

  test("S1 under sc: Jann Horn's torn value needs 3 preemptions; explore finds it, exit 1", async () => {
    const crashes = tmpCrashes();
    const args = ['explore', '--scenario', 's1-pae-double-refault', '--reader', 'ptep_get_lockless', '--model', 'sc'];
    const two = await cliInProcess([...args, '--bound', '2', '--crashes', crashes]);
    expect(two.stdout).not.toContain('{0x00010002:0x00010067}');
    const three = await cliInProcess([...args, '--bound', '3', '--crashes', crashes]);
    expect(three.code).toBe(1);
    expect(three.stdout).toMatch(/^ *\d+ {2}\{0x00010002:0x00010067\} {2}torn$/m);
    expect(three.stdout).toContain('DIVERGENCE: 2 divergent state(s) within bound 3');
    // both torn values minimize to one race: the file a fuzz campaign wrote for it (crashes/ of the repository)
    const file = 's1-pae-double-refault.ptep_get_lockless.non-torn.sc.torn.e9e661eab06e.msgpack';
    expect(existsSync(join(ROOT, 'crashes', file))).toBe(true);
    expect(readdirSync(crashes)).toEqual([file]);
    expect(three.stdout).toContain(
      'first witnesses of {0x00000000:0x00010067} torn; {0x00010002:0x00010067} torn, minimized (one divergence: the same fingerprint):',
    );
  });

  test('a consumer invariant broken while every returned value was acceptable is a divergence (S7 lost-dirty), exit 1', async () => {
    const args = ['explore', '--scenario', 's7-arm64-fault-norecency', '--reader', '__ptep_get', '--model', 'sc'];
    args.push('--crashes', tmpCrashes());
    const r = await cliInProcess([...args, '--bound', '3']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ *\d+ {2}lost-dirty 0x0068000001234fc3 \(execution-level: .*\) {2}lost-dirty$/m);
    expect(r.stdout).toContain('DIVERGENCE: 1 divergent state(s)');
    expect(r.stdout).not.toContain('no divergence');
    // the fixed PTL recheck (pte_same) explores the same schedules without one
    const fixed = await cliInProcess([
      'explore',
      '--scenario',
      's7-arm64-fault-pte-same',
      '--reader',
      '__ptep_get',
      '--model',
      'sc',
    ]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('no divergence (complete search)');
  });

  test('a complete search says how many preemptions its executions needed, not that the bound was never reached', async () => {
    // S7 with pte_same under weak: some executions need exactly 2 preemptions, none needs 3 (brute force below)
    const scenario = 's7-arm64-fault-pte-same';
    const [t] = selectTargets({ scenarios: [scenario], readers: ['__ptep_get'], models: ['weak'] }, builtinReaders());
    const run = (source: Parameters<typeof runTarget>[1]) => runTarget(t!, source).exec;
    const [one, two, three] = [1, 2, 3].map((b) => bruteForce(run, b));
    expect(Math.max(...two!.map((l) => l.preemptions))).toBe(2);
    expect(three).toHaveLength(two!.length);
    expect(one!.length).toBeLessThan(two!.length);
    const args = ['explore', '--scenario', scenario, '--reader', '__ptep_get', '--model', 'weak'];
    for (const bound of [2, 3]) {
      const r = await cliInProcess([...args, '--bound', String(bound)]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        `Executions ${two!.length} (traces); complete (every trace enumerated: no execution needs more than 2 preemption(s), ` +
          `the preemption bound ${bound} cut nothing)`,
      );
      expect(r.stdout).not.toContain('never reached');
      expect(r.stdout).toContain('no divergence (complete search)');
    }
    const cut = await cliInProcess([...args, '--bound', '1']);
    expect(cut.stdout).toContain(`Executions ${one!.length} (traces); the preemption bound 1 cut the search`);
    expect(cut.stdout).toContain('no divergence within bound 1');
  });

  test('bound hits: a writer left unfinished (sc), or a read begun after every writer finished re-reading old values (weak)', async () => {
    const scenario = 's9-contpte-fold-unfold';
    const reader = 'contpte_ptep_get_lockless';
    const hits = (model: 'sc' | 'weak', bound: number, maxExecutions?: number): BoundHits => {
      const [t] = selectTargets({ scenarios: [scenario], readers: [reader], models: [model] }, builtinReaders());
      const h = boundHits(t!, { preemptionBound: bound, ...(maxExecutions !== undefined ? { maxExecutions } : {}) });
      // every bound these executions hit is the reader's retry bound
      expect(h.retries).toBe(h.hits);
      return h;
    };
    const sc = hits('sc', 1);
    expect(sc.hits).toBeGreaterThan(0);
    expect(sc.after).toBe(0);
    const a = await s9LocklessScBound1();
    expect(a.stdout).toContain(
      `no divergence within bound 1\n  (${sc.hits} of ${sc.executions} executions hit a bound and were not judged — ` +
        `neither a pass nor a divergence: ${sc.hits} with another CPU's operation unfinished or running during the ` +
        'read (typically a writer the preemption bound stopped half way, the reader retrying on it); the bound-hit ' +
        'state above)',
    );
    // under weak at bound 0 (no preemption at all) the reader retries to the bound on old values: the first 500
    // executions of a search too large to finish (more than 100000 executions)
    const weak = hits('weak', 0, 500);
    expect(weak.hits).toBeGreaterThan(0);
    expect(weak.after).toBe(weak.hits);
    const b = await cliInProcess([
      'explore',
      '--scenario',
      scenario,
      '--reader',
      reader,
      '--bound',
      '0',
      '--max-executions',
      '500',
    ]);
    expect(b.stdout).toContain('no divergence in the 500 executions explored (search truncated)');
    expect(b.stdout).toContain(
      `(${weak.hits} of 500 executions hit a bound and were not judged — neither a pass nor a divergence: ` +
        `${weak.hits} with the read begun after every other CPU had finished its operations (the reader kept reading ` +
        'an old value on every retry, which tso and weak allow: a store need not become visible within any bound); ' +
        'the bound-hit state above)',
    );
  });

  test('a divergence still says how many executions hit a bound and were not judged (exact, sc, bound 1)', async () => {
    // S9's lockless gather used to serve here, with an `ad-mixed` under exact that was the reference's (a refold's
    // break hid the whole block from its first clear, though the entry read still stood alone)
    const scenario = join(ROOT, 'test', 'fixtures', 'lockless-two-accesses.scn');
    const reader = 'contpte_ptep_get_lockless';
    const text = { name: 'lockless-two-accesses', text: readFileSync(scenario, 'utf8'), file: scenario };
    const [t] = selectTargets(
      { scenarios: [text], readers: [reader], contract: 'exact', models: ['sc'] },
      builtinReaders(),
    );
    // the executions explore runs, counted here: every one that a bound stopped (a retry-bound hit whose
    // writer was still running: the other CPU's operations unfinished or stepping during the read)
    const h = boundHits(t!, { preemptionBound: 1 });
    const stopped = h.hits;
    const during = h.retries - h.after;
    expect(stopped).toBeGreaterThan(0);
    expect(during).toBe(stopped);
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-explore-boundhit-'));
    const r = await cliInProcess([
      'explore',
      '--scenario',
      scenario,
      '--reader',
      reader,
      '--contract',
      'exact',
      '--model',
      'sc',
      '--bound',
      '1',
      '--crashes',
      dir,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `DIVERGENCE: 1 divergent state(s) within bound 1; the first witness of each, minimized: 1 crash file(s) ` +
        `(one per distinct divergence), in ${dir}/\n` +
        `  (${stopped} of ${h.executions} executions hit a bound and were not judged — neither a pass nor a divergence: ` +
        `${during} with another CPU's operation unfinished or running during the read (typically a writer the ` +
        'preemption bound stopped half way, the reader retrying on it); the bound-hit state above)',
    );
  });

  test('an execution whose consumer never completed a read is not a divergence (S12 with the IPI), exit 0', async () => {
    const r = await cliInProcess([
      'explore',
      '--scenario',
      's12-arm64-khugepaged-gup-fast-ipi',
      '--model',
      'sc',
      '--bound',
      '1',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ *\d+ {2}no completed read {2}no read$/m);
    expect(r.stdout).not.toContain('DIVERGENCE');
  });

  test('a divergence writes a minimized crash file per distinct witness; the printed command replays it; same bytes twice', async () => {
    // run from a folder outside the repository, as a user would: the replay command is `node …/bin/ptefuzz.js replay …`
    const args = ['explore', '--scenario', 's2-pae-zap-reestablish', '--reader', 'ptep_get', '--bound', '1'];
    const cwd = mkdtempSync(join(tmpdir(), 'ptefuzz-explore-'));
    const r = cli([...args, '--crashes', 'crashes'], cwd);
    expect(r.code).toBe(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
    // two torn values, one race (low half from the old pte, high half from the zap or the re-established one):
    // one file, the lighter witness (the zap's)
    expect(r.stdout).toContain('DIVERGENCE: 2 divergent state(s) within bound 1');
    const files = readdirSync(join(cwd, 'crashes'));
    expect(files).toHaveLength(1);
    const file = `crashes/${files[0]!}`;
    expect(file).toMatch(/^crashes\/s2-pae-zap-reestablish\.ptep_get\.non-torn\.tso\.torn\.[0-9a-f]{12}\.msgpack$/);
    const replays = r.stdout.split('\n').filter((l) => l.startsWith('\treplay: '));
    expect(replays).toEqual([`\treplay: node ${join(ROOT, 'bin', 'ptefuzz.js')} replay ${file}`]);
    const rep = spawnSync('/bin/sh', ['-c', replays[0]!.slice('\treplay: '.length)], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` },
    });
    expect(rep.stdout).toContain(`REPRODUCED ${file}: torn {0x00000000:0x00010067}`);
    expect(rep.status).toBe(0);
    // the diagram explore prints is the file's (the minimizer dropped set_pte: show draws the reduced program)
    const show = await cliInProcess(['show', file], cwd);
    expect(show.code).toBe(0);
    const dropped = 'dropped from cpu B "zap + re-establish": set_pte(pte, {0x00010002:0x00020067})';
    expect(show.stdout).toContain(dropped);
    const block = /^first witness(?:es)? of .*, minimized.*:\n([\s\S]*?)\treplay: /m.exec(r.stdout)![1]!;
    expect(block).toContain(dropped);
    expect(show.stdout.startsWith(block)).toBe(true);
    // determinism: same scenario and bound, same output, same file names and bytes (run in this process, from
    // src/: the same as the built binary's)
    const again = mkdtempSync(join(tmpdir(), 'ptefuzz-explore-'));
    expect((await cliInProcess([...args, '--crashes', 'crashes'], again)).stdout).toBe(r.stdout);
    expect(readdirSync(join(again, 'crashes'))).toEqual(files);
    expect(readFileSync(join(again, file)).equals(readFileSync(join(cwd, file)))).toBe(true);
  });

  test('--crashes where no crash file is written (litmus shapes, tests judged by their condition): one line, exit 2', async () => {
    for (const [args, what] of [
      [['--litmus', 'MP'], '--crashes does not apply to --litmus'],
      [['--scenario', 'corpus/litmus/MP.litmus'], '--crashes does not apply to corpus/litmus/MP.litmus'],
    ] as const) {
      const r = await cliInProcess(['explore', ...args, '--crashes', tmpCrashes()]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(what);
      expect(r.stdout).toBe('');
    }
    const file = await cliInProcess(['explore', '--scenario', 's2-pae-zap-reestablish', '--crashes', 'README.md']);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('--crashes README.md: is not a folder');
  });

  test('a crash file in the way of a later target: every target is printed, the unwritten finding with its bytes', async () => {
    const crashes = tmpCrashes();
    // a non-empty folder where ptep_get's crash file goes: writing it fails after ptep_get_lockless was explored
    const name = 's2-pae-zap-reestablish.ptep_get.non-torn.sc.torn.22b9400becc7.msgpack';
    mkdirSync(join(crashes, name), { recursive: true });
    writeFileSync(join(crashes, name, 'inside'), '');
    const r = await cliInProcess([
      ...['explore', '--scenario', 's2-pae-zap-reestablish', '--model', 'sc', '--bound', '1'],
      ...['--reader', 'ptep_get_lockless', '--reader', 'ptep_get', '--crashes', crashes],
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot write the crash file ${name}`);
    expect(r.stdout).toContain('reader ptep_get_lockless, contract non-torn, model sc, preemption bound 1');
    expect(r.stdout).toContain('no divergence within bound 1');
    // the search of ptep_get ran to its end and its finding is printed, not saved (exit 2 all the same)
    expect(r.stdout).toContain('reader ptep_get, contract non-torn, model sc, preemption bound 1');
    expect(r.stdout).toMatch(/^DIVERGENCE: .* — 1 of them NOT SAVED \(see below\)$/m);
    expect(r.stdout).toMatch(
      new RegExp(`^\\techo [A-Za-z0-9+/=]+ \\| base64 -d > ${name.replace(/\./g, '\\.')}$`, 'm'),
    );
    expect(r.stderr.trim().split('\n').pop()).toMatch(/^ptefuzz: 1 crash file could not be written /);
  });

  test('usage errors: one line, exit 2', async () => {
    for (const args of [
      ['explore'],
      ['explore', '--scenario', 's2-pae-zap-reestablish', '--litmus', 'MP'],
      ['explore', '--litmus', 'MP+nothing'],
      ['explore', '--litmus', 'MP', '--reader', 'ptep_get'],
      ['explore', '--scenario', 's9'],
      ['explore', '--scenario', 's2-pae-zap-reestablish', '--bound', '-1'],
    ]) {
      const r = await cliInProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
    expect((await cliInProcess(['explore', '--litmus', 'MP+nothing'])).stderr).toContain('valid: MP, MP+wmb+rmb,');
  });
});

describe('explore on an arm64 contpte scenario, read by an arm64 developer', () => {
  let r: CliResult;
  beforeAll(async () => {
    r = await s9LocklessScBound1();
  });

  test('every state value is decoded into descriptor fields (pfn, cont, rdonly, write, af, dirty)', () => {
    expect(r.code).toBe(0);
    // pte1 of the initial block: pfn 0x41, CONT, DBM-writable and clean (RDONLY), AF OR-ed in from pte3
    expect(r.stdout).toMatch(/^Fields \(arm64 value decoded\):$/m);
    expect(r.stdout).toMatch(/^ {2}0x0078000000041fc3 {2}valid pfn=0x41 cont user rdonly write af /m);
    const states = r.stdout.split('\n').filter((l) => /^ *\d+ {2}0x[0-9a-f]{16}/.test(l));
    const decoded = r.stdout.split('\n').filter((l) => /^ {2}0x[0-9a-f]{16} {2}(valid|none|not present)/.test(l));
    expect(decoded.length).toBe(states.length);
  });

  test('"no divergence" says how many executions hit a bound and were not judged', () => {
    const hits = /^ *(\d+) {2}bound-hit \(retries\) {2}bound-hit$/m.exec(r.stdout);
    expect(hits).not.toBeNull();
    const executions = /^Executions (\d+) \(traces\);/m.exec(r.stdout)![1];
    expect(r.stdout).toContain(
      `no divergence within bound 1\n  (${hits![1]} of ${executions} executions hit a bound and were not judged`,
    );
  });
});
