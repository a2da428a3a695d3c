import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runInProcess } from './self-fuzz';

export const ROOT = join(__dirname, '..', '..');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run the built CLI exactly as a user would (node bin/ptefuzz.js …). A
 * coverage-engine `fuzz` without `--corpus` gets a fresh empty corpus folder, so no test reads
 * or grows the repository's corpus/generated/ (a test must not depend on
 * what earlier runs left there).
 */
export function cli(args: readonly string[], cwd = ROOT, env?: NodeJS.ProcessEnv): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'ptefuzz.js'), ...isolatedCorpus(args)], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...(env ? { env } : {}),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `args`, with `--corpus` a fresh empty folder when they are a coverage-engine `fuzz` without one (see cli). */
function isolatedCorpus(args: readonly string[]): readonly string[] {
  const engine = args.indexOf('--engine');
  const coverage = engine < 0 || args[engine + 1] === 'coverage';
  return args[0] === 'fuzz' && coverage && !args.includes('--corpus') && !args.some((a) => a.endsWith('.litmus'))
    ? [...args, '--corpus', mkdtempSync(join(tmpdir(), 'ptefuzz-corpus-'))]
    : args;
}

/**
 * The command of `cli`, run in this process (`main(argv)` from src/, its output captured, in `cwd`, the working
 * directory restored after): for a test about what a command does, not about the process (its exit status as a
 * process, signals, pipes, the dist/ build) — it saves the start of a node process and the load of dist/ (~0.3 s
 * CPU; ~0.6 s more for a `.ts` reader module, whose `typescript` package is loaded once here). A `main()` that
 * rejects fails the test with its error (the spawned CLI would print a stack trace).
 */
export async function cliInProcess(args: readonly string[], cwd = ROOT): Promise<CliResult> {
  const was = process.cwd();
  process.chdir(cwd);
  try {
    const o = await runInProcess(isolatedCorpus(args));
    if ('threw' in o) throw o.threw;
    return { code: o.code ?? -1, stdout: o.stdout, stderr: o.stderr };
  } finally {
    process.chdir(was);
  }
}

/** No stack trace: nothing that looks like "    at foo (file:line)". */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+[:(]/.test(text);
}

/** Run `body` with a fresh temporary folder (`ptefuzz-PREFIX-…`), removed after. */
export function inTmp(prefix: string, body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), `ptefuzz-${prefix}-`));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `inTmp` for an async `body` (one that runs commands with cliInProcess). */
export async function inTmpAsync(prefix: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `ptefuzz-${prefix}-`));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A command stopped by one user error (exit 2): `line` is its last stderr line (INFO lines may come before it,
 * `(^|\n)ptefuzz: …\n$`), the only `ptefuzz:` line, no stack trace, and no divergence reported on stdout.
 */
export function expectOneLineError(r: CliResult, line: RegExp): void {
  expect(r.stderr).toMatch(line);
  expect(r.stderr.match(/^ptefuzz:/gm)).toHaveLength(1);
  expect(r.code).toBe(2);
  expect(hasStackTrace(r.stderr)).toBe(false);
  expect(r.stdout).not.toMatch(/DIVERGENCE|UNEXPECTED|divergence:/);
}
