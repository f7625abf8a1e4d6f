import { describe, expect, it } from 'vitest';
import { MIN_PASSPHRASE_BITS, MIN_PASSPHRASE_LENGTH, passphraseStrength } from './passphrase-strength.ts';

describe('passphrase strength', () => {
  it('behavior: refuses short, repetitive, sequential and common-word passphrases', () => {
    for (const weak of ['', 'pw', 'short1!', 'aaaaaaaaaaaaaaaa', 'abcdefghijklmnop', '1234567890123', 'password1234', 'Password2024!', 'qwertyqwerty', 'tabchain12']) {
      const s = passphraseStrength(weak);
      expect(s.acceptable, weak).toBe(false);
      expect(s.level, weak).toBe('weak');
    }
  });

  it('behavior: accepts several words or a long mixed passphrase, and grades them', () => {
    expect(passphraseStrength('correct horse battery staple')).toMatchObject({ acceptable: true, level: 'strong' });
    expect(passphraseStrength('open sesame 42')).toMatchObject({ acceptable: true });
    expect(passphraseStrength('Kx9#mQ2vLp')).toMatchObject({ acceptable: true, length: 10 });
    expect(passphraseStrength('paper in a drawer').acceptable).toBe(true);
  });

  it('behavior: length counts characters, not UTF-16 units, and other scripts count as a large alphabet', () => {
    const s = passphraseStrength('日本語のパスフレーズです');
    expect(s.length).toBe(12);
    expect(s.acceptable).toBe(true);
  });

  it('behavior: the minimums are those documented', () => {
    expect(MIN_PASSPHRASE_LENGTH).toBe(10);
    expect(MIN_PASSPHRASE_BITS).toBe(50);
    // Nine random lower-case letters and a digit would be long enough but just under the bits.
    expect(passphraseStrength('qhzmwkrpt').acceptable).toBe(false);
  });
});
