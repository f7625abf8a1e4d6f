/**
 * @module API errors as the wallet view explains them: the error's `code` (WalletError codes,
 * see src/core/wallet/wallet-error.ts) picks a translated message; anything else shows the
 * error's own English message.
 */
import { TabchainError } from '../../app/tabchain-error.ts';
import type { WalletErrorCode } from '../../core/index.ts';
import type { MessageKey } from '../i18n/i18n.svelte.ts';

const KEYS: Partial<Record<WalletErrorCode, MessageKey>> = {
  locked: 'wallet.error.locked',
  'wrong-passphrase': 'wallet.error.wrongPassphrase',
  'bad-mnemonic': 'wallet.error.badMnemonic',
  'bad-backup': 'wallet.error.badBackup',
  'no-passphrase': 'wallet.error.noPassphrase',
  'weak-passphrase': 'wallet.error.weakPassphrase',
  'passphrase-required': 'wallet.error.passphraseRequired',
  'no-wallet': 'wallet.error.noWallet',
  'wallet-exists': 'wallet.error.walletExists',
  'insufficient-funds': 'wallet.error.insufficientFunds',
  'fee-too-low': 'wallet.error.feeTooLow',
  'memo-too-long': 'wallet.error.memoTooLong',
  'bad-amount': 'wallet.error.badAmount',
  'bad-address': 'wallet.error.badAddress',
  'wrong-network': 'wallet.error.wrongNetwork',
};

/** The code of a wallet refusal from `window.tabchain` (a TabchainError named WalletError), else null. */
export function errorCode(error: unknown): WalletErrorCode | null {
  return TabchainError.is(error, 'WalletError') ? error.code : null;
}

/** The message key for an error's code, or null when only its own message can explain it. */
export function errorKey(error: unknown): MessageKey | null {
  const code = errorCode(error);
  return code !== null && Object.hasOwn(KEYS, code) ? KEYS[code]! : null;
}

/** The error's own message (English), for codes the view does not know. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
