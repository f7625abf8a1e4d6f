/**
 * @module The wallet record's list of keys: which are receive keys (handed out as addresses),
 * change keys and legacy keys, which one is current, and the derivation of new ones (public halves
 * only, so the list can be stored in the clear and a locked wallet still shows its addresses).
 * Pure functions over the record; {@link WalletKeys} saves what they return.
 */
import { bytesToHex, deriveKey, type NetworkName } from '../core/index.ts';
import type { StoredWallet, StoredWalletKey } from '../adapters/wallet/stored-wallet.ts';

/** `count` keys from BIP32 index `from` on tabchain's path, public halves only (each secret key is zeroed). */
export function deriveKeys(seed: Uint8Array, network: NetworkName, from: number, count: number, change: boolean): StoredWalletKey[] {
  const keys: StoredWalletKey[] = [];
  for (let i = 0; i < count; i++) {
    const { publicKey, secretKey } = deriveKey(seed, network, from + i);
    secretKey.fill(0);
    keys.push({ index: from + i, publicKey: bytesToHex(publicKey), change });
  }
  return keys;
}

/** Receive keys (not change, not legacy), oldest first. */
export function receiveKeys(record: StoredWallet | undefined): StoredWalletKey[] {
  return (record?.keys ?? []).filter((k) => !k.change && !k.legacy);
}

/** The BIP32 index the next key on tabchain's path gets (legacy keys have their own indexes). */
export function nextIndex(record: StoredWallet): number {
  return record.keys.filter((k) => !k.legacy).length;
}

/** The current receive key: the record's `current`, else the newest receive key. */
export function currentKey(record: StoredWallet): StoredWalletKey {
  const receive = receiveKeys(record);
  return receive.find((k) => k.index === record.current) ?? receive[receive.length - 1]!;
}

/**
 * The current key moved past keys the chain shows as used (`used`: public keys, hex), within the
 * keys already derived, so a restored wallet does not hand out a used address.
 */
export function firstUnusedKey(record: StoredWallet, used: ReadonlySet<string>): StoredWalletKey {
  const current = currentKey(record);
  if (!used.has(current.publicKey)) return current;
  return receiveKeys(record).find((k) => k.index > current.index && !used.has(k.publicKey)) ?? current;
}

/**
 * A wallet from before issue 12 (keys on Bitcoin's path) moved to tabchain's path, once its seed is
 * known: its keys are kept as `legacy` (their coins stay in the balance and can be spent; change and
 * new addresses go to the new path) and the first key of the new path becomes the receive address.
 * Nothing is lost; nothing new is ever derived on the old path. Null when there is nothing to move.
 */
export function movedToTabchainPath(record: StoredWallet, seed: Uint8Array, network: NetworkName): StoredWallet | null {
  if (record.derivation === 2) return null;
  const legacy = record.keys.map((k) => ({ ...k, legacy: true }));
  const [first] = deriveKeys(seed, network, 0, 1, false);
  return { ...record, keys: [...legacy, first!], current: 0, derivation: 2 };
}
