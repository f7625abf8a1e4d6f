/**
 * @module How hard a passphrase is to guess, and the minimum the wallet accepts for sealing its
 * keys or a backup file. The rule is simple on purpose, so it can be stated in the README:
 *
 * - at least {@link MIN_PASSPHRASE_LENGTH} characters, and
 * - at least {@link MIN_PASSPHRASE_BITS} bits by this estimate: each character that is not a
 *   repeat of, or the next/previous in sequence after, the one before it (`aaaa`, `abcd`, `4321`
 *   add one character's worth) is worth log2 of the alphabet the passphrase draws from (lower
 *   case 26, upper case 26, digits 10, ASCII symbols and space 33, anything else 100); a
 *   passphrase built around one of a few of the most guessed words counts only what surrounds
 *   that word.
 *
 * It is an estimate of brute force against this one passphrase, not a dictionary attack model:
 * four random common words (`correct horse battery staple`) score high, as they should; a
 * real word with a digit appended scores as what it is. PBKDF2 at 600,000 rounds (about 2^19.2
 * SHA-256 pairs per guess) adds to whatever the passphrase is worth.
 */

export const MIN_PASSPHRASE_LENGTH = 10;
export const MIN_PASSPHRASE_BITS = 50;
/** From here on the meter says strong. */
export const STRONG_PASSPHRASE_BITS = 75;

export type PassphraseLevel = 'weak' | 'fair' | 'strong';

export interface PassphraseStrength {
  /** Estimated bits (see the module comment). */
  readonly bits: number;
  readonly level: PassphraseLevel;
  /** Meets both minimums: the wallet accepts it. */
  readonly acceptable: boolean;
  /** Characters, as the user counts them (code points). */
  readonly length: number;
}

/** Words at the top of every leaked-password list, and this project's own name. */
const COMMON = ['password', 'passwort', 'motdepasse', 'qwerty', 'azerty', 'qwertz', 'letmein', 'welcome', 'iloveyou', 'admin', 'monkey', 'dragon', 'football', 'baseball', 'sunshine', 'princess', 'tabchain', 'bitcoin', 'wallet', 'secret'];

function alphabetSize(chars: readonly string[]): number {
  let lower = false;
  let upper = false;
  let digit = false;
  let symbol = false;
  let other = false;
  for (const c of chars) {
    if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= 'A' && c <= 'Z') upper = true;
    else if (c >= '0' && c <= '9') digit = true;
    else if (c >= ' ' && c <= '~') symbol = true;
    else other = true;
  }
  return (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (symbol ? 33 : 0) + (other ? 100 : 0);
}

/** Characters that add guessing work: not a repeat or a ±1 step from the one before. */
function effectiveLength(chars: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < chars.length; i++) {
    if (i === 0) {
      count++;
      continue;
    }
    const step = chars[i]!.codePointAt(0)! - chars[i - 1]!.codePointAt(0)!;
    if (step !== 0 && step !== 1 && step !== -1) count++;
  }
  return count;
}

/** The estimate and level of a passphrase (NFKC, as the passphrase box uses it). */
export function passphraseStrength(passphrase: string): PassphraseStrength {
  const normalized = passphrase.normalize('NFKC');
  const chars = [...normalized];
  let counted = chars;
  const lower = normalized.toLowerCase();
  for (const word of COMMON) {
    const at = lower.indexOf(word);
    if (at >= 0) {
      // The word is worth about one guess among a few thousand: count what surrounds it.
      counted = [...normalized.slice(0, at), ...normalized.slice(at + word.length)];
      break;
    }
  }
  const size = alphabetSize(chars);
  const bits = size === 0 ? 0 : Math.round(effectiveLength(counted) * Math.log2(size) * 10) / 10;
  const acceptable = chars.length >= MIN_PASSPHRASE_LENGTH && bits >= MIN_PASSPHRASE_BITS;
  const level: PassphraseLevel = !acceptable ? 'weak' : bits >= STRONG_PASSPHRASE_BITS ? 'strong' : 'fair';
  return { bits, level, acceptable, length: chars.length };
}
