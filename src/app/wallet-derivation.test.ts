/**
 * Tabchain's own derivation path (issue 12, part 7): new keys, restores and imports use only
 * `m/86'/7627106'|7627107'/0'/0/i`; a wallet from before (keys on Bitcoin's path) is moved when
 * its seed is known, keeping its old keys (as legacy) only to spend the coins they received.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { bytesToHex, deriveKey, encodeAddress, mnemonicToSeed, regtestParams } from '../core/index.ts';
import { openWalletDatabase } from '../adapters/idb/wallet-database.ts';
import type { StoredWallet } from '../adapters/wallet/stored-wallet.ts';
import { sealWithPassphrase } from '../adapters/wallet/passphrase-box.ts';
import { WalletKeys } from './wallet-keys.ts';

let n = 0;
const fast = { iterations: 1000 };
const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const seed = mnemonicToSeed(ABANDON);
const hex = (network: 'regtest', index: number, scheme: 'tabchain' | 'legacy-bitcoin') => bytesToHex(deriveKey(seed, network, index, scheme).publicKey);

/** A record as versions before issue 12 wrote it: keys on Bitcoin's path, no `derivation`. */
function oldRecord(secret: StoredWallet['secret']): StoredWallet {
  return {
    network: 'regtest',
    secret,
    keys: [0, 1].map((index) => ({ index, publicKey: hex('regtest', index, 'legacy-bitcoin'), change: false })),
    createdAt: 1,
    current: 1,
  };
}

describe('derivation path', () => {
  it('behavior: a new or restored wallet holds only keys of tabchain\'s path', async () => {
    const keys = await WalletKeys.open(await openWalletDatabase(`wallet-derivation-${++n}`), regtestParams, fast);
    await keys.restore(ABANDON, { replace: true, keys: 3 });
    const held = keys.publicKeys().map(bytesToHex);
    expect(held).toEqual([0, 1, 2].map((i) => hex('regtest', i, 'tabchain')));
    for (let i = 0; i < 3; i++) expect(held).not.toContain(hex('regtest', i, 'legacy-bitcoin'));
    expect(keys.address()).toBe(encodeAddress(deriveKey(seed, 'regtest', 0).publicKey, regtestParams.addressPrefix));
  });

  it('behavior: an old unencrypted wallet is moved at open: old keys kept as legacy (spendable), new addresses on the new path', async () => {
    const db = await openWalletDatabase(`wallet-derivation-${++n}`);
    await db.put('wallets', oldRecord({ kind: 'plain', mnemonic: ABANDON }), 'regtest');
    const keys = await WalletKeys.open(db, regtestParams, fast);
    const record = (await db.get('wallets', 'regtest'))!;
    expect(record.derivation).toBe(2);
    expect(record.keys.filter((k) => k.legacy).map((k) => k.publicKey)).toEqual([hex('regtest', 0, 'legacy-bitcoin'), hex('regtest', 1, 'legacy-bitcoin')]);
    // The balance still counts the old keys; receiving uses the new path only.
    expect(keys.publicKeys().map(bytesToHex)).toContain(hex('regtest', 1, 'legacy-bitcoin'));
    expect(keys.addresses()).toEqual([encodeAddress(deriveKey(seed, 'regtest', 0).publicKey, regtestParams.addressPrefix)]);
    expect(bytesToHex(keys.receiveKey())).toBe(hex('regtest', 0, 'tabchain'));
    expect(bytesToHex(keys.peekNextKey())).toBe(hex('regtest', 1, 'tabchain'));
    await keys.newAddress();
    expect(keys.addresses()).toHaveLength(2);
    // An old key signs with its old path's secret (its coins can be spent).
    const legacyKey = deriveKey(seed, 'regtest', 1, 'legacy-bitcoin');
    expect(keys.secretKeyFor(legacyKey.publicKey)).toEqual(legacyKey.secretKey);
    expect(keys.secretKeyFor(deriveKey(seed, 'regtest', 0).publicKey)).toEqual(deriveKey(seed, 'regtest', 0).secretKey);
  });

  it('behavior: an old sealed wallet keeps its old addresses while locked and moves at unlock', async () => {
    const db = await openWalletDatabase(`wallet-derivation-${++n}`);
    const box = await sealWithPassphrase(new TextEncoder().encode(ABANDON), 'correct horse battery', fast);
    await db.put('wallets', oldRecord({ kind: 'sealed', box }), 'regtest');
    const keys = await WalletKeys.open(db, regtestParams, fast);
    expect(keys.locked).toBe(true);
    expect(keys.addresses()).toHaveLength(2);
    await keys.unlock('correct horse battery');
    expect((await db.get('wallets', 'regtest'))!.derivation).toBe(2);
    expect(bytesToHex(keys.receiveKey())).toBe(hex('regtest', 0, 'tabchain'));
    expect(keys.publicKeys()).toHaveLength(3);
  });
});
