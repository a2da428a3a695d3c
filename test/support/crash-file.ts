import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrashFile } from '../../src/crash';
import { crashFileName, decodeCrash, encodeCrash } from '../../src/crash';
import { ROOT } from './cli';

/**
 * Write into `dir` a crash file made from a committed one (`template`, a file name under crashes/) with `fields`
 * replaced — a witness of a program no campaign would write (one outside the reference's contract) — and return
 * its path.
 */
export function crashFileFrom(dir: string, template: string, fields: Partial<CrashFile>): string {
  const c: CrashFile = { ...decodeCrash(readFileSync(join(ROOT, 'crashes', template)), 'template'), ...fields };
  const file = join(dir, crashFileName(c));
  writeFileSync(file, encodeCrash(c));
  return file;
}
