import { describe, expect, it } from 'vitest';
import { MIN_PASSPHRASE_LENGTH, passphraseProblem } from './passphrase.ts';

describe('passphraseProblem', () => {
  it('behavior: a strong enough passphrase typed twice is fine', () => {
    expect(passphraseProblem('correct horse staple', 'correct horse staple')).toBeNull();
    expect(passphraseProblem('Kx9#mQ2vLp', 'Kx9#mQ2vLp')).toBeNull();
  });

  it('error: shorter than the minimum, counted in characters', () => {
    expect(MIN_PASSPHRASE_LENGTH).toBe(10);
    expect(passphraseProblem('x'.repeat(MIN_PASSPHRASE_LENGTH - 1), 'x'.repeat(MIN_PASSPHRASE_LENGTH - 1))).toBe('too-short');
    expect(passphraseProblem('', '')).toBe('too-short');
    expect(passphraseProblem('密码密码密码密码', '密码密码密码密码')).toBe('too-short');
    expect(passphraseProblem('日本語のパスフレーズです', '日本語のパスフレーズです')).toBeNull();
  });

  it('error: long enough but easy to guess (repeats, runs, common words)', () => {
    expect(passphraseProblem('x'.repeat(MIN_PASSPHRASE_LENGTH), 'x'.repeat(MIN_PASSPHRASE_LENGTH))).toBe('too-weak');
    expect(passphraseProblem('password1234', 'password1234')).toBe('too-weak');
  });

  it('error: the repetition differs', () => {
    expect(passphraseProblem('correct horse staple', 'correct hrose staple')).toBe('mismatch');
  });
});
