/**
 * @module The address index's entries: which keys a block's txs pay to or spend from, with the
 * amounts, computed from the block and its undo data (the coins it spent, each with its key). The
 * chain writes them in the same atomic write as the block, so an address page and a wallet's
 * history are one range read of the index, never a scan of the chain.
 */
import { bytesToHex, hashToHex } from '../encoding/hex.ts';
import type { Block } from '../primitives/block.ts';
import { txid } from '../primitives/transaction.ts';
import type { OutpointKey, SpentCoin } from '../coins/coin.ts';
import type { AddressIndexEntry, AddressPage, AddressTx, TxPosition } from '../ports/chain-store.ts';

/**
 * Every (key, tx) of a block where the tx pays to the key or spends a coin of it, in block order.
 * `spent` is the block's undo data; a coin created and spent inside the block is not in it, so
 * outputs of earlier txs of the block resolve those inputs.
 */
export function addressEntries(block: Block, height: number, spent: readonly SpentCoin[]): AddressIndexEntry[] {
  const coins = new Map<OutpointKey, { readonly amount: bigint; readonly publicKey: Uint8Array }>();
  for (const coin of spent) coins.set(coin.key, coin);
  const entries: AddressIndexEntry[] = [];
  block.txs.forEach((tx, position) => {
    const id = txid(tx);
    const touched = new Map<string, { received: bigint; sent: bigint }>();
    const of = (key: string) => {
      let t = touched.get(key);
      if (!t) touched.set(key, (t = { received: 0n, sent: 0n }));
      return t;
    };
    for (const input of tx.inputs) {
      const coin = coins.get(`${hashToHex(input.prevTxid)}:${input.vout}`);
      // A connected block's inputs all resolve; an unknown one would be a bug upstream.
      if (coin) of(bytesToHex(coin.publicKey)).sent += coin.amount;
    }
    tx.outputs.forEach((output, vout) => {
      of(bytesToHex(output.publicKey)).received += output.amount;
      coins.set(`${id}:${vout}`, output);
    });
    for (const [publicKey, { received, sent }] of touched) entries.push({ publicKey, height, position, txid: id, received, sent });
  });
  return entries;
}

/** Orders positions on the chain: negative when `a` is older than `b`. */
export function comparePositions(a: TxPosition, b: TxPosition): number {
  return a.height - b.height || a.position - b.position;
}

/** A page of one key's entries held oldest first (the in-memory store's layout): newest first. */
export function pageOf(oldestFirst: readonly AddressTx[], page: AddressPage = {}): AddressTx[] {
  let end = oldestFirst.length;
  if (page.before) {
    const before = page.before;
    let lo = 0;
    while (lo < end) {
      const mid = (lo + end) >>> 1;
      if (comparePositions(oldestFirst[mid]!, before) < 0) lo = mid + 1;
      else end = mid;
    }
  }
  const start = page.limit === undefined ? 0 : Math.max(0, end - page.limit);
  return oldestFirst.slice(start, end).reverse();
}
