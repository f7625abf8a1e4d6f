import { describe, expect, it } from 'vitest';
import { checkPhrase, phraseWords } from './phrase.ts';

// BIP39's first English test vector (entropy 00…00) and its 24-word sibling.
const VALID_12 = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const VALID_24 = `${'abandon '.repeat(23)}art`;

describe('checkPhrase', () => {
  it('behavior: accepts valid 12- and 24-word phrases, normalized as the node reads them', () => {
    expect(checkPhrase(VALID_12)).toEqual({ ok: true, phrase: VALID_12, count: 12 });
    expect(checkPhrase(`  ${VALID_12.toUpperCase().replaceAll(' ', '\n  ')}  `)).toEqual({ ok: true, phrase: VALID_12, count: 12 });
    expect(checkPhrase(VALID_24)).toMatchObject({ ok: true, count: 24 });
  });

  it('behavior: an empty phrase is just empty, not an error to show', () => {
    expect(checkPhrase('')).toEqual({ ok: false, problem: 'empty' });
    expect(checkPhrase('  \n ')).toEqual({ ok: false, problem: 'empty' });
  });

  it('error: names the words that are not in the list, once each', () => {
    const phrase = VALID_12.replace('about', 'abuot').replace('abandon', 'bitcoin');
    expect(checkPhrase(phrase)).toEqual({ ok: false, problem: 'unknown-words', words: ['bitcoin', 'abuot'] });
    expect(checkPhrase('zzz zzz abandon')).toEqual({ ok: false, problem: 'unknown-words', words: ['zzz'] });
  });

  it('behavior: a last word still being typed is not called unknown until the count is complete', () => {
    expect(checkPhrase('abandon aban')).toEqual({ ok: false, problem: 'word-count', count: 2 });
    expect(checkPhrase('abandon aban ')).toEqual({ ok: false, problem: 'unknown-words', words: ['aban'] });
    expect(checkPhrase(VALID_12.replace(/about$/, 'abou'))).toEqual({ ok: false, problem: 'unknown-words', words: ['abou'] });
  });

  it('error: a wrong number of words says how many there are', () => {
    expect(checkPhrase(VALID_12.split(' ').slice(0, 11).join(' '))).toEqual({ ok: false, problem: 'word-count', count: 11 });
    expect(checkPhrase(`${VALID_12} abandon`)).toEqual({ ok: false, problem: 'word-count', count: 13 });
  });

  it('error: valid words in a combination whose checksum fails', () => {
    expect(checkPhrase('abandon '.repeat(12).trim())).toEqual({ ok: false, problem: 'checksum' });
    expect(checkPhrase(VALID_12.split(' ').reverse().join(' '))).toEqual({ ok: false, problem: 'checksum' });
  });

  it('behavior: phraseWords splits on any whitespace', () => {
    expect(phraseWords(' a\tb\n\nc ')).toEqual(['a', 'b', 'c']);
  });
});
