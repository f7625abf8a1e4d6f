/**
 * The wallet's keys at rest (issue 12, part 1): no clear phrase on main, a test-network phrase
 * only in its own erasable store, the passphrase minimum, re-sealing old boxes, and a backup file
 * whose every field is authenticated and bounded.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { WalletError, mainParams, regtestParams, type NetworkName } from '../core/index.ts';
import { openWalletDatabase } from '../adapters/idb/wallet-database.ts';
import type { StoredWallet } from '../adapters/wallet/stored-wallet.ts';
import { sealWithPassphrase } from '../adapters/wallet/passphrase-box.ts';
import { WalletKeys, type PlainPhraseStore, type WalletBackup, type WalletRecordStore } from './wallet-keys.ts';
import { TabchainError } from './tabchain-error.ts';

let n = 0;
const fast = { iterations: 1000 };
const strong = 'correct horse battery staple';
const walletDb = () => openWalletDatabase(`wallet-at-rest-${++n}`);

function memoryPlainStore(): PlainPhraseStore & { files: Map<NetworkName, string> } {
  const files = new Map<NetworkName, string>();
  return {
    files,
    read: async (network) => files.get(network),
    write: async (network, phrase) => void files.set(network, phrase),
    erase: async (network) => void files.delete(network),
  };
}

async function walletError(promise: Promise<unknown> | (() => unknown)): Promise<WalletError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    expect(e).toBeInstanceOf(WalletError);
    return e as WalletError;
  }
  throw new Error('expected a WalletError, nothing was thrown');
}

/** The record a wallet keeps (its keys, for building an old-style record in a test). */
async function walletDbRecord(keys: WalletKeys): Promise<StoredWallet> {
  return (keys as unknown as { record: StoredWallet }).record;
}

/** Every record of the database as JSON (what is on disk, give or take the encoding). */
async function dump(db: WalletRecordStore, network: NetworkName): Promise<string> {
  return JSON.stringify((await db.get('wallets', network)) ?? null);
}

