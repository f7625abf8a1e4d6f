/**
 * The headless node's wallet at rest (issue 12, part 1): after each wallet operation (create, set
 * a passphrase, restore, import a backup, lock) every file under the data folder is scanned for
 * the recovery phrase and its seed. An unencrypted wallet (test network, or main with
 * --insecure-plain-wallet) is the scan's positive control: its phrase file is found.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../signaling-server/server.ts';
import { bytesToHex, deriveKey, generateMnemonic, mnemonicToSeed, type NetworkName } from '../core/index.ts';
import type { StoredWallet } from '../adapters/wallet/stored-wallet.ts';
import { LevelWalletRecords } from '../adapters/level/level-small-stores.ts';
import { openNodeDatabase } from '../adapters/level/node-database.ts';
import { createTabchainApi } from '../app/tabchain-api.ts';
import { parseNodeArgs, readPassphraseFile, runNode, startFailureMessage } from './run-node.ts';
import { startHeadlessNode, WalletPassphraseRequired, type HeadlessNode } from './start-headless-node.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const PASSPHRASE = 'correct horse battery staple';

let server: RunningServer | undefined;
async function signalUrl(): Promise<string> {
  if (!server) {
    const started = await startServer({ port: 0, host: '127.0.0.1', signaling: { logger: null, allowMissingOrigin: true } });
    server = started;
    cleanup.push(async () => {
      await started.close();
      server = undefined;
    });
  }
  return server.signalUrl;
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tabchain-wallet-at-rest-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(network: NetworkName, dir: string, extra: { passphrase?: string; insecurePlainWallet?: boolean } = {}): Promise<HeadlessNode> {
  return startHeadlessNode({ network, dataDir: dir, signalingUrl: await signalUrl(), workers: 1, maxPeers: 0, ...extra });
}

/** Files under `dir` holding the phrase (its words in order, or its first three) or its seed (hex or raw). */
function filesHolding(dir: string, phrase: string): string[] {
  const seed = mnemonicToSeed(phrase);
  const needles = [Buffer.from(phrase), Buffer.from(phrase.split(' ').slice(0, 3).join(' ')), Buffer.from(bytesToHex(seed)), Buffer.from(seed)];
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (needles.some((n) => readFileSync(path).includes(n))) hits.push(path);
    }
  };
  walk(dir);
  return hits;
}

