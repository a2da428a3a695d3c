import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createRng } from '../../src/engines';

// The harness target is CommonJS over dist/ (built by the vitest globalSetup), exactly as jsfuzz loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const target = require(join(__dirname, '..', '..', 'harness', 'pae.fuzz.js')) as { fuzz: (b: Buffer) => void };

function outcome(buf: Buffer): 'ok' | string {
  try {
    target.fuzz(buf);
    return 'ok';
  } catch (e) {
    // Only a divergence may escape a harness target.
    expect((e as Error).name).toBe('DivergenceError');
    return (e as Error).message;
  }
}

describe('harness/pae.fuzz.js: total decoding of any byte string', () => {
  const rng = createRng('harness-4k');
  const random4k = Buffer.from(Array.from({ length: 4096 }, () => rng.int(256)));
  const inputs: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from([7])],
    ['all 0xff', Buffer.alloc(64, 0xff)],
    ['4 KiB random', random4k],
    ...Array.from({ length: 40 }, (_, i): [string, Buffer] => [
      `seeded #${i}`,
      Buffer.from(Array.from({ length: 1 + (i % 24) }, () => rng.int(256))),
    ]),
  ];
  for (const [name, buf] of inputs) {
    test(name, () => {
      const a = outcome(buf);
      expect(outcome(buf)).toBe(a); // deterministic
    });
  }

  test('finds the naive PAE ptep_get torn read from bytes', () => {
    let found = '';
    for (let i = 0; i < 2000 && !found; i++) {
      const buf = Buffer.from(Array.from({ length: 12 }, () => rng.int(256)));
      const r = outcome(buf);
      if (r !== 'ok' && r.includes(' ptep_get ')) found = r;
    }
    expect(found).toMatch(
      /^ptefuzz divergence: torn \{0x[0-9a-f]{8}:0x[0-9a-f]{8}\} — s\S+ ptep_get non-torn (sc|tso|weak) — trace \[/,
    );
  });
});
