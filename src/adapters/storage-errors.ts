/**
 * @module Storage failures, typed so the node can say plainly what happened: the same errors from
 * IndexedDB (a tab) and LevelDB (the headless node).
 */

/** The browser (QuotaExceededError) or the disk (ENOSPC) refused to store more; the write was rolled back. */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
  constructor(cause: unknown) {
    super('storage is full: the browser or the disk refused to store more data; nothing was half-written', { cause });
  }
}

/** Any other failed storage transaction; the write was rolled back. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

/** The browser's QuotaExceededError, or a full disk under the headless node's LevelDB. */
export function isQuotaError(error: unknown): boolean {
  if (typeof DOMException !== 'undefined' && error instanceof DOMException) return error.name === 'QuotaExceededError';
  const e = error as { name?: string; code?: string; message?: string } | null;
  return e?.name === 'QuotaExceededError' || e?.code === 'ENOSPC' || /No space left on device|ENOSPC/.test(e?.message ?? '');
}

/** Wraps a failure of a storage transaction (IndexedDB or LevelDB) in the matching typed error. */
export function storageError(error: unknown, what: string): Error {
  return isQuotaError(error) ? new StorageFullError(error) : new StorageError(`${what} failed: ${(error as Error)?.message ?? error}`, error);
}
