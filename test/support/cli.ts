import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  const engine = args.indexOf('--engine');
  const coverage = engine < 0 || args[engine + 1] === 'coverage';
  const isolated =
    args[0] === 'fuzz' && coverage && !args.includes('--corpus') && !args.some((a) => a.endsWith('.litmus'))
      ? [...args, '--corpus', mkdtempSync(join(tmpdir(), 'ptefuzz-corpus-'))]
      : args;
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'ptefuzz.js'), ...isolated], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...(env ? { env } : {}),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** No stack trace: nothing that looks like "    at foo (file:line)". */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+[:(]/.test(text);
}
