import { describe, expect, it } from 'vitest';
import { errorCode, errorKey, errorMessage } from './errors.ts';

function apiError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'WalletError', code });
}

describe('wallet errors', () => {
  it('behavior: known codes map to message keys', () => {
    expect(errorKey(apiError('locked', 'the wallet is locked'))).toBe('wallet.error.locked');
    expect(errorKey(apiError('wallet-exists', '…'))).toBe('wallet.error.walletExists');
  });

  it('behavior: unknown codes and plain errors fall back to their own message', () => {
    expect(errorKey(apiError('rejected', 'fee too low for the pool'))).toBeNull();
    expect(errorKey(apiError('toString', 'x'))).toBeNull();
    expect(errorKey(new Error('boom'))).toBeNull();
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('text')).toBe('text');
    expect(errorCode(null)).toBeNull();
    expect(errorCode({ code: 3 })).toBeNull();
  });
});
