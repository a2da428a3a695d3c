/**
 * `fuzz`'s summary, under each expected bug a campaign did not find: the command of a campaign on that target
 * alone (the campaign's command narrowed to its scenario and reader). A campaign over many targets gives each one
 * a share of its executions; S4's ptep_get_atomic64 bug needs thousands of its own (README *Benchmark*), which the
 * default 60 s campaign over every built-in scenario often does not give it, and a campaign on it alone does.
 */
import { describe, expect, test } from 'vitest';
import { cliInProcess, inTmpAsync } from '../support/cli';

const S4 = 's4-pae-gup-fast-recheck-plain';
const CAMPAIGN = ['fuzz', '--scenario', S4, '--scenario', 's1-pae-double-refault', '--model', 'tso', '--seed', '1'];
/** What the printed command starts with, for S4's ptep_get_atomic64 after CAMPAIGN (then the folders, jobs, …). */
const FOCUSED = ['fuzz', '--scenario', S4, '--reader', 'ptep_get_atomic64', '--model', 'tso'];

/** The printed command's arguments after `fuzz` (the invocation before it depends on where ptefuzz is installed). */
function focusArgs(stderr: string, reader: string): string[] {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`  ${reader} on ${S4} (non-torn): no divergence under tso`));
  expect(at).toBeGreaterThan(0);
  const m = /^ {4}a campaign on it alone: (?:npx ptefuzz|node \S+) (fuzz .*)$/.exec(lines[at + 1]!);
  expect(m).not.toBeNull();
  return m![1]!.split(' ');
}

describe('fuzz: an expected bug not found comes with the command of a campaign on it alone', () => {
  test('the command names the target and the options given, and finds the bug', async () => {
    await inTmpAsync('focus', async (dir) => {
      const first = await cliInProcess([...CAMPAIGN, '--runs', '10', '--crashes', 'c', '--corpus', 'k'], dir);
      expect(first.stderr).toMatch(/^expected bug NOT FOUND in the executions run \(\d+; /m);
      const args = focusArgs(first.stderr, 'ptep_get_atomic64');
      expect(args).toEqual([...FOCUSED, '--crashes', 'c', '--corpus', 'k']);
      // the same command with a fixed budget (it has the default 60 s one): every execution on that target
      const alone = await cliInProcess([...args, '--runs', '6000', '--seed', '1', '--json'], dir);
      expect(alone.code).toBe(1);
      const summary = JSON.parse(alone.stdout) as { executions: number; targets: { reader: string }[] };
      expect(summary.targets.map((t) => t.reader)).toEqual(['ptep_get_atomic64']);
      expect(summary.executions).toBe(6000);
      expect(alone.stderr).toContain('1 of 1 borne out (bug found 1, correct confirmed 0)');
      // --jobs, --timeout and --minimize-schedules as given (and no --crashes where the default was used)
      const split = await cliInProcess(
        [...CAMPAIGN, '--runs', '10', '--jobs', '2', '--timeout', '20', '--minimize-schedules', '0', '--corpus', 'k2'],
        dir,
      );
      expect(focusArgs(split.stderr, 'ptep_get_atomic64')).toEqual([
        ...FOCUSED,
        ...['--jobs', '2', '--timeout', '20', '--minimize-schedules', '0', '--corpus', 'k2'],
      ]);
      // the campaign on that target alone prints no such command: it would be itself again
      const again = await cliInProcess([...args, '--runs', '5', '--seed', '1'], dir);
      expect(again.stderr).toMatch(/^expected bug NOT FOUND/m);
      expect(again.stderr).not.toContain('a campaign on it alone');
    });
  });
});
