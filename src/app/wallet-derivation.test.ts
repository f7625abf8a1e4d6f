/**
 * Tabchain's own derivation path (issue 12, part 7): new keys, restores and imports use only
 * `m/86'/7627106'|7627107'/0'/0/i`; a wallet from before (keys on Bitcoin's path) is moved when
 * its seed is known, keeping its old keys (as legacy) only to spend the coins they received.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { bytesToHex, deriveKey, encodeAddress, mnemonicToSeed, testParams } from '../core/index.ts';
import { openWalletDatabase, type StoredWallet } from '../adapters/idb/wallet-database.ts';
import { sealWithPassphrase } from '../adapters/wallet/passphrase-box.ts';
import { WalletKeys } from './wallet-keys.ts';

let n = 0;
const fast = { iterations: 1000 };
const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const seed = mnemonicToSeed(ABANDON);
const hex = (network: 'test', index: number, scheme: 'tabchain' | 'legacy-bitcoin') => bytesToHex(deriveKey(seed, network, index, scheme).publicKey);

/** A record as versions before issue 12 wrote it: keys on Bitcoin's path, no `derivation`. */
function oldRecord(secret: StoredWallet['secret']): StoredWallet {
  return {
    network: 'test',
    secret,
    keys: [0, 1].map((index) => ({ index, publicKey: hex('test', index, 'legacy-bitcoin'), change: false })),
    createdAt: 1,
    current: 1,
  };
}

describe('derivation path', () => {
  it('behavior: a new or restored wallet holds only keys of tabchain\'s path', async () => {
    const keys = await WalletKeys.open(await openWalletDatabase(`wallet-derivation-${++n}`), testParams, fast);
    await keys.restore(ABANDON, { replace: true, keys: 3 });
    const held = keys.publicKeys().map(bytesToHex);
    expect(held).toEqual([0, 1, 2].map((i) => hex('test', i, 'tabchain')));
    for (let i = 0; i < 3; i++) expect(held).not.toContain(hex('test', i, 'legacy-bitcoin'));
    expect(keys.address()).toBe(encodeAddress(deriveKey(seed, 'test', 0).publicKey, testParams.addressPrefix));
  });

  it('behavior: an old unencrypted wallet is moved at open: old keys kept as legacy (spendable), new addresses on the new path', async () => {
    const db = await openWalletDatabase(`wallet-derivation-${++n}`);
    await db.put('wallets', oldRecord({ kind: 'plain', mnemonic: ABANDON }), 'test');
    const keys = await WalletKeys.open(db, testParams, fast);
    const record = (await db.get('wallets', 'test'))!;
    expect(record.derivation).toBe(2);
    expect(record.keys.filter((k) => k.legacy).map((k) => k.publicKey)).toEqual([hex('test', 0, 'legacy-bitcoin'), hex('test', 1, 'legacy-bitcoin')]);
    // The balance still counts the old keys; receiving uses the new path only.
    expect(keys.publicKeys().map(bytesToHex)).toContain(hex('test', 1, 'legacy-bitcoin'));
    expect(keys.addresses()).toEqual([encodeAddress(deriveKey(seed, 'test', 0).publicKey, testParams.addressPrefix)]);
    expect(bytesToHex(keys.receiveKey())).toBe(hex('test', 0, 'tabchain'));
    expect(bytesToHex(keys.peekNextKey())).toBe(hex('test', 1, 'tabchain'));
    await keys.newAddress();
    expect(keys.addresses()).toHaveLength(2);
    // An old key signs with its old path's secret (its coins can be spent).
    const legacyKey = deriveKey(seed, 'test', 1, 'legacy-bitcoin');
    expect(keys.secretKeyFor(legacyKey.publicKey)).toEqual(legacyKey.secretKey);
    expect(keys.secretKeyFor(deriveKey(seed, 'test', 0).publicKey)).toEqual(deriveKey(seed, 'test', 0).secretKey);
  });

  it('behavior: an old sealed wallet keeps its old addresses while locked and moves at unlock', async () => {
    const db = await openWalletDatabase(`wallet-derivation-${++n}`);
    const box = await sealWithPassphrase(new TextEncoder().encode(ABANDON), 'correct horse battery', fast);
    await db.put('wallets', oldRecord({ kind: 'sealed', box }), 'test');
    const keys = await WalletKeys.open(db, testParams, fast);
    expect(keys.locked).toBe(true);
    expect(keys.addresses()).toHaveLength(2);
    await keys.unlock('correct horse battery');
    expect((await db.get('wallets', 'test'))!.derivation).toBe(2);
    expect(bytesToHex(keys.receiveKey())).toBe(hex('test', 0, 'tabchain'));
    expect(keys.publicKeys()).toHaveLength(3);
  });
});