describe('wallet keys at rest', () => {
  it('behavior: main has no wallet until one is created with a passphrase that meets the minimum; nothing clear is stored', async () => {
    const db = await walletDb();
    const keys = await WalletKeys.open(db, mainParams, fast);
    expect(keys.exists).toBe(false);
    expect(keys.addresses()).toEqual([]);
    expect((await walletError(() => keys.address())).code).toBe('no-wallet');
    expect((await walletError(() => keys.receiveKey())).code).toBe('no-wallet');
    expect((await walletError(keys.create(null))).code).toBe('passphrase-required');
    expect((await walletError(keys.create('opensesame'))).code).toBe('weak-passphrase');
    expect(await db.get('wallets', 'main')).toBeUndefined();
    await keys.create(strong);
    expect(keys.exists && keys.hasPassphrase && !keys.locked).toBe(true);
    const phrase = await keys.backupPhrase(strong);
    const stored = await dump(db, 'main');
    expect(stored).toContain('"kind":"sealed"');
    // Any two words in a row (a space never occurs in base64 or hex): no part of the phrase is stored.
    const words = phrase.split(' ');
    for (let i = 1; i < words.length; i++) expect(stored).not.toContain(`${words[i - 1]} ${words[i]}`);
    expect((await walletError(keys.create(strong))).code).toBe('wallet-exists');
    // Removing the passphrase of a main wallet is refused: it would store the phrase in the clear.
    expect((await walletError(keys.setPassphrase(null, strong))).code).toBe('passphrase-required');
  });

  it('behavior: a test-network wallet without a passphrase keeps its phrase in the plain store, which sealing erases', async () => {
    const db = await walletDb();
    const plainStore = memoryPlainStore();
    const keys = await WalletKeys.open(db, regtestParams, { ...fast, plainStore });
    const phrase = await keys.backupPhrase();
    expect(plainStore.files.get('regtest')).toBe(phrase);
    expect(await dump(db, 'regtest')).toContain('"kind":"plain-file"');
    expect(await dump(db, 'regtest')).not.toContain(phrase.split(' ')[0]! + ' ' + phrase.split(' ')[1]!);
    // Another tab opens it unlocked from the store.
    const other = await WalletKeys.open(db, regtestParams, { ...fast, plainStore });
    expect(other.locked).toBe(false);
    expect(other.address()).toBe(keys.address());
    expect((await walletError(keys.setPassphrase('short'))).code).toBe('weak-passphrase');
    expect(plainStore.files.has('regtest')).toBe(true);
    await keys.setPassphrase(strong);
    expect(plainStore.files.has('regtest')).toBe(false);
    expect(await dump(db, 'regtest')).toContain('"kind":"sealed"');
    // The other tab learns it was sealed: its keys are dropped.
    await other.reload();
    expect(other.locked).toBe(true);
    // Removing the passphrase (test network) needs the current one, and puts the phrase back in the store.
    expect((await walletError(keys.setPassphrase(null))).code).toBe('wrong-passphrase');
    expect((await walletError(keys.setPassphrase(null, 'not the passphrase'))).code).toBe('wrong-passphrase');
    await keys.setPassphrase(null, strong);
    expect(plainStore.files.get('regtest')).toBe(phrase);
    expect(keys.hasPassphrase).toBe(false);
  });

  it('behavior: an earlier version\'s record with the phrase inside moves the phrase to the plain store at open', async () => {
    const db = await walletDb();
    const source = await WalletKeys.open(await walletDb(), regtestParams, fast);
    const phrase = await source.backupPhrase();
    const record = (await db.get('wallets', 'regtest')) ?? { network: 'regtest' as const, keys: [], createdAt: 1 };
    await db.put('wallets', { ...record, secret: { kind: 'plain', mnemonic: phrase }, keys: (await walletDbRecord(source)).keys, derivation: 2 }, 'regtest');
    const plainStore = memoryPlainStore();
    const keys = await WalletKeys.open(db, regtestParams, { ...fast, plainStore });
    expect(keys.locked).toBe(false);
    expect(plainStore.files.get('regtest')).toBe(phrase);
    expect(await dump(db, 'regtest')).toContain('"kind":"plain-file"');
    expect(await dump(db, 'regtest')).not.toContain(phrase.split(' ').slice(0, 2).join(' '));
    expect(keys.address()).toBe(source.address());
  });

  it('behavior: a tab that sees another wallet restored (sealed) by another tab drops its keys', async () => {
    const db = await walletDb();
    const a = await WalletKeys.open(db, mainParams, fast);
    await a.create(strong);
    const b = await WalletKeys.open(db, mainParams, fast);
    await b.unlock(strong);
    const other = await (await WalletKeys.open(await walletDb(), regtestParams, fast)).backupPhrase();
    await a.restore(other, { replace: true, passphrase: strong, keys: 2 });
    await b.reload();
    expect(b.locked).toBe(true);
    await b.unlock(strong);
    expect(await b.backupPhrase(strong)).toBe(other);
    expect(b.address()).toBe(a.address());
  });

  it('behavior: changing the passphrase needs the current one; lock zeroes the seed', async () => {
    const keys = await WalletKeys.open(await walletDb(), mainParams, fast);
    await keys.create(strong);
    expect((await walletError(keys.setPassphrase('another fine passphrase', 'wrong one here'))).code).toBe('wrong-passphrase');
    await keys.setPassphrase('another fine passphrase', strong);
    const seed = (keys as unknown as { seed: Uint8Array }).seed;
    keys.lock();
    expect(keys.locked).toBe(true);
    expect(seed.every((b) => b === 0)).toBe(true);
    expect((await walletError(keys.unlock(strong))).code).toBe('wrong-passphrase');
    await keys.unlock('another fine passphrase');
    expect(keys.locked).toBe(false);
  });

  it('behavior: lock tells the lock handlers (other tabs), a lock from elsewhere does not echo', async () => {
    const keys = await WalletKeys.open(await walletDb(), mainParams, fast);
    await keys.create(strong);
    let told = 0;
    keys.onLock(() => told++);
    keys.lock();
    expect(told).toBe(1);
    await keys.unlock(strong);
    keys.lock({ fromElsewhere: true });
    expect(keys.locked).toBe(true);
    expect(told).toBe(1);
  });

  it('behavior: a box sealed with fewer rounds than the default is sealed again on unlock', async () => {
    const db = await walletDb();
    const old = await WalletKeys.open(db, mainParams, { iterations: 1000 });
    await old.create(strong);
    const address = old.address();
    const keys = await WalletKeys.open(db, mainParams, { iterations: 2000 });
    expect(keys.locked).toBe(true);
    await keys.unlock(strong);
    const record = (await db.get('wallets', 'main')) as StoredWallet;
    expect(record.secret.kind === 'sealed' && record.secret.box.iterations).toBe(2000);
    const again = await WalletKeys.open(db, mainParams, { iterations: 2000 });
    await again.unlock(strong);
    expect(again.address()).toBe(address);
  });

  it('behavior: restoring or importing on main seals the phrase (the file passphrase by default)', async () => {
    const source = await WalletKeys.open(await walletDb(), regtestParams, fast);
    const phrase = await source.backupPhrase();
    const db = await walletDb();
    const keys = await WalletKeys.open(db, mainParams, fast);
    expect((await walletError(keys.restore(phrase))).code).toBe('passphrase-required');
    expect((await walletError(keys.restore(phrase, { passphrase: 'abc' }))).code).toBe('weak-passphrase');
    expect(keys.exists).toBe(false);
    await keys.restore(phrase, { passphrase: strong, keys: 3 });
    expect(keys.addresses()).toHaveLength(3);
    expect(await dump(db, 'main')).not.toContain(phrase.split(' ').slice(0, 2).join(' '));
    const tooManyKeys = await keys.restore(phrase, { keys: 1001, passphrase: strong }).then(() => null, (error: unknown) => error);
    expect(TabchainError.is(tooManyKeys, 'InputError')).toBe(true);
    expect(tooManyKeys).toMatchObject({ code: 'invalid-input', field: 'keys' });

    // A main backup imported into a fresh main profile: sealed under the file's passphrase.
    const backup = JSON.parse(JSON.stringify(await keys.exportBackup('file passphrase 7'))) as WalletBackup;
    const freshDb = await walletDb();
    const fresh = await WalletKeys.open(freshDb, mainParams, fast);
    await fresh.importBackup(backup, 'file passphrase 7');
    expect(fresh.hasPassphrase).toBe(true);
    expect(fresh.addresses()).toEqual(keys.addresses());
    fresh.lock();
    await fresh.unlock('file passphrase 7');
  });
});

