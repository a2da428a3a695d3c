/**
 * Derived seeds are text every run's choices are drawn from (committed traces and golden files depend on
 * them): their spelling is fixed.
 */
import { describe, expect, test } from 'vitest';
import { deriveSeed } from '../../src/engines';

describe('deriveSeed', () => {
  test('joins the seed and the parts with slashes, numbers in decimal', () => {
    expect(deriveSeed('1', 42)).toBe('1/42');
    expect(deriveSeed(7, 'coverage')).toBe('7/coverage');
    expect(deriveSeed('s', 3, 'tail')).toBe('s/3/tail');
    expect(deriveSeed('stability', 'x', 0, -1)).toBe('stability/x/0/-1');
  });

  test('no parts: the seed itself, as text', () => {
    expect(deriveSeed(5)).toBe('5');
    expect(deriveSeed('')).toBe('');
  });
});
