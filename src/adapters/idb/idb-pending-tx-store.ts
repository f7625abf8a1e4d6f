/**
 * @module Pending txs in the chain database, so the mempool (and a payment signed offline)
 * survives a reload.
 */
import type { PendingTxRecord, PendingTxStore } from '../../core/index.ts';
import type { ChainDatabase } from './chain-database.ts';
import { storageError } from '../storage-errors.ts';

export class IdbPendingTxStore implements PendingTxStore {
  constructor(private readonly db: ChainDatabase) {}

  load(): Promise<PendingTxRecord[]> {
    return this.db.getAll('mempool');
  }

  async put(txid: string, bytes: Uint8Array, time: number, own = false): Promise<void> {
    try {
      await this.db.put('mempool', { txid, bytes, time, own }, txid);
    } catch (error) {
      throw storageError(error, 'saving a pending tx');
    }
  }

  async delete(txids: readonly string[]): Promise<void> {
    const tx = this.db.transaction('mempool', 'readwrite');
    for (const id of txids) void tx.store.delete(id).catch(() => undefined);
    await tx.done;
  }
}
