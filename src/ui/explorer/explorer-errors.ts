/**
 * @module Error text for the explorer: API errors by their `code` (translated), else their
 * English message.
 */
import { TabchainError } from '../../app/tabchain-error.ts';
import { t, type MessageKey } from '../i18n/i18n.svelte.ts';

const BY_CODE: Readonly<Record<string, MessageKey>> = {
  'bad-address': 'explorer.error.badAddress',
  'wrong-network': 'explorer.error.wrongNetwork',
  'bad-checksum': 'explorer.error.badChecksum',
};

const keyOf = (code: string | undefined): MessageKey | undefined => (code !== undefined && Object.hasOwn(BY_CODE, code) ? BY_CODE[code] : undefined);

export function errorText(error: unknown): string {
  if (TabchainError.is(error, 'WalletError')) {
    // An address's own fault (`detail`, such as a typo) says more than `bad-address`.
    const key = keyOf(error.detail) ?? keyOf(error.code);
    if (key) return t(key);
  }
  return error instanceof Error ? error.message : String(error);
}
