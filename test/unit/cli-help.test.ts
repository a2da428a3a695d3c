/**
 * `ptefuzz fuzz --help` says what runs without --model: the scenario's model and the models its
 * readers' `bug under M` clauses name (README: fuzz options, --model), not only the architecture's.
 */
import { describe, expect, test } from 'vitest';
import { runInProcess } from '../support/self-fuzz';

describe('fuzz --help', () => {
  test('the --model default names the bug-under models', async () => {
    const o = await runInProcess(['fuzz', '--help']);
    expect(o.code).toBe(0);
    const text = o.stdout.replace(/\s+/g, ' ');
    expect(text).toContain(
      '--model <model> memory model sc|tso|weak (repeatable; default: each scenario’s model (its `model` line, else its architecture’s) and the models its reader’s `bug under M` clauses name)',
    );
  });
  test('--scenario names what it accepts: a built-in, a .scn file or a .litmus test (README: fuzz options)', async () => {
    const o = await runInProcess(['fuzz', '--help']);
    expect(o.code).toBe(0);
    expect(o.stdout.replace(/\s+/g, ' ')).toContain(
      '--scenario <name> built-in scenario, .scn file or .litmus test (repeatable; default: all built-in)',
    );
  });
});
