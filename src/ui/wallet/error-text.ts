/** @module An API error as a sentence in the current language (see ./errors.ts). */
import { t, type MessageKey } from '../i18n/i18n.svelte.ts';
import { errorCode, errorKey, errorMessage } from './errors.ts';

/** The translated message for the error's code (`overrides` first), else its own message. */
export function errorText(error: unknown, overrides: Record<string, MessageKey> = {}): string {
  const code = errorCode(error);
  const key = (code !== null && Object.hasOwn(overrides, code) ? overrides[code] : null) ?? errorKey(error);
  return key ? t(key) : errorMessage(error);
}
