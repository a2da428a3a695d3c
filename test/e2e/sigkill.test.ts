/**
 * Crash safety (issue 8.2): a coverage campaign killed with SIGKILL at
 * pseudo-random moments, restarted on the same crash and corpus folders each
 * time, never leaves a file a loader rejects. Every write goes through
 * writeFileAtomic (temporary name, fsync, rename); a temporary file a kill
 * leaves behind never ends in `.msgpack`, so loaders do not see it.
 *
 * The kill moments come from a seeded PRNG (fixed seed), counted from the
 * campaign's first INFO line (the last campaign's, from the first moment the
 * folders hold a crash file and a corpus entry); where a kill lands in the
 * program is timing-dependent, and the assertion must hold for every moment.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CrashFileError, FileCorpusStore, TEMP_NAME, decodeCrash, loadCrash } from '../../src/crash';
import { createRng } from '../../src/engines/rng';
import { ROOT, cli, hasStackTrace } from '../support/cli';

const KILLS = 24;
const SCENARIOS = [
  's2-pae-zap-reestablish',
  's2-pae-zap-reestablish-nowmb',
  's2-pae-zap-reestablish-samelow',
  's1-pae-double-refault',
];

/**
 * Start a campaign, wait for its first INFO line — and, when `ready` is given, until `ready()` holds (polled every
 * 20 ms) —, then `delayMs`, then SIGKILL it.
 */
function runAndKill(
  args: readonly string[],
  delayMs: number,
  ready?: () => boolean,
): Promise<{ signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'ptefuzz.js'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let armed = false;
    let poll: NodeJS.Timeout | undefined;
    const arm = (): void => {
      if (ready !== undefined && !ready()) {
        poll = setTimeout(arm, 20);
        return;
      }
      setTimeout(() => p.kill('SIGKILL'), delayMs);
    };
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (s: string) => {
      stderr += s;
      if (!armed && stderr.includes('INFO: ')) {
        armed = true;
        arm();
      }
    });
    p.on('error', reject);
    p.on('exit', (_code, signal) => {
      clearTimeout(poll);
      resolve({ signal, stderr });
    });
  });
}

/** Whether `dir` holds a file ending in `.msgpack`, at its top level or (`nested`) one folder down. */
function holdsMsgpack(dir: string, nested: boolean): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return false;
  }
  if (!nested) return names.some((f) => f.endsWith('.msgpack'));
  return names.some((f) => holdsMsgpack(join(dir, f), false));
}

interface Checked {
  crashes: number;
  corpus: number;
  temps: number;
}

/** Load every file of both folders with the real loaders; throws (naming the file) on the first one that fails. */
function checkFolders(crashDir: string, corpusDir: string): Checked {
  const out: Checked = { crashes: 0, corpus: 0, temps: 0 };
  const names = (d: string): string[] => {
    try {
      return readdirSync(d).sort();
    } catch {
      return [];
    }
  };
  for (const f of names(crashDir)) {
    if (TEMP_NAME.test(f)) {
      out.temps++;
      continue;
    }
    expect(f, `unexpected file in the crash folder: ${f}`).toMatch(/\.msgpack$/);
    loadCrash(join(crashDir, f));
    out.crashes++;
  }
  for (const folder of names(corpusDir)) {
    const path = join(corpusDir, folder);
    expect(statSync(path).isDirectory(), `${path} is a target folder`).toBe(true);
    const files = names(path);
    out.temps += files.filter((f) => TEMP_NAME.test(f)).length;
    const entries = files.filter((f) => !TEMP_NAME.test(f));
    for (const f of entries) expect(f, `unexpected file in ${path}`).toMatch(/^[0-9a-f]{16}\.msgpack$/);
    const [scenario, reader, contract, model, ...rest] = folder.split('.');
    expect(rest, `target folder name ${folder}`).toEqual([]);
    const warnings: string[] = [];
    const store = new FileCorpusStore(corpusDir, (l) => warnings.push(l));
    const loaded = store.poll({ scenario: scenario!, reader: reader!, contract: contract!, model: model! });
    expect(warnings, `corpus loader warnings in ${path}`).toEqual([]);
    expect(loaded.length).toBe(entries.length);
    out.corpus += loaded.length;
  }
  return out;
}

describe('crash safety', () => {
  test(`SIGKILL at ${KILLS} pseudo-random moments never leaves an unloadable crash file or corpus entry`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-sigkill-'));
    const crashDir = join(dir, 'crashes');
    const corpusDir = join(dir, 'corpus');
    const rng = createRng('issue-8.2-sigkill');
    const scenarios = SCENARIOS.flatMap((s) => ['--scenario', s]);
    let kills = 0;
    let checks = 0;
    let maxTemps = 0;
    let last: Checked = { crashes: 0, corpus: 0, temps: 0 };
    for (let i = 0; i < KILLS; i++) {
      const delay = 50 + rng.int(1000);
      const args = ['fuzz', ...scenarios, '--time', '60', '--seed', String(i + 1)];
      // the last campaign is killed only once the folders hold a crash file and a corpus entry (from it or an
      // earlier one), so that the checks below see real files however slow the machine is (under load, every
      // earlier campaign can be killed before its first write)
      const ready = i === KILLS - 1 ? () => holdsMsgpack(crashDir, false) && holdsMsgpack(corpusDir, true) : undefined;
      const r = await runAndKill([...args, '--crashes', crashDir, '--corpus', corpusDir], delay, ready);
      // killed by us, not ended on its own (a stack trace or a usage error would end it early)
      expect(r.signal, r.stderr).toBe('SIGKILL');
      expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
      kills++;
      last = checkFolders(crashDir, corpusDir);
      checks += last.crashes + last.corpus;
      maxTemps = Math.max(maxTemps, last.temps);
    }
    // the campaigns got somewhere: the check saw real files, not empty folders
    expect(last.crashes).toBeGreaterThan(0);
    expect(last.corpus).toBeGreaterThan(0);
    // the check has teeth: a truncated copy of a crash file is rejected by the same loader
    const first = readdirSync(crashDir).find((f) => f.endsWith('.msgpack'))!;
    const bytes = readFileSync(join(crashDir, first));
    expect(() => decodeCrash(bytes.subarray(0, bytes.length - 7), first)).toThrow(CrashFileError);
    // and a campaign restarted on the folders a kill left runs to its end
    const after = cli([
      'fuzz',
      ...scenarios,
      '--runs',
      '200',
      '--seed',
      '99',
      '--crashes',
      crashDir,
      '--corpus',
      corpusDir,
    ]);
    expect([0, 1], after.stderr).toContain(after.code);
    expect(after.stderr).not.toMatch(/warning|skipped/);
    const final = checkFolders(crashDir, corpusDir);
    console.log(
      `sigkill: ${kills} kills (seeded delays 50–1049 ms after start; the last after the first crash file and corpus entry), ${checks} file loads checked ` +
        `(after the last kill: ${last.crashes} crash files, ${last.corpus} corpus entries); ` +
        `at most ${maxTemps} leftover temporary files, all ignored by the loaders; ` +
        `final restart: ${final.crashes} crash files, ${final.corpus} corpus entries, all load`,
    );
  });
});
