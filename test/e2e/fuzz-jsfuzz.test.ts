/**
 * `ptefuzz fuzz --engine jsfuzz` (issue 7): the real jsfuzz CLI over
 * harness/pae.fuzz.js. jsfuzz cannot be seeded and has no run limit, so
 * these tests never wait for it to find something by chance: jsfuzz runs
 * the inputs of its corpus first, unmodified, so a corpus holding one
 * known diverging input makes its first execution the crash, and `--runs`
 * (counted by the harness, exact) stops it. That jsfuzz finds the torn read
 * by itself within seconds is shown by hand (README, jsfuzz targets). Every command that starts jsfuzz runs
 * with jsfuzzEnv (test/support/jsfuzz-cache.ts): jsfuzz's worker instruments the harness's modules once per
 * test run, not once per session.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fingerprint, loadCrash } from '../../src/crash';
import type { CliResult } from '../support/cli';
import { ROOT, cli, hasStackTrace } from '../support/cli';
import { jsfuzzEnv } from '../support/jsfuzz-cache';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-jsfuzz-e2e-'));
const NATIVE = 's2-pae-zap-reestablish.ptep_get.non-torn.sc.torn.22b9400becc7.msgpack';
const S2_PTEP_GET_SC = ['--scenario', 's2-pae-zap-reestablish', '--reader', 'ptep_get', '--model', 'sc'];

/**
 * A one-execution jsfuzz campaign on S2 `ptep_get` under sc whose corpus holds one diverging input: byte 0 the
 * (only) target, then the trace [0, 1] — the reader loads low, the writer zaps and re-establishes, the reader
 * loads high: the torn read of the committed native crash file. Its arguments after `fuzz --engine jsfuzz`.
 */
function tornSeedCampaign(): { corpus: string; out: string; args: string[] } {
  const corpus = tmp();
  const out = tmp();
  writeFileSync(join(corpus, 'torn-seed'), Buffer.from([0, 0, 1]));
  const args = [...S2_PTEP_GET_SC, '--runs', '1', '--seed', '5', '--corpus', corpus, '--crashes', out, '--json'];
  return { corpus, out, args };
}

let tornSeed: (ReturnType<typeof tornSeedCampaign> & { r: CliResult }) | undefined;
/**
 * The torn-seed campaign over S2 alone, run once for the two tests that read it (neither changes its folders): a
 * jsfuzz session costs ~2 s of CPU even with jsfuzzEnv's cache of instrumented modules (~9 s without it).
 */
function tornSeedRun(): ReturnType<typeof tornSeedCampaign> & { r: CliResult } {
  if (tornSeed === undefined) {
    const c = tornSeedCampaign();
    tornSeed = { ...c, r: cli(['fuzz', '--engine', 'jsfuzz', ...c.args], ROOT, jsfuzzEnv()) };
  }
  return tornSeed;
}

