import { CrashFileError } from '../crash';
import { UsageError } from '../campaign';
import { ScenarioError } from '../scenario';

/** Exit codes: 0 no divergence, 1 divergence found (or not reproduced), 2 bad usage or input. */
export const EXIT_OK = 0;
export const EXIT_DIVERGENCE = 1;
export const EXIT_USAGE = 2;

/** A user-input error (bad flag, file, scenario, reader module): one line, exit 2 — not a bug of ptefuzz. */
export function isUserError(e: unknown): e is UsageError | CrashFileError | ScenarioError {
  return e instanceof UsageError || e instanceof CrashFileError || e instanceof ScenarioError;
}

/** Print a user-input error as one line and return the exit code for it; rethrow anything else. */
export function reportUserError(e: unknown): number {
  if (isUserError(e)) {
    process.stderr.write(`ptefuzz: ${e.message}\n`);
    return EXIT_USAGE;
  }
  throw e;
}
