import { CrashFileError } from '../crash';
import { UsageError } from '../campaign';
import { ScenarioError } from '../scenario';

/** Exit codes: 0 no divergence, 1 divergence found (or not reproduced), 2 bad usage or input. */
export const EXIT_OK = 0;
export const EXIT_DIVERGENCE = 1;
export const EXIT_USAGE = 2;

/** Print a user-input error as one line and return the exit code for it; rethrow anything else. */
export function reportUserError(e: unknown): number {
  if (e instanceof UsageError || e instanceof CrashFileError || e instanceof ScenarioError) {
    process.stderr.write(`ptefuzz: ${e.message}\n`);
    return EXIT_USAGE;
  }
  throw e;
}