describe('fuzz --engine jsfuzz', () => {
  test('a diverging input → the native engine’s crash file (same fingerprint, same name), replays', () => {
    const { corpus, out, r } = tornSeedRun();
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as {
      executions: number;
      seed: string;
      divergences: { class: string; hits: number }[];
      jsfuzz: { sessions: number; artifacts: number; seedable: boolean };
    };
    expect(s.executions).toBe(1);
    expect(s.seed).toBe('5');
    expect(s.jsfuzz).toMatchObject({ sessions: 1, artifacts: 1, seedable: false });
    expect(s.divergences.map((d) => [d.class, d.hits])).toEqual([['torn', 1]]);
    expect(readdirSync(out)).toEqual([NATIVE]);
    const mine = loadCrash(join(out, NATIVE));
    const native = loadCrash(join(ROOT, 'crashes', NATIVE));
    // the same bug as the committed file: same fingerprint (hence name), class and logical reads — the
    // program the minimizer reduced it to may be the other minimal one (S2 without its pte_clear or without set_pte)
    expect(fingerprint(mine)).toBe(fingerprint(native));
    expect([mine.verdict.class, mine.signature, mine.reader, mine.contract, mine.model]).toEqual([
      native.verdict.class,
      native.signature,
      native.reader,
      native.contract,
      native.model,
    ]);
    const original = readFileSync(join(ROOT, 'corpus', 'mailing-list', 's2-pae-zap-reestablish.scn'), 'utf8');
    expect(mine.scenario.dropped).toHaveLength(1);
    const stmt = mine.scenario.dropped![0]!.split(': ').slice(1).join(': ');
    expect(mine.scenario.text).toBe(
      original
        .split('\n')
        .filter((l) => !l.trim().startsWith(stmt))
        .join('\n'),
    );
    expect([mine.engine, mine.seed]).toEqual(['jsfuzz', '5']);
    expect(cli(['replay', join(out, NATIVE)]).code).toBe(0);
    // jsfuzz's status lines are forwarded; the diverging seed left the corpus (it lives on as the crash file)
    expect(r.stderr).toMatch(/^jsfuzz\[1\] #0 READ units: 1$/m);
    expect(r.stderr).toContain('jsfuzz[1] ptefuzz divergence: torn {0x00010002:0x00010067}');
    expect(r.stderr).toContain('jsfuzz is not seedable');
    expect(readdirSync(corpus)).not.toContain('torn-seed');
  });

  test('a new divergence: its diagram in a campaign over one scenario, one compact line over many (fuzz --diagrams)', () => {
    const one = tornSeedRun().r;
    expect(one.code).toBe(1);
    const file = (JSON.parse(one.stdout) as { divergences: { file: string }[] }).divergences[0]!.file;
    expect(one.stderr).toContain(
      `\tdivergence: torn — ptep_get on s2-pae-zap-reestablish (non-torn, sc), expected bug -> ${file}\n`,
    );
    expect(one.stderr).toMatch(/^verdict {3}divergence: torn$/m);
    expect(one.stderr).toContain(`\treplay: npx ptefuzz replay ${file}\n`);
    // the same seed input with S1 after S2: target 0 is still S2's ptep_get, and its divergence one line
    const many = tornSeedCampaign();
    const r = cli(
      ['fuzz', '--engine', 'jsfuzz', ...many.args, '--scenario', 's1-pae-double-refault'],
      ROOT,
      jsfuzzEnv(),
    );
    expect(r.code).toBe(1);
    expect(readdirSync(many.out)).toEqual([NATIVE]);
    const lines = r.stderr.split('\n');
    const at = lines.findIndex((l) => l.startsWith('\tdivergence: '));
    expect(lines[at - 1]).toMatch(/^#1\tNEW\t/);
    expect(lines[at]).toBe(
      `\tdivergence: torn — ptep_get on s2-pae-zap-reestablish (non-torn, sc), expected bug; show: npx ptefuzz show ${join(many.out, NATIVE)}`,
    );
    expect(lines[at + 1]).toMatch(/^(jsfuzz\[|Done: )/);
    expect(r.stderr).not.toMatch(/^verdict {3}/m);
    expect(r.stderr).not.toContain('\treplay: ');
  });

  test('--runs N stops jsfuzz after exactly N executions; a correct reader gives no file, exit 0', () => {
    const out = tmp();
    const lockless = S2_PTEP_GET_SC.map((a) => (a === 'ptep_get' ? 'ptep_get_lockless' : a));
    const args = [...lockless, '--runs', '200', '--seed', '1', '--crashes', out, '--json'];
    const r = cli(['fuzz', '--engine', 'jsfuzz', ...args], ROOT, jsfuzzEnv());
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { executions: number; targets: { executions: number; verdict: string }[] };
    expect(s.executions).toBe(200);
    expect(s.targets.map((t) => t.executions)).toEqual([200]);
    expect(readdirSync(out)).toEqual([]);
  });

  test('usage errors: --depth, --jobs, --shard and a non-PAE-harness option combination, one line, exit 2', () => {
    for (const args of [
      ['fuzz', '--engine', 'jsfuzz', '--depth', '3', '--runs', '1'],
      // one jsfuzz process, not seedable: a split would be silently ignored
      ['fuzz', '--engine', 'jsfuzz', ...S2_PTEP_GET_SC, '--jobs', '2', '--runs', '1', '--crashes', tmp()],
      [
        'fuzz',
        '--engine',
        'jsfuzz',
        ...S2_PTEP_GET_SC,
        '--shard',
        '1/2',
        '--seed',
        '1',
        '--runs',
        '1',
        '--crashes',
        tmp(),
      ],
      ['fuzz', '--engine', 'random', '--corpus', '/tmp', '--runs', '1'],
    ]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  test('a crash file that cannot be written: the finding with the command that writes it, summary, one line, exit 2', () => {
    const { out, args } = tornSeedCampaign();
    // a folder where the crash file goes: its write fails (EISDIR) for root too, as a read-only folder or a full disk would
    mkdirSync(join(out, NATIVE));
    const r = cli(['fuzz', '--engine', 'jsfuzz', ...args], ROOT, jsfuzzEnv());
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`ptefuzz: ${out}: cannot write the crash file ${NATIVE} (is a folder, EISDIR)\n`);
    // the finding's report (its diagram) is printed, with no replay command, and listed as not saved
    expect(r.stderr).toContain('verdict   divergence: torn');
    expect(r.stderr).toContain('\treplay: none, the crash file was NOT SAVED (its bytes are above)');
    expect(r.stderr).toContain(
      `  NOT SAVED: ${NATIVE} (its bytes are printed above, with the command that writes them)`,
    );
    expect(r.stderr).toMatch(/^Done: 1 executions \(1 runs\) in [\d.]+ s/m);
    expect(r.stderr.trim().split('\n').pop()).toMatch(
      /^ptefuzz: 1 crash file could not be written \(first: .*: cannot write the crash file .*\); the campaign stopped; /,
    );
    const s = JSON.parse(r.stdout) as { divergences: { class: string }[]; writeFailures?: { file: string }[] };
    expect(s.divergences.map((d) => d.class)).toEqual(['torn']);
    expect(s.writeFailures?.map((w) => w.file)).toEqual([join(out, NATIVE)]);
    expect(statSync(join(out, NATIVE)).isDirectory()).toBe(true);
    // the printed command writes the crash file, and it replays
    const echo = r.stderr.split('\n').find((l) => l.startsWith('\techo '))!;
    expect(echo).toMatch(new RegExp(`\\| base64 -d > ${NATIVE.replace(/\./g, '\\.')}$`));
    const written = tmp();
    expect(spawnSync('sh', ['-c', echo.trim()], { cwd: written }).status).toBe(0);
    expect(loadCrash(join(written, NATIVE)).verdict.class).toBe('torn');
    const replay = cli(['replay', join(written, NATIVE)]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('REPRODUCED');
  });

  test('a jsfuzz crash that is no divergence, whose kept input cannot be written: the command that writes it, exit 2', () => {
    const { corpus, out, args } = tornSeedCampaign();
    // ptep_get_lockless agrees on the seed; preloaded into jsfuzz's processes only (ptefuzz sets
    // PTEFUZZ_JSFUZZ_SELECTION for them), this makes the harness throw an error that is no divergence after each
    // execution, as a harness exception would: jsfuzz writes a crash artifact that ptefuzz replays as agree
    const preload = join(tmp(), 'harness-throws.js');
    writeFileSync(
      preload,
      `'use strict';
if (process.env.PTEFUZZ_JSFUZZ_SELECTION) {
  const Module = require('module');
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const m = load.call(this, request, parent, isMain);
    if (request !== '../dist/index.js' || !String(parent && parent.filename).endsWith('.fuzz.js')) return m;
    const harnessSession = (targets) => {
      const s = m.campaign.harnessSession(targets);
      return {
        get executions() { return s.executions; },
        get stats() { return s.stats; },
        fuzz(buf) { s.fuzz(buf); throw new Error('test: a harness exception'); },
      };
    };
    return { ...m, campaign: { ...m.campaign, harnessSession } };
  };
}
`,
    );
    const seed = readFileSync(join(corpus, 'torn-seed'));
    const kept = `jsfuzz-crash-${createHash('sha256').update(seed).digest('hex').slice(0, 12)}.bin`;
    // a folder where the kept input goes: its write fails (EISDIR) for root too, as a read-only folder or a full disk would
    mkdirSync(join(out, kept));
    const lockless = args.map((a) => (a === 'ptep_get' ? 'ptep_get_lockless' : a));
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'ptefuzz.js'), 'fuzz', '--engine', 'jsfuzz', ...lockless],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: jsfuzzEnv(preload),
      },
    );
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'WARNING: jsfuzz reported a crash that replays as agree on s2-pae-zap-reestablish ptep_get_lockless non-torn sc, not a divergence\n' +
        `ptefuzz: ${out}: cannot write the jsfuzz input ${kept} (is a folder, EISDIR)\n` +
        '\tthe finding is NOT SAVED; the campaign stops after the current run.',
    );
    expect(r.stderr.trim().split('\n').pop()).toMatch(
      /^ptefuzz: 1 crash file could not be written \(first: .*: cannot write the jsfuzz input .*\); the campaign stopped; /,
    );
    const s = JSON.parse(r.stdout) as { jsfuzz: { artifacts: number }; writeFailures?: { file: string }[] };
    expect(s.jsfuzz.artifacts).toBe(1);
    expect(s.writeFailures?.map((w) => w.file)).toEqual([join(out, kept)]);
    // the printed command writes the input jsfuzz crashed on
    const echo = r.stderr.split('\n').find((l) => l.startsWith('\techo '))!;
    expect(echo).toMatch(new RegExp(`\\| base64 -d > ${kept.replace(/\./g, '\\.')}$`));
    const written = tmp();
    expect(spawnSync('sh', ['-c', echo.trim()], { cwd: written }).status).toBe(0);
    expect(readFileSync(join(written, kept))).toEqual(seed);
  });

  test('an artifact jsfuzz could not write: the divergence the harness counted is reported LOST, never "No divergence", exit 2', () => {
    const { out, args } = tornSeedCampaign();
    // a 1-block file-size limit: jsfuzz dies writing its crash artifact (SIGXFSZ) after the harness counted the divergence
    const r = spawnSync(
      'sh',
      [
        '-c',
        `ulimit -f 1; exec "$0" "$@"`,
        process.execPath,
        join(ROOT, 'bin', 'ptefuzz.js'),
        'fuzz',
        '--engine',
        'jsfuzz',
        ...args,
      ],
      { cwd: ROOT, encoding: 'utf8', env: jsfuzzEnv() },
    );
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^s2-pae-zap-reestablish +ptep_get +non-torn +sc +1 +1 +1 +0 +divergence/m);
    expect(r.stderr).not.toContain('No divergence');
    expect(r.stderr).toContain(
      '1 divergent execution(s) counted, but no witness of them reached ptefuzz: no crash file',
    );
    expect(r.stderr.trim().split('\n').pop()).toMatch(
      /^ptefuzz: the harness counted 1 divergent execution\(s\), but only 0 reached ptefuzz as jsfuzz crash artifacts: 1 finding\(s\) LOST /,
    );
    const s = JSON.parse(r.stdout) as { jsfuzz: { artifacts: number; lostDivergences?: number } };
    expect(s.jsfuzz).toMatchObject({ artifacts: 0, lostDivergences: 1 });
    expect(readdirSync(out)).toEqual([]);
  });
});
