import { describe, expect, it } from 'vitest';
import { MIN_PASSPHRASE_LENGTH, passphraseProblem } from './passphrase.ts';

describe('passphraseProblem', () => {
  it('behavior: a long enough passphrase typed twice is fine', () => {
    expect(passphraseProblem('correct horse', 'correct horse')).toBeNull();
    expect(passphraseProblem('x'.repeat(MIN_PASSPHRASE_LENGTH), 'x'.repeat(MIN_PASSPHRASE_LENGTH))).toBeNull();
  });

  it('error: shorter than the minimum, counted in characters', () => {
    expect(passphraseProblem('x'.repeat(MIN_PASSPHRASE_LENGTH - 1), 'x'.repeat(MIN_PASSPHRASE_LENGTH - 1))).toBe('too-short');
    expect(passphraseProblem('', '')).toBe('too-short');
    expect(passphraseProblem('密码密码密码密码', '密码密码密码密码')).toBeNull();
  });

  it('error: the repetition differs', () => {
    expect(passphraseProblem('correct horse', 'correct hrose')).toBe('mismatch');
  });
});
