import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createRng } from '../../src/engines';
import { UsageError, harnessFamilyOf, harnessSelection, harnessTargets, selectTargets } from '../../src/campaign';
import { builtinReaders } from '../../src/kernel';
import { builtinScenarios } from '../../src/scenario';

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

describe('harness/arm64.fuzz.js: the arm64 family (arm64 and arm64-ext-sw scenarios)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const arm64 = require(join(__dirname, '..', '..', 'harness', 'arm64.fuzz.js')) as { fuzz: (b: Buffer) => void };
  const run = (buf: Buffer): string => {
    try {
      arm64.fuzz(buf);
      return 'ok';
    } catch (e) {
      expect((e as Error).name).toBe('DivergenceError');
      return (e as Error).message;
    }
  };

  test('byte 0 picks among the arm64 targets only, in a fixed order; every scenario of the family is there', () => {
    const targets = harnessTargets('arm64');
    expect(new Set(targets.map((t) => t.arch.name))).toEqual(new Set(['arm64', 'arm64-ext-sw']));
    const names = new Set(targets.map((t) => t.scenario.name));
    expect(names).toEqual(
      new Set(
        builtinScenarios()
          .filter((s) => s.arch.startsWith('arm64'))
          .map((s) => s.name),
      ),
    );
    expect(harnessTargets('arm64').map((t) => t.key)).toEqual(targets.map((t) => t.key));
  });

  test('finds an arm64 divergence from bytes, deterministically', () => {
    const rng = createRng('harness-arm64');
    let found = '';
    for (let i = 0; i < 3000 && !found; i++) {
      const buf = Buffer.from(Array.from({ length: 16 }, () => rng.int(256)));
      const r = run(buf);
      if (r !== 'ok') {
        expect(run(buf)).toBe(r);
        found = r;
      }
    }
    expect(found).toMatch(/^ptefuzz divergence: \S+ 0x[0-9a-f]+ — s\S+ \S+ \S+ (sc|tso|weak) — trace \[/);
  });

  test('one jsfuzz run is one family: a selection over both is one usage error naming both', () => {
    const both = selectTargets({ scenarios: ['s2-pae-zap-reestablish', 's9-contpte-fold-unfold'] }, builtinReaders());
    expect(() => harnessFamilyOf(both)).toThrow(UsageError);
    expect(() => harnessFamilyOf(both)).toThrow(/s2-pae-zap-reestablish \(pae\) and s9-contpte-fold-unfold \(arm64\)/);
    expect(harnessFamilyOf(both.filter((t) => t.arch.name === 'arm64'))).toBe('arm64');
    const arm64 = harnessSelection({ scenarios: ['s9-contpte-fold-unfold'] }, builtinReaders());
    expect(arm64.family).toBe('arm64');
    expect(arm64.targets.map((t) => t.key)).toEqual(both.filter((t) => t.arch.name === 'arm64').map((t) => t.key));
    expect(() =>
      harnessSelection({ scenarios: ['s2-pae-zap-reestablish', 's9-contpte-fold-unfold'] }, builtinReaders()),
    ).toThrow(UsageError);
  });
});
