/**
 * @module Storage failures, typed so the node can say plainly what happened.
 */

/** The browser refused to store more (QuotaExceededError); the write was rolled back. */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
  constructor(cause: unknown) {
    super('storage is full: the browser refused to store more data; nothing was half-written', { cause });
  }
}

/** Any other failed storage transaction; the write was rolled back. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

export function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException ? error.name === 'QuotaExceededError' : (error as { name?: string } | null)?.name === 'QuotaExceededError';
}

/** Wraps a failure of an IndexedDB transaction in the matching typed error. */
export function storageError(error: unknown, what: string): Error {
  return isQuotaError(error) ? new StorageFullError(error) : new StorageError(`${what} failed: ${(error as Error)?.message ?? error}`, error);
}
