/**
 * @module The headless node's address index in LevelDB: how its keys sort, and building it from
 * a chain stored before it existed (layout 1), once, when the database opens.
 *
 * A key is `<public key hex>!<height, 8 hex digits><position, 8 hex digits>`: fixed-width hex
 * sorts as the numbers do, so a key's txs are one contiguous range, oldest first, and a page
 * newest first is one reverse iterator over it.
 */
import { addressEntries, decodeBlock, hashToHex, type SpentCoin, type StoredBlockIndex, type TxPosition } from '../../core/index.ts';
import { pack, readText, unpack, type Sublevel } from './node-database.ts';

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

export function addressKey(publicKey: string, at: TxPosition): string {
  return `${publicKey}!${hex8(at.height)}${hex8(at.position)}`;
}

/** The keys of one public key's entries: `gte` its first, `lt` past its last. */
export function addressRange(publicKey: string, before?: TxPosition): { gte: string; lt: string } {
  // '"' sorts right after '!'.
  return { gte: `${publicKey}!`, lt: before ? addressKey(publicKey, before) : `${publicKey}"` };
}

interface Stores {
  readonly db: { batch(ops: { type: 'put'; sublevel: Sublevel; key: string; value: Uint8Array }[], options: { sync: boolean }): Promise<void> };
  readonly index: Sublevel;
  readonly bodies: Sublevel;
  readonly undo: Sublevel;
  readonly meta: Sublevel;
  readonly addresses: Sublevel;
}

/**
 * Indexes every stored active-chain block, walking back from the stored tip, in batches of a
 * bounded size. Not one batch: the caller marks the layout as upgraded only after the last one,
 * and the entries are derived data put by key, so an interrupted build simply runs again.
 */
export async function fillAddressIndex(stores: Stores, blocksPerBatch = 1000): Promise<void> {
  const tip = await stores.meta.get('tip');
  let hash = tip === undefined ? undefined : readText(tip);
  let ops: { type: 'put'; sublevel: Sublevel; key: string; value: Uint8Array }[] = [];
  let blocks = 0;
  while (hash) {
    const [entryBytes, bytes, undoBytes] = await Promise.all([stores.index.get(hash), stores.bodies.get(hash), stores.undo.get(hash)]);
    if (!entryBytes || !bytes) break;
    const entry = unpack<StoredBlockIndex>(entryBytes);
    const spent = undoBytes === undefined ? [] : unpack<SpentCoin[]>(undoBytes);
    for (const { publicKey, ...value } of addressEntries(decodeBlock(bytes), entry.height, spent)) {
      ops.push({ type: 'put', sublevel: stores.addresses, key: addressKey(publicKey, value), value: pack(value) });
    }
    if (++blocks % blocksPerBatch === 0) {
      await stores.db.batch(ops, { sync: true });
      ops = [];
    }
    hash = entry.height === 0 ? undefined : hashToHex(entry.header.prevHash);
  }
  if (ops.length) await stores.db.batch(ops, { sync: true });
}
