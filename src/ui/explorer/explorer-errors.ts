/**
 * @module Error text for the explorer: API errors by their `code` (translated), else their
 * English message.
 */
import { t, type MessageKey } from '../i18n/i18n.svelte.ts';

const BY_CODE: Record<string, MessageKey> = {
  'bad-address': 'explorer.error.badAddress',
  'wrong-network': 'explorer.error.wrongNetwork',
  'bad-checksum': 'explorer.error.badChecksum',
};

export function errorText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const detail = (error as { detail?: unknown } | null)?.detail;
  if (typeof detail === 'string' && detail in BY_CODE) return t(BY_CODE[detail]!);
  if (typeof code === 'string' && code in BY_CODE) return t(BY_CODE[code]!);
  return error instanceof Error ? error.message : String(error);
}
