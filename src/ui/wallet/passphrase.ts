/**
 * @module The rules the UI asks of a new passphrase (for the wallet or a backup file): long
 * enough to resist guessing, and typed the same twice. The node itself accepts any non-empty one.
 */

/** The shortest passphrase the forms accept, in characters. */
export const MIN_PASSPHRASE_LENGTH = 8;

export type PassphraseProblem = 'too-short' | 'mismatch';

/** What is wrong with a new passphrase and its repetition, or null when both are fine. */
export function passphraseProblem(passphrase: string, repeated: string): PassphraseProblem | null {
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) return 'too-short';
  if (passphrase !== repeated) return 'mismatch';
  return null;
}
