/**
 * @module Checks a recovery phrase as it is typed, saying what is wrong in terms a person can act
 * on: a word that is not in the BIP39 English list, a wrong number of words, or a checksum that
 * does not match (words in the wrong order, or one valid word mistyped as another). The node
 * checks the phrase again when it restores; this only explains.
 */
import { validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';

/** How many words a BIP39 phrase has (128 to 256 bits of entropy, in steps of 32). */
export const PHRASE_LENGTHS: readonly number[] = [12, 15, 18, 21, 24];

export type PhraseCheck =
  | { ok: true; phrase: string; count: number }
  | { ok: false; problem: 'empty' }
  | { ok: false; problem: 'unknown-words'; words: string[] }
  | { ok: false; problem: 'word-count'; count: number }
  | { ok: false; problem: 'checksum' };

const WORDS = new Set(wordlist);

/** The words of a phrase as the node reads them (NFKD, lower case, any whitespace between). */
export function phraseWords(text: string): string[] {
  return text.normalize('NFKD').trim().toLowerCase().split(/\s+/).filter((w) => w !== '');
}

function isPrefixOfWord(part: string): boolean {
  return wordlist.some((w) => w.startsWith(part));
}

/**
 * What is wrong with `text` as a recovery phrase, or the normalized phrase. While the last word
 * is still being typed (no space after it, a prefix of a list word, too few words yet), it is not
 * reported as unknown.
 */
export function checkPhrase(text: string): PhraseCheck {
  const words = phraseWords(text);
  if (words.length === 0) return { ok: false, problem: 'empty' };
  const last = words.length - 1;
  const typing = !/\s$/.test(text) && !WORDS.has(words[last]!) && isPrefixOfWord(words[last]!) && !PHRASE_LENGTHS.includes(words.length);
  const unknown = [...new Set(words.filter((w, i) => !WORDS.has(w) && !(typing && i === last)))];
  if (unknown.length > 0) return { ok: false, problem: 'unknown-words', words: unknown };
  if (!PHRASE_LENGTHS.includes(words.length)) return { ok: false, problem: 'word-count', count: words.length };
  const phrase = words.join(' ');
  if (!validateMnemonic(phrase, wordlist)) return { ok: false, problem: 'checksum' };
  return { ok: true, phrase, count: words.length };
}
