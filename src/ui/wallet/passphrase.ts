/**
 * @module The rules the UI asks of a new passphrase (for the wallet or a backup file): the
 * wallet's own minimum (core's passphraseStrength: length and estimated bits, enforced by the
 * wallet itself too), and typed the same twice.
 */
import { MIN_PASSPHRASE_LENGTH, passphraseStrength } from '../../core/index.ts';

export { MIN_PASSPHRASE_LENGTH };

export type PassphraseProblem = 'too-short' | 'too-weak' | 'mismatch';

/** What is wrong with a new passphrase and its repetition, or null when both are fine. */
export function passphraseProblem(passphrase: string, repeated: string): PassphraseProblem | null {
  const strength = passphraseStrength(passphrase);
  if (strength.length < MIN_PASSPHRASE_LENGTH) return 'too-short';
  if (!strength.acceptable) return 'too-weak';
  if (passphrase !== repeated) return 'mismatch';
  return null;
}