describe('backup file', () => {
  async function exported() {
    const keys = await WalletKeys.open(await walletDb(), regtestParams, fast);
    await keys.newAddress();
    await keys.newAddress();
    return { keys, backup: JSON.parse(JSON.stringify(await keys.exportBackup('file passphrase 7'))) as WalletBackup };
  }

  it('behavior: version 2, every field authenticated: a changed field fails like a wrong passphrase and changes nothing', async () => {
    const { backup } = await exported();
    expect(backup).toMatchObject({ kind: 'tabchain-wallet-backup', version: 2, network: 'regtest', keys: 3 });
    const fresh = await WalletKeys.open(await walletDb(), regtestParams, fast);
    const before = fresh.addresses();
    const tampered: WalletBackup[] = [
      { ...backup, keys: 4 },
      { ...backup, keys: 1 },
      { ...backup, box: { ...backup.box, iterations: backup.box.iterations + 1 } },
      { ...backup, box: { ...backup.box, salt: btoa('x'.repeat(16)) } },
    ];
    for (const t of tampered) {
      expect((await walletError(fresh.importBackup(t, 'file passphrase 7', { replace: true }))).code, JSON.stringify(t)).toBe('wrong-passphrase');
      expect(fresh.addresses()).toEqual(before);
    }
    // The network is checked before anything is decrypted, and a backup of another network is refused.
    expect((await walletError(fresh.importBackup({ ...backup, network: 'main' }, 'file passphrase 7', { replace: true }))).code).toBe('wrong-network');
  });

  it('error: absurd or malformed fields are bad-backup and change nothing', async () => {
    const { backup } = await exported();
    const fresh = await WalletKeys.open(await walletDb(), regtestParams, fast);
    const before = fresh.addresses();
    const absurd: unknown[] = [
      null,
      'text',
      { ...backup, kind: 'other' },
      { ...backup, version: 3 },
      { ...backup, keys: 2000 },
      { ...backup, keys: 0 },
      { ...backup, keys: Number.NaN },
      { ...backup, keys: 2.5 },
      { ...backup, keys: '3' },
      { ...backup, network: 'simnet' },
      { ...backup, network: 7 },
      { ...backup, box: null },
      { ...backup, box: { ...backup.box, iterations: 1e12 } },
    ];
    for (const a of absurd) {
      expect((await walletError(fresh.importBackup(a as WalletBackup, 'file passphrase 7', { replace: true }))).code, JSON.stringify(a)).toBe('bad-backup');
      expect(fresh.addresses()).toEqual(before);
    }
  });

  it('behavior: an old version 1 file (no version, fields outside the tag) is read with its fields bounded', async () => {
    const { keys } = await exported();
    const phrase = await keys.backupPhrase();
    const v1 = { kind: 'tabchain-wallet-backup', network: 'regtest', keys: 3, box: await sealWithPassphrase(new TextEncoder().encode(phrase), 'old', fast) };
    const fresh = await WalletKeys.open(await walletDb(), regtestParams, fast);
    expect((await walletError(fresh.importBackup({ ...v1, keys: 5000 } as never, 'old', { replace: true }))).code).toBe('bad-backup');
    await fresh.importBackup(v1 as never, 'old', { replace: true });
    expect(fresh.addresses()).toEqual(keys.addresses());
  });

  it('error: exporting under a weak passphrase is weak-passphrase', async () => {
    const { keys } = await exported();
    expect((await walletError(keys.exportBackup('pw'))).code).toBe('weak-passphrase');
  });
});

