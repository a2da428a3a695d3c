import type { Command } from 'commander';
import { UsageError } from '../campaign';
import { collect, collectPath } from './parse';

/**
 * A flag that takes one value, given twice with different values, is a usage
 * error instead of commander's silent "last one wins": `fuzz --contract exact
 * --contract non-torn` would judge by non-torn only, `--seed 1 … --seed 2` run
 * another campaign than the one the command line seems to ask for. Repeatable
 * flags (`--scenario`, `--reader`, `--model`, …) collect their values instead;
 * the same value twice is harmless and accepted.
 */
export function rejectRepeatedOptions(program: Command): void {
  for (const cmd of program.commands) {
    for (const opt of cmd.options) {
      const takesValue = opt.required || opt.optional;
      const repeatable = opt.parseArg === collect || opt.parseArg === collectPath;
      if (!takesValue || repeatable) continue;
      let first: string | undefined;
      cmd.on(`option:${opt.name()}`, (v: unknown) => {
        const value = String(v);
        if (first === undefined) first = value;
        else if (value !== first) {
          throw new UsageError(
            `option '${opt.flags}' given twice ('${first}', then '${value}'): expected one value (it is not repeatable)`,
          );
        }
      });
    }
  }
}
