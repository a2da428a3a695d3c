import { InvalidArgumentError } from 'commander';
import { describe, expect, test } from 'vitest';
import { positiveSeconds } from '../../src/cli/parse';

/** cli/parse.ts positiveSeconds (`--timeout`, `--time`): what it takes, and a message that says what is wrong. */
describe('positiveSeconds', () => {
  test('decimal digits, with or without a fraction', () => {
    expect(positiveSeconds('30')).toBe(30);
    expect(positiveSeconds('2.5')).toBe(2.5);
    expect(positiveSeconds('0.1')).toBe(0.1);
  });
  test('zero, a sign, an exponent, hex, a bare point: refused, the message naming the form wanted', () => {
    // was: "expected a positive number of seconds." for 1e3, which is positive
    for (const v of ['0', '0.0', '-1', '+1', '1e3', '0x10', '.5', '5.', '', 'Infinity']) {
      expect(() => positiveSeconds(v), v).toThrow(InvalidArgumentError);
      expect(() => positiveSeconds(v), v).toThrow(
        'expected a positive number of seconds, in decimal digits (e.g. 30 or 2.5).',
      );
    }
  });
});
