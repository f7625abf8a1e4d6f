import { describe, expect, it } from 'vitest';
import { TabchainError } from '../../app/tabchain-error.ts';
import type { WalletErrorCode } from '../../core/index.ts';
import { errorCode, errorKey, errorMessage } from './errors.ts';

/** What `window.tabchain` throws for a wallet refusal (a code from outside the union too, as a page could meet). */
function apiError(code: string, message: string): Error {
  return new TabchainError({ name: 'WalletError', code: code as WalletErrorCode, message });
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
    // Only the API's typed refusals carry a code the view trusts, not any object with one.
    expect(errorCode(Object.assign(new Error('x'), { code: 'locked' }))).toBeNull();
    expect(errorCode(apiError('locked', 'x'))).toBe('locked');
  });
});
