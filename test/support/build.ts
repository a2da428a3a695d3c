import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * vitest globalSetup: the e2e tests run the built CLI, so build it once first.
 *
 * Every temporary folder of the run — the tests' `mkdtemp`s, and those of the CLI processes they start
 * (`os.tmpdir()` reads `TMPDIR`) — goes below one folder of its own, removed when the run ends, so a test
 * run leaves nothing in the system's temporary folder (was: some 1000 `ptefuzz-*` folders per run).
 */
export default function setup(): () => void {
  const root = join(__dirname, '..', '..');
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  const scratch = mkdtempSync(join(tmpdir(), 'ptefuzz-tests-'));
  // the test workers are started after this, with this environment
  process.env.TMPDIR = scratch;
  return () => rmSync(scratch, { recursive: true, force: true });
}
