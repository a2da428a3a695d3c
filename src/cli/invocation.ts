import { existsSync } from 'node:fs';
import { dirname, join, relative, isAbsolute } from 'node:path';
import { shellQuote } from '../crash';

/** This ptefuzz's package folder (the one holding bin/ptefuzz.js): src/cli/ and dist/cli/ both sit two levels below. */
export const PACKAGE_ROOT = join(__dirname, '..', '..');

/**
 * The working folder, or undefined when it was removed while ptefuzz ran in it
 * (process.cwd() then throws ENOENT): printed commands fall back to absolute paths.
 */
export function workingFolder(): string | undefined {
  try {
    return process.cwd();
  } catch {
    return undefined;
  }
}

function inside(folder: string, dir: string): boolean {
  const rel = relative(folder, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * How a command printed for the user to paste starts, from `cwd`: `npx ptefuzz` where npx finds this
 * tool without the registry — inside its own folder, or below a folder whose node_modules/.bin holds a
 * `ptefuzz` (an install) — else `node /path/to/bin/ptefuzz.js`. Outside both, `npx ptefuzz` would ask
 * the npm registry for a package of that name: a failure offline, someone else's code otherwise.
 */
export function ptefuzzInvocation(cwd: string | undefined = workingFolder(), root: string = PACKAGE_ROOT): string {
  // a removed working folder: npx cannot run there; the absolute path still works from anywhere
  if (cwd === undefined) return `node ${shellQuote(join(root, 'bin', 'ptefuzz.js'))}`;
  if (inside(root, cwd)) return 'npx ptefuzz';
  for (let d = cwd; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules', '.bin', 'ptefuzz'))) return 'npx ptefuzz';
    if (dirname(d) === d) break;
  }
  return `node ${shellQuote(join(root, 'bin', 'ptefuzz.js'))}`;
}
