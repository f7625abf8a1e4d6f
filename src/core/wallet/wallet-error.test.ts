import { describe, expect, it } from 'vitest';
import { WalletError } from './wallet-error.ts';

describe('WalletError', () => {
  it('behavior: carries a name, a code, a message and an optional detail', () => {
    const e = new WalletError('bad-address', 'not a valid address', 'bad-checksum');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('WalletError');
    expect(e.code).toBe('bad-address');
    expect(e.detail).toBe('bad-checksum');
    expect(e.message).toBe('not a valid address');
    expect(new WalletError('locked', 'the wallet is locked').detail).toBeUndefined();
  });
});
