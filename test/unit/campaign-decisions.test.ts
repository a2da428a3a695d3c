/**
 * The watchdog's campaign-wide decisions (src/cli/campaign-decisions.ts): what the main thread decides is seen by
 * every view of the same buffer — a worker's, built from the buffer alone — at once, per target and per class.
 */
import { describe, expect, test } from 'vitest';
import { CampaignDecisions } from '../../src/cli/campaign-decisions';

const KEYS = ['s2-pae-zap-reestablish ptep_get non-torn sc', 's2-pae-zap-reestablish ptep_get non-torn tso'];

describe('CampaignDecisions', () => {
  test('a decision of the main side is seen by a worker’s view of the buffer, for that target and class only', () => {
    const main = CampaignDecisions.create(KEYS);
    const worker = new CampaignDecisions(main.buffer, KEYS);
    expect(worker.dropped.has(KEYS[0]!)).toBe(false);
    expect(worker.unminimized.has(`${KEYS[1]!} torn`)).toBe(false);
    main.unminimize(1, 'torn');
    expect(worker.unminimized.has(`${KEYS[1]!} torn`)).toBe(true);
    expect(worker.unminimized.has(`${KEYS[1]!} phantom`)).toBe(false);
    expect(worker.unminimized.has(`${KEYS[0]!} torn`)).toBe(false);
    expect(worker.dropped.has(KEYS[1]!)).toBe(false);
    main.drop(0);
    expect(worker.dropped.has(KEYS[0]!)).toBe(true);
    expect(worker.dropped.has(KEYS[1]!)).toBe(false);
    expect(worker.unminimized.has(`${KEYS[0]!} torn`)).toBe(false);
    // a key of no target of the campaign (a reduced program's is never asked, but must not be a false yes)
    expect(worker.dropped.has('s1 ptep_get non-torn sc')).toBe(false);
    expect(worker.unminimized.has('s1 ptep_get non-torn sc torn')).toBe(false);
  });

  test('every divergence class has its own flag; an unknown class is an internal bug, not a silent no', () => {
    const main = CampaignDecisions.create(KEYS);
    for (const cls of ['torn', 'phantom', 'stale', 'livelock', 'use-after-free']) main.unminimize(0, cls);
    expect(main.unminimized.has(`${KEYS[0]!} use-after-free`)).toBe(true);
    expect(main.unminimized.has(`${KEYS[0]!} lost-dirty`)).toBe(false);
    expect(() => main.unminimize(0, 'nonsense')).toThrow(/internal bug.*nonsense/);
    expect(() => new CampaignDecisions(new SharedArrayBuffer(8), KEYS)).toThrow(/internal bug/);
  });
});
