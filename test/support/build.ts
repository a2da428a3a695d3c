import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** vitest globalSetup: the e2e tests run the built CLI, so build it once first. */
export default function setup(): void {
  const root = join(__dirname, '..', '..');
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
