/**
 * @module The REST API's refusals: an {@link HttpError} is answered as `{ error, message, field? }`
 * with its status; anything else thrown is a storage failure (507 / 503) or a 500.
 */
import { TabchainError } from '../../app/tabchain-error.ts';
import type { WalletErrorCode } from '../../core/index.ts';

/** A refusal: answered as `{ error: code, message, field? }` with `status`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A 400 naming the request field at fault. */
export const badField = (field: string, message: string, code = 'bad-request') => new HttpError(400, code, message, field);

/** `StorageFullError` or `StorageError` (storage-errors.ts) when `error` or one of its causes is one. */
export function storageFailureOf(error: unknown): 'StorageFullError' | 'StorageError' | null {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < 5; depth++, e = e.cause) {
    if (e.name === 'StorageFullError' || e.name === 'StorageError') return e.name;
  }
  return null;
}

/** The status and body an unexpected exception is answered with. */
export function unexpectedErrorReply(error: unknown): { status: 500 | 503 | 507; body: { error: string; message: string } } {
  const message = error instanceof Error ? error.message : String(error);
  const storage = storageFailureOf(error);
  if (storage === 'StorageFullError') return { status: 507, body: { error: 'storage-full', message } };
  if (storage === 'StorageError') return { status: 503, body: { error: 'storage-error', message } };
  return { status: 500, body: { error: 'internal', message } };
}

/** A WalletError from the API (a TabchainError named WalletError) or null. */
export function walletErrorOf(error: unknown): { code: WalletErrorCode; message: string } | null {
  return TabchainError.is(error, 'WalletError') ? { code: error.code, message: error.message } : null;
}