describe('opening with a passphrase (the headless node)', () => {
  it('behavior: creates a sealed wallet, unlocks it next time, seals an unencrypted one and erases its plain copy', async () => {
    const db = await walletDb();
    const created = await WalletKeys.open(db, mainParams, { ...fast, passphrase: strong });
    expect(created.hasPassphrase && !created.locked).toBe(true);
    const reopened = await WalletKeys.open(db, mainParams, { ...fast, passphrase: strong });
    expect(reopened.locked).toBe(false);
    expect(reopened.address()).toBe(created.address());
    await expect(WalletKeys.open(db, mainParams, { ...fast, passphrase: 'the wrong passphrase' })).rejects.toMatchObject({ code: 'wrong-passphrase' });

    const testDb = await walletDb();
    const plainStore = memoryPlainStore();
    await WalletKeys.open(testDb, regtestParams, { ...fast, plainStore });
    expect(plainStore.files.has('regtest')).toBe(true);
    const sealed = await WalletKeys.open(testDb, regtestParams, { ...fast, plainStore, passphrase: strong });
    expect(sealed.hasPassphrase).toBe(true);
    expect(plainStore.files.has('regtest')).toBe(false);
  });

  it('behavior: allowPlain lets main keep an unencrypted wallet (--insecure-plain-wallet)', async () => {
    const plainStore = memoryPlainStore();
    const keys = await WalletKeys.open(await walletDb(), mainParams, { ...fast, plainStore, allowPlain: true });
    expect(keys.exists && !keys.hasPassphrase).toBe(true);
    expect(plainStore.files.has('main')).toBe(true);
  });
});
