import { base64 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { WalletError } from '../../core/index.ts';
import { DEFAULT_ITERATIONS, openWithPassphrase, sealWithPassphrase, type SealedBox } from './passphrase-box.ts';

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

  it('behavior: defaults to 310,000 iterations', () => {
    expect(DEFAULT_ITERATIONS).toBe(310_000);
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
