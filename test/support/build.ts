import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Every file below `dir` whose name ends with `ext`, as paths relative to `dir`. */
function filesBelow(dir: string, ext: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(ext));
}

/**
 * Whether dist/ is the build of src/ as it is: every `src/**.ts` has its `dist/**.js`, and the oldest of those is
 * newer than every source and both tsconfig files. Conservative: any edit since the last full build (tsc writes every
 * output each time), a deleted output, a new source file, is "not current". Fresh after `npm install` (its `prepare`
 * builds) or `npm run build`.
 */
export function distIsCurrent(root = ROOT): boolean {
  const src = join(root, 'src');
  const dist = join(root, 'dist');
  if (!existsSync(dist)) return false;
  const sources = filesBelow(src, '.ts').filter((f) => !f.endsWith('.d.ts'));
  let newestInput = Math.max(...['tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(join(root, f)).mtimeMs));
  let oldestOutput = Infinity;
  for (const f of sources) {
    newestInput = Math.max(newestInput, statSync(join(src, f)).mtimeMs);
    const out = join(dist, f.replace(/\.ts$/, '.js'));
    if (!existsSync(out)) return false;
    oldestOutput = Math.min(oldestOutput, statSync(out).mtimeMs);
  }
  return sources.length > 0 && newestInput < oldestOutput;
}

/**
 * vitest globalSetup: the e2e tests run the built CLI, so build it first — unless dist/ is already the build of
 * src/ (distIsCurrent), as it is after `npm install`: one tsc run (~15 s, before any test starts) saved.
 *
 * Every temporary folder of the run — the tests' `mkdtemp`s, and those of the CLI processes they start
 * (`os.tmpdir()` reads `TMPDIR`) — goes below one folder of its own, removed when the run ends, so a test
 * run leaves nothing in the system's temporary folder (was: some 1000 `ptefuzz-*` folders per run).
 */
export default function setup(): () => void {
  if (!distIsCurrent()) {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      { cwd: ROOT, stdio: 'inherit' },
    );
  } else {
    process.stderr.write('dist/ is the build of src/ as it is: not rebuilt\n');
  }
  const scratch = mkdtempSync(join(tmpdir(), 'ptefuzz-tests-'));
  // the test workers are started after this, with this environment
  process.env.TMPDIR = scratch;
  return () => rmSync(scratch, { recursive: true, force: true });
}
