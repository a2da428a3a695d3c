import { join } from 'node:path';
import { expandCrashPaths } from '../crash';

/** Subfolders named in the warning before "…". */
const SHOWN_SUBFOLDERS = 3;

/**
 * The crash files that `replay` / `minimize` PATH… name. A folder holding no crash file is
 * a warning on stderr — `replay out/` over shard folders would otherwise read as "0 crash
 * file(s)", a pass that checked nothing —, naming the subfolders to give instead.
 */
export function crashPathsOf(paths: readonly string[]): string[] {
  return expandCrashPaths(paths, (dir, subfolders) => {
    const shown = subfolders.slice(0, SHOWN_SUBFOLDERS).map((s) => join(dir, s));
    const more = subfolders.length > SHOWN_SUBFOLDERS ? ', …' : '';
    const hint = subfolders.length > 0 ? `; subfolders are not searched: give them (${shown.join(', ')}${more})` : '';
    process.stderr.write(`ptefuzz: warning: ${dir}: no crash file (*.msgpack) in this folder${hint}\n`);
  });
}