describe('headless wallet at rest', () => {
  it('behavior: main refuses to create an unencrypted wallet; with a passphrase nothing clear is ever on disk', async () => {
    const dir = dataDir();
    await expect(start('main', dir)).rejects.toBeInstanceOf(WalletPassphraseRequired);

    let node = await start('main', dir, { passphrase: PASSPHRASE });
    let api = createTabchainApi('main', Promise.resolve(node.services));
    const phrase = await api.wallet.backupPhrase(PASSPHRASE);
    expect(await api.wallet.hasPassphrase()).toBe(true);
    const address = await api.wallet.newAddress();
    await node.close();
    expect(filesHolding(dir, phrase)).toEqual([]);

    // Without the passphrase an existing sealed wallet starts locked; a wrong one refuses to start.
    node = await start('main', dir);
    api = createTabchainApi('main', Promise.resolve(node.services));
    expect(await api.wallet.locked()).toBe(true);
    expect(await api.wallet.address()).toBe(address);
    await api.wallet.unlock(PASSPHRASE);
    await api.wallet.lock();
    await node.close();
    await expect(start('main', dir, { passphrase: 'not the passphrase at all' })).rejects.toMatchObject({ code: 'wrong-passphrase' });
    expect(filesHolding(dir, phrase)).toEqual([]);

    // Restore (another phrase) and import a backup of it: still nothing clear.
    node = await start('main', dir, { passphrase: PASSPHRASE });
    api = createTabchainApi('main', Promise.resolve(node.services));
    const other = generateMnemonic();
    await api.wallet.restore(other, { replace: true, passphrase: PASSPHRASE, keys: 3 });
    const backup = await api.wallet.exportBackup('paper in a drawer');
    await node.close();
    expect(filesHolding(dir, other)).toEqual([]);

    const second = dataDir();
    node = await start('main', second, { passphrase: 'a second long passphrase' });
    api = createTabchainApi('main', Promise.resolve(node.services));
    await api.wallet.importBackup(backup, 'paper in a drawer', { replace: true, passphrase: 'a second long passphrase' });
    expect(await api.wallet.backupPhrase('a second long passphrase')).toBe(other);
    await node.close();
    expect(filesHolding(second, other)).toEqual([]);
  }, 60_000);

  it('behavior: an unencrypted test wallet is in its own file (found by the scan), and setting a passphrase deletes it', async () => {
    const dir = dataDir();
    let node = await start('regtest', dir);
    let api = createTabchainApi('regtest', Promise.resolve(node.services));
    const phrase = await api.wallet.backupPhrase();
    await node.close();
    // The positive control: the scan finds the clear phrase, in its file only (never in LevelDB).
    expect(filesHolding(dir, phrase)).toEqual([join(dir, 'regtest', 'wallet-regtest.phrase')]);

    node = await start('regtest', dir, { passphrase: PASSPHRASE });
    api = createTabchainApi('regtest', Promise.resolve(node.services));
    expect(await api.wallet.hasPassphrase()).toBe(true);
    expect(await api.wallet.backupPhrase(PASSPHRASE)).toBe(phrase);
    await api.wallet.lock();
    await node.close();
    expect(filesHolding(dir, phrase)).toEqual([]);
  }, 60_000);

  it('behavior: a phrase an earlier version wrote in the clear into LevelDB is gone from the files once sealed', async () => {
    const dir = dataDir();
    const phrase = generateMnemonic();
    // What versions before issue 12 wrote: the phrase inside the LevelDB record.
    mkdirSync(join(dir, 'regtest'), { recursive: true });
    const db = await openNodeDatabase(join(dir, 'regtest'));
    const seed = mnemonicToSeed(phrase);
    const key = { index: 0, publicKey: bytesToHex(deriveKey(seed, 'regtest', 0, 'legacy-bitcoin').publicKey), change: false };
    await new LevelWalletRecords<StoredWallet>(db).put('wallets', { network: 'regtest', secret: { kind: 'plain', mnemonic: phrase }, keys: [key], createdAt: 1 }, 'regtest');
    await db.close();
    expect(filesHolding(dir, phrase).length).toBeGreaterThan(0);

    const node = await start('regtest', dir, { passphrase: PASSPHRASE });
    const api = createTabchainApi('regtest', Promise.resolve(node.services));
    expect(await api.wallet.backupPhrase(PASSPHRASE)).toBe(phrase);
    await node.close();
    expect(filesHolding(dir, phrase)).toEqual([]);
  }, 60_000);

  it('behavior: --insecure-plain-wallet lets main keep an unencrypted wallet, in its own file', async () => {
    const dir = dataDir();
    const node = await start('main', dir, { insecurePlainWallet: true });
    const phrase = await createTabchainApi('main', Promise.resolve(node.services)).wallet.backupPhrase();
    await node.close();
    expect(filesHolding(dir, phrase)).toEqual([join(dir, 'main', 'wallet-main.phrase')]);
  }, 60_000);

  it('behavior: runNode on main: no passphrase file refuses to start with a clear message; with one the wallet is sealed', async () => {
    const dir = dataDir();
    const options = { network: 'main' as const, port: 0, host: '127.0.0.1', signal: [], dataDir: join(dir, 'node'), mine: false, workers: 1, maxPeers: 0, origins: [], verbose: false };
    const refused = await runNode(options).then(
      () => 'started',
      (e: unknown) => startFailureMessage(e, options),
    );
    expect(refused).toMatch(/--passphrase-file FILE .*--insecure-plain-wallet/);
    const file = join(dir, 'pass');
    writeFileSync(file, `${PASSPHRASE}\n`, { mode: 0o600 });
    const running = await runNode({ ...options, passphraseFile: file });
    try {
      expect(await running.api.wallet.hasPassphrase()).toBe(true);
      expect(await running.api.wallet.locked()).toBe(false);
      expect((await running.api.wallet.backupPhrase(PASSPHRASE)).split(' ')).toHaveLength(12);
    } finally {
      await running.close();
    }
  }, 60_000);

  it('behavior: --passphrase-file and TABCHAIN_PASSPHRASE_FILE; one trailing newline is not part of the passphrase', () => {
    const parsed = parseNodeArgs(['--passphrase-file', '/x/pass'], {}, '/home/u');
    expect(!parsed.help && parsed.options.passphraseFile).toBe('/x/pass');
    const fromEnv = parseNodeArgs([], { TABCHAIN_PASSPHRASE_FILE: '/y/pass' }, '/home/u');
    expect(!fromEnv.help && fromEnv.options.passphraseFile).toBe('/y/pass');
    const insecure = parseNodeArgs(['--insecure-plain-wallet'], {}, '/home/u');
    expect(!insecure.help && insecure.options.insecurePlainWallet).toBe(true);
    expect(() => parseNodeArgs(['--passphrase-file', '/x', '--insecure-plain-wallet'], {}, '/home/u')).toThrow(/contradict/);
    expect(() => parseNodeArgs(['--passphrase-file', ''], {}, '/home/u')).toThrow(/empty/);

    const dir = dataDir();
    const file = join(dir, 'pass');
    writeFileSync(file, `${PASSPHRASE}\n`, { mode: 0o600 });
    const warnings: string[] = [];
    expect(readPassphraseFile(file, (l) => warnings.push(l))).toBe(PASSPHRASE);
    expect(warnings).toEqual([]);
    writeFileSync(join(dir, 'open'), 'two lines\n\n', { mode: 0o644 });
    expect(readPassphraseFile(join(dir, 'open'), (l) => warnings.push(l))).toBe('two lines\n');
    if (process.platform !== 'win32') expect(warnings.join()).toMatch(/chmod 600/);
    writeFileSync(join(dir, 'empty'), '\n');
    expect(() => readPassphraseFile(join(dir, 'empty'), () => undefined)).toThrow(/empty/);
    expect(() => readPassphraseFile(join(dir, 'missing'), () => undefined)).toThrow(/cannot read/);
  });
});
