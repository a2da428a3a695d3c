/**
 * Self-fuzzing (issue 8.3), `.scn` files: the first half of the 1000 variants of
 * one seeded sequence (test/support/self-fuzz-session.ts `scnVariants`; the
 * other half is in self-fuzz-scn-2.test.ts: two files, so vitest can run
 * the halves side by side). Each variant goes through `check --print`,
 * `fuzz --runs 2` (coverage, random, pct in turn) and
 * `explore --bound 1 --max-executions 20`, in-process, in a scratch working
 * folder; every case must pass the self-fuzz oracle (`violation`).
 */
import { VARIANTS, scnHalf } from '../support/self-fuzz-session';

scnHalf(0, VARIANTS / 2);
