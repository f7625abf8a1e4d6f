import { base64 } from '@scure/base';
import { describe, expect, it, vi } from 'vitest';
import { WalletError } from '../../core/index.ts';
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { DEFAULT_ITERATIONS, needsReseal, openWithPassphrase, sealWithPassphrase, type SealedBox } from './passphrase-box.ts';

const FAST = { iterations: 1000 };
const secret = new TextEncoder().encode('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about');

async function rejection(promise: Promise<unknown>): Promise<WalletError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(WalletError);
    return e as WalletError;
  }
  throw new Error('expected a WalletError, nothing was thrown');
}

/** The box with one byte of a base64 field flipped. */
function flipped(box: SealedBox, field: 'salt' | 'iv' | 'ciphertext', index = 0): SealedBox {
  const bytes = base64.decode(box[field]);
  bytes[index] = bytes[index]! ^ 1;
  return { ...box, [field]: base64.encode(bytes) };
}

describe('passphrase box', () => {
  it('behavior: round trips, and the box survives JSON', async () => {
    const box = await sealWithPassphrase(secret, 'correct horse', FAST);
    expect(box).toMatchObject({ v: 1, kdf: 'pbkdf2-sha256', iterations: 1000 });
    expect(base64.decode(box.salt)).toHaveLength(16);
    expect(base64.decode(box.iv)).toHaveLength(12);
    expect(base64.decode(box.ciphertext)).toHaveLength(secret.length + 16);
    const copy = JSON.parse(JSON.stringify(box)) as SealedBox;
    expect(await openWithPassphrase(copy, 'correct horse')).toEqual(secret);
  });

  it('behavior: round trips empty plaintext and a non-ASCII passphrase', async () => {
    const box = await sealWithPassphrase(new Uint8Array(), 'pässwörd 🔑', FAST);
    expect(await openWithPassphrase(box, 'pässwörd 🔑')).toEqual(new Uint8Array());
  });

  it('behavior: the same passphrase in another Unicode form opens the box (NFKC)', async () => {
    const box = await sealWithPassphrase(secret, 'caf\u00e9', FAST);
    expect(await openWithPassphrase(box, 'cafe\u0301')).toEqual(secret);
  });

  it('behavior: salt and IV are fresh for every box', async () => {
    const [a, b] = await Promise.all([sealWithPassphrase(secret, 'pw', FAST), sealWithPassphrase(secret, 'pw', FAST)]);
    expect(a.salt).not.toBe(b.salt);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('behavior: defaults to 600,000 iterations, and a box below that needs re-sealing', async () => {
    expect(DEFAULT_ITERATIONS).toBe(600_000);
    const box = await sealWithPassphrase(secret, 'pw', FAST);
    expect(needsReseal(box)).toBe(true);
    expect(needsReseal({ ...box, iterations: 310_000 })).toBe(true);
    expect(needsReseal({ ...box, iterations: 600_000 })).toBe(false);
  });

  it('behavior: a box sealed by the earlier pure-JS PBKDF2 (noble, 310,000 rounds) still opens', async () => {
    // The same PBKDF2-HMAC-SHA256 either way: derive the key with noble as the old code did.
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const raw = await pbkdf2Async(sha256, 'correct horse', salt, { c: 310_000, dkLen: 32 });
    const key = await crypto.subtle.importKey('raw', new Uint8Array(raw), 'AES-GCM', false, ['encrypt']);
    const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, secret));
    const old: SealedBox = { v: 1, kdf: 'pbkdf2-sha256', iterations: 310_000, salt: base64.encode(salt), iv: base64.encode(iv), ciphertext: base64.encode(ciphertext) };
    expect(await openWithPassphrase(old, 'correct horse')).toEqual(secret);
  });

  it('behavior: sealing and opening stretch the passphrase by 600,000 rounds of WebCrypto PBKDF2-SHA256 (native, not the pure-JS loop of before)', async () => {
    const deriveKey = vi.spyOn(crypto.subtle, 'deriveKey');
    try {
      const box = await sealWithPassphrase(secret, 'correct horse battery', {});
      expect(await openWithPassphrase(box, 'correct horse battery')).toEqual(secret);
      expect(deriveKey).toHaveBeenCalledTimes(2);
      for (const [algorithm] of deriveKey.mock.calls) expect(algorithm).toMatchObject({ name: 'PBKDF2', hash: 'SHA-256', iterations: 600_000 });
    } finally {
      deriveKey.mockRestore();
    }
  });

  it('error: additional data is bound to the tag: other or missing data is wrong-passphrase', async () => {
    const ad = new TextEncoder().encode('network=test;keys=3');
    const box = await sealWithPassphrase(secret, 'pw', { ...FAST, additionalData: ad });
    expect(await openWithPassphrase(box, 'pw', { additionalData: ad })).toEqual(secret);
    const other = new TextEncoder().encode('network=test;keys=4');
    expect((await rejection(openWithPassphrase(box, 'pw', { additionalData: other }))).code).toBe('wrong-passphrase');
    expect((await rejection(openWithPassphrase(box, 'pw'))).code).toBe('wrong-passphrase');
  });

  it('error: a wrong passphrase is wrong-passphrase', async () => {
    const box = await sealWithPassphrase(secret, 'correct horse', FAST);
    for (const wrong of ['correct horsE', 'correct horse ', '']) expect((await rejection(openWithPassphrase(box, wrong))).code).toBe('wrong-passphrase');
  });

  it('error: a tampered ciphertext, tag, IV, salt or iteration count is wrong-passphrase', async () => {
    const box = await sealWithPassphrase(secret, 'pw', FAST);
    const tagIndex = base64.decode(box.ciphertext).length - 1;
    const tampered = [flipped(box, 'ciphertext'), flipped(box, 'ciphertext', tagIndex), flipped(box, 'iv'), flipped(box, 'salt'), { ...box, iterations: 1001 }];
    for (const t of tampered) expect((await rejection(openWithPassphrase(t, 'pw'))).code).toBe('wrong-passphrase');
  });

  it('error: a malformed box is bad-backup', async () => {
    const box = await sealWithPassphrase(secret, 'pw', FAST);
    const malformed: unknown[] = [
      null,
      'a string',
      42,
      {},
      { ...box, v: 2 },
      { ...box, v: '1' },
      { ...box, kdf: 'scrypt' },
      { ...box, iterations: 0 },
      { ...box, iterations: 1.5 },
      { ...box, iterations: '1000' },
      { ...box, iterations: 1e9 },
      { ...box, salt: undefined },
      { ...box, salt: 'not base64!' },
      { ...box, salt: base64.encode(new Uint8Array(15)) },
      { ...box, iv: base64.encode(new Uint8Array(16)) },
      { ...box, ciphertext: 42 },
      { ...box, ciphertext: base64.encode(new Uint8Array(15)) },
    ];
    for (const m of malformed) expect((await rejection(openWithPassphrase(m as SealedBox, 'pw'))).code, JSON.stringify(m)).toBe('bad-backup');
  });

  it('error: sealing with a bad iteration count is a RangeError', async () => {
    await expect(sealWithPassphrase(secret, 'pw', { iterations: 0 })).rejects.toThrow(RangeError);
    await expect(sealWithPassphrase(secret, 'pw', { iterations: 2.5 })).rejects.toThrow(RangeError);
  });
});
