/**
 * @module Comparing a store's address index with the in-memory store's (which the property test
 * holds against a full scan of the chain): the stores' tests replay the same blocks into both and
 * expect no differences, through the port only (whole lists and pages with a cursor).
 */
import { hexToBytes } from '../encoding/hex.ts';
import type { AddressTx, ChainStore } from '../ports/chain-store.ts';
import { pageOf } from '../chain/address-index.ts';
import type { MemoryChainStore } from '../chain/memory-chain-store.ts';

/** Keys worth asking about: every key the reference has indexed so far (keep the set across steps: a reorg may empty one). */
export function rememberKeys(reference: MemoryChainStore, keys: Set<string>): Set<string> {
  for (const key of reference.addressIndex.keys()) keys.add(key);
  return keys;
}

/** What `store` answers differently from `reference` for `keys`, as readable lines (empty: the same). */
export async function addressIndexDifferences(store: ChainStore, reference: MemoryChainStore, keys: Iterable<string>): Promise<string[]> {
  const differences: string[] = [];
  const show = (list: readonly AddressTx[]) => list.map((e) => `${e.height}.${e.position}:${e.txid.slice(0, 8)}:+${e.received}-${e.sent}`).join(' ');
  const compare = (what: string, got: readonly AddressTx[], want: readonly AddressTx[]) => {
    if (show(got) !== show(want)) differences.push(`${what}: got [${show(got)}], want [${show(want)}]`);
  };
  for (const key of keys) {
    const publicKey = hexToBytes(key);
    const list = reference.addressIndex.get(key) ?? [];
    compare(`${key.slice(0, 8)} all`, await store.addressTxs(publicKey), pageOf(list));
    compare(`${key.slice(0, 8)} newest 2`, await store.addressTxs(publicKey, { limit: 2 }), pageOf(list, { limit: 2 }));
    const middle = list[Math.floor(list.length / 2)];
    if (middle) {
      const page = { before: { height: middle.height, position: middle.position }, limit: 3 };
      compare(`${key.slice(0, 8)} 3 before ${middle.height}.${middle.position}`, await store.addressTxs(publicKey, page), pageOf(list, page));
    }
  }
  return differences;
}
