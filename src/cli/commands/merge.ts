import type { CrashFileError } from '../../crash';
import { mergeFolders } from '../../crash';
import { EXIT_OK, EXIT_USAGE } from '../errors';

/**
 * `ptefuzz merge OUT IN…`: the union of crash folders and corpus folders.
 * Exit 0 when every file merged (new or duplicate), 2 when one was rejected
 * (the others are merged all the same) or an input is not a folder.
 */
export function mergeCommand(out: string, inputs: readonly string[]): number {
  const c = mergeFolders(
    out,
    inputs,
    (e: CrashFileError) => process.stderr.write(`ptefuzz: ${e.message}; skipped\n`),
    (e: CrashFileError) => process.stderr.write(`ptefuzz: warning: ${e.message}\n`),
  );
  const added = c.crashes.added + c.corpus.added;
  const dup = c.crashes.duplicate + c.corpus.duplicate;
  process.stdout.write(
    `merged ${inputs.length} folder(s) into ${out}: ${added} new, ${dup} duplicate, ${c.rejected} rejected ` +
      `(crash files: ${c.crashes.added} new, ${c.crashes.duplicate} duplicate; ` +
      `corpus entries: ${c.corpus.added} new, ${c.corpus.duplicate} duplicate)` +
      (c.replaced > 0 ? `; ${c.replaced} unreadable file(s) in ${out} replaced` : '') +
      '\n',
  );
  return c.rejected > 0 ? EXIT_USAGE : EXIT_OK;
}
