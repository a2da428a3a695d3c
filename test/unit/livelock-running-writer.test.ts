import { describe, expect, test } from 'vitest';
import type { Execution, OpRecord } from '../../src/machine';
import type { LoopSpec } from '../../src/kernel';
import { paeMk, setSpec, x86Pae } from '../../src/kernel';
import { livelockVerdict } from '../../src/compare';
import { buildHistory } from '../../src/reference';
import { handExecution } from '../support/hand-execution';

/**
 * DESIGN §6 `livelock` (compare/livelock.ts): a retry-bound hit in a declared
 * loop is a livelock only if the reference says the loop must terminate —
 * its last value lets the loop through *and no writer on the subject is still
 * running*. A writer cut off by the bound commits last in the reference, so
 * its value is the reference's last one even though memory may not hold it
 * yet: the loop waiting for it is not livelocked. Hand-built: a loop on CPU 0
 * waits for the pte to become present; CPU 1's set_pte of X.
 */
const X = paeMk(0x10n);

function exec(writerDone: boolean, value: bigint = X): Execution {
  const spec: LoopSpec = { loop: true, describe: 'wait for a present pte', locId: 0, done: (v) => v !== 0n };
  const loop: OpRecord = {
    id: 0,
    cpu: 0,
    mark: { name: 'walk', role: 'other', subject: 'pte', spec },
    parent: -1,
    start: 0,
    end: 9,
    done: false,
    retries: 5,
  };
  const writer: OpRecord = {
    id: 1,
    cpu: 1,
    mark: { name: 'set_pte', role: 'writer', subject: 'pte', spec: setSpec(value, 'set') },
    parent: -1,
    start: 1,
    end: writerDone ? 2 : 1,
    done: writerDone,
    retries: 0,
  };
  return handExecution('sc', [], [loop, writer], {
    steps: 10,
    outcome: { kind: 'bound-hit', bound: 'retries', cpu: 0, op: 0 },
  });
}

describe('livelock: not while a writer on the subject is still running', () => {
  test('the writer the loop waits for has not finished: a plain bound hit, no livelock', () => {
    const e = exec(false);
    const h = buildHistory(e, 'pte', 0n);
    expect(h.values).toEqual([0n, X]); // the unfinished writer commits last
    expect(livelockVerdict(e, 'pte', h, x86Pae)).toBeUndefined();
  });

  test('control: the writer finished, memory still none, the reference says present: livelock', () => {
    const e = exec(true);
    const v = livelockVerdict(e, 'pte', buildHistory(e, 'pte', 0n), x86Pae);
    expect(v?.class).toBe('livelock');
    expect(v?.observed).toBe(0n);
    expect(v?.allowed).toEqual([X]);
  });

  test('the writer finished but left the pte none: the reference says the loop must keep waiting, no livelock', () => {
    const e = exec(true, 0n);
    const h = buildHistory(e, 'pte', 0n);
    expect(h.values).toEqual([0n, 0n]);
    expect(livelockVerdict(e, 'pte', h, x86Pae)).toBeUndefined();
  });
});
