/**
 * @module The user's keys: a BIP39 recovery phrase from which every key is derived, kept in the
 * shared wallet database, optionally sealed under a passphrase. Public keys are stored in the
 * clear so a locked wallet still shows its addresses and balance; signing needs it unlocked.
 */
import {
  WalletError,
  bytesToHex,
  deriveKey,
  encodeAddress,
  generateMnemonic,
  hexToBytes,
  mnemonicToSeed,
  validateMnemonic,
  type NetworkName,
  type NetworkParams,
} from '../core/index.ts';
import type { StoredWallet, StoredWalletKey } from '../adapters/idb/wallet-database.ts';
import { openWithPassphrase, sealWithPassphrase, type SealedBox } from '../adapters/wallet/passphrase-box.ts';

/**
 * Where the wallet record (one per network) is kept: the browser's wallet database, or the
 * headless node's LevelDB. The shape is IndexedDB's (`get(store, key)`, `put(store, value, key)`)
 * so the idb database is one as it is.
 */
export interface WalletRecordStore {
  get(store: 'wallets', network: NetworkName): Promise<StoredWallet | undefined>;
  put(store: 'wallets', record: StoredWallet, network: NetworkName): Promise<unknown>;
}

/** Receive keys derived at once on restore, so funds sent to any of them are found after sync. */
export const RESTORE_KEYS = 20;

/** An encrypted backup file's content. */
export interface WalletBackup {
  readonly kind: 'tabchain-wallet-backup';
  readonly network: string;
  readonly keys: number;
  readonly box: SealedBox;
}

export class WalletKeys {
  private seed: Uint8Array | undefined;
  private mnemonic: string | undefined;
  private readonly changeHandlers: (() => void)[] = [];

  private constructor(
    private readonly db: WalletRecordStore,
    private readonly params: NetworkParams,
    private record: StoredWallet,
    private readonly iterations: number | undefined,
  ) {
    if (record.secret.kind === 'plain') this.unlockWith(record.secret.mnemonic);
  }

  /** Opens this network's wallet, creating one with a fresh recovery phrase when there is none. */
  static async open(db: WalletRecordStore, params: NetworkParams, options: { now?: number; iterations?: number } = {}): Promise<WalletKeys> {
    let record = await db.get('wallets', params.name);
    if (!record) {
      const mnemonic = generateMnemonic();
      record = { network: params.name, secret: { kind: 'plain', mnemonic }, keys: [], createdAt: options.now ?? 0 };
      const wallet = new WalletKeys(db, params, record, options.iterations);
      await wallet.deriveAndSave(1, false);
      return wallet;
    }
    return new WalletKeys(db, params, record, options.iterations);
  }

  /** Reads the record again (another tab may have added keys or set a passphrase). */
  async reload(): Promise<void> {
    const record = await this.db.get('wallets', this.params.name);
    if (!record) return;
    this.record = record;
    if (record.secret.kind === 'plain') this.unlockWith(record.secret.mnemonic);
  }

  private unlockWith(mnemonic: string): void {
    this.mnemonic = mnemonic;
    this.seed = mnemonicToSeed(mnemonic);
  }

  get hasPassphrase(): boolean {
    return this.record.secret.kind === 'sealed';
  }

  get locked(): boolean {
    return this.seed === undefined;
  }

  /** Every key, receive and change. */
  publicKeys(): Uint8Array[] {
    return this.record.keys.map((k) => hexToBytes(k.publicKey));
  }

  /** Receive addresses, oldest first. */
  addresses(): string[] {
    return this.record.keys.filter((k) => !k.change).map((k) => encodeAddress(hexToBytes(k.publicKey), this.params.addressPrefix));
  }

  private receiveKeys(): StoredWalletKey[] {
    return this.record.keys.filter((k) => !k.change);
  }

  private currentKey(): StoredWalletKey {
    const receive = this.receiveKeys();
    return receive.find((k) => k.index === this.record.current) ?? receive[receive.length - 1]!;
  }

  /** The current receive address. */
  address(): string {
    return encodeAddress(hexToBytes(this.currentKey().publicKey), this.params.addressPrefix);
  }

  /** The key of the current receive address (what this tab's coinbases pay). */
  receiveKey(): Uint8Array {
    return hexToBytes(this.currentKey().publicKey);
  }

  /**
   * A new receive address: the next one already derived ahead (after a restore), else a newly
   * derived one (which needs the wallet unlocked).
   */
  async newAddress(): Promise<string> {
    const current = this.currentKey();
    const ahead = this.receiveKeys().find((k) => k.index > current.index);
    if (ahead) {
      await this.save({ ...this.record, current: ahead.index });
      return encodeAddress(hexToBytes(ahead.publicKey), this.params.addressPrefix);
    }
    const [key] = await this.deriveAndSave(1, false);
    await this.save({ ...this.record, current: key!.index });
    return encodeAddress(hexToBytes(key!.publicKey), this.params.addressPrefix);
  }

  /**
   * Moves the current receive key past keys the chain shows as used (`used`: public keys, hex),
   * within the keys already derived, so a restored wallet does not hand out a used address.
   */
  async skipUsed(used: ReadonlySet<string>): Promise<void> {
    const receive = this.receiveKeys();
    let current = this.currentKey();
    if (!used.has(current.publicKey)) return;
    for (const key of receive) {
      if (key.index > current.index && !used.has(key.publicKey)) {
        current = key;
        break;
      }
    }
    if (current.index !== this.currentKey().index) await this.save({ ...this.record, current: current.index });
  }

  /** The key the next derivation would give, not stored yet (a payment's change key). */
  peekNextKey(): Uint8Array {
    const { publicKey, secretKey } = deriveKey(this.requireSeed(), this.params.name, this.record.keys.length);
    secretKey.fill(0);
    return publicKey;
  }

  /** Stores the key {@link peekNextKey} gave as a change key (before a tx paying it goes out). */
  async adoptChangeKey(publicKey: Uint8Array): Promise<void> {
    const [key] = await this.deriveAndSave(1, true);
    if (key!.publicKey !== bytesToHex(publicKey)) throw new Error('the wallet gained keys meanwhile; the change key no longer matches');
  }

  private async deriveAndSave(count: number, change: boolean): Promise<StoredWalletKey[]> {
    const seed = this.requireSeed();
    const next = this.record.keys.length;
    const added: StoredWalletKey[] = [];
    for (let i = 0; i < count; i++) {
      const { publicKey, secretKey } = deriveKey(seed, this.params.name, next + i);
      secretKey.fill(0);
      added.push({ index: next + i, publicKey: bytesToHex(publicKey), change });
    }
    await this.save({ ...this.record, keys: [...this.record.keys, ...added] });
    return added;
  }

  private async save(record: StoredWallet): Promise<void> {
    await this.db.put('wallets', record, this.params.name);
    this.record = record;
    for (const handler of this.changeHandlers) handler();
  }

  /** Called after this tab changed the stored wallet (so other tabs can be told). */
  onChange(handler: () => void): void {
    this.changeHandlers.push(handler);
  }

  private requireSeed(): Uint8Array {
    if (!this.seed) throw new WalletError('locked', 'the wallet is locked: unlock it with its passphrase first');
    return this.seed;
  }

  /** The secret key of one of the wallet's keys. */
  secretKeyFor(publicKey: Uint8Array): Uint8Array {
    const seed = this.requireSeed();
    const hex = bytesToHex(publicKey);
    const key = this.record.keys.find((k) => k.publicKey === hex);
    if (!key) throw new WalletError('bad-address', 'that key does not belong to this wallet');
    return deriveKey(seed, this.params.name, key.index).secretKey;
  }

  /** Opens a passphrase-locked wallet. A wrong passphrase changes nothing. */
  async unlock(passphrase: string): Promise<void> {
    if (this.record.secret.kind !== 'sealed') return;
    const bytes = await openWithPassphrase(this.record.secret.box, passphrase);
    this.unlockWith(new TextDecoder().decode(bytes));
  }

  /** Forgets the keys in this tab until the next unlock. Only a wallet with a passphrase can lock. */
  lock(): void {
    if (!this.hasPassphrase) throw new WalletError('no-passphrase', 'set a passphrase before locking the wallet');
    this.seed = undefined;
    this.mnemonic = undefined;
  }

  /**
   * Seals the recovery phrase under a new passphrase (or, with `null`, stores it in the clear
   * again). Needs the wallet unlocked.
   */
  async setPassphrase(passphrase: string | null): Promise<void> {
    this.requireSeed();
    const mnemonic = this.mnemonic!;
    if (passphrase === null) {
      await this.save({ ...this.record, secret: { kind: 'plain', mnemonic } });
      return;
    }
    if (passphrase.length < 1) throw new WalletError('wrong-passphrase', 'the passphrase must not be empty');
    const box = await sealWithPassphrase(new TextEncoder().encode(mnemonic), passphrase, this.sealOptions());
    await this.save({ ...this.record, secret: { kind: 'sealed', box } });
  }

  private sealOptions(): { iterations?: number } {
    return this.iterations === undefined ? {} : { iterations: this.iterations };
  }

  /** The recovery phrase (write it down). Needs the wallet unlocked. */
  backupPhrase(): string {
    this.requireSeed();
    return this.mnemonic!;
  }

  /** An encrypted backup file: the phrase and how many keys to derive, sealed under `passphrase`. */
  async exportBackup(passphrase: string): Promise<WalletBackup> {
    this.requireSeed();
    const box = await sealWithPassphrase(new TextEncoder().encode(this.mnemonic!), passphrase, this.sealOptions());
    return { kind: 'tabchain-wallet-backup', network: this.params.name, keys: this.record.keys.length, box };
  }

  /**
   * Replaces this wallet with one restored from a recovery phrase, deriving `keys` keys. Refuses
   * to overwrite a different wallet unless `replace` is true (its funds would be lost without its
   * phrase).
   */
  async restore(mnemonic: string, options: { keys?: number; replace?: boolean } = {}): Promise<void> {
    if (!validateMnemonic(mnemonic)) throw new WalletError('bad-mnemonic', 'not a valid recovery phrase: check the words and their order');
    const seed = mnemonicToSeed(mnemonic);
    const same = this.record.keys[0]?.publicKey === bytesToHex(deriveKey(seed, this.params.name, 0).publicKey);
    if (!same && !options.replace) {
      throw new WalletError('wallet-exists', 'this browser already has a different wallet: back it up, then restore with replace: true');
    }
    const count = Math.max(options.keys ?? RESTORE_KEYS, same ? this.record.keys.length : 1);
    const keys: StoredWalletKey[] = [];
    for (let i = 0; i < count; i++) {
      const { publicKey, secretKey } = deriveKey(seed, this.params.name, i);
      secretKey.fill(0);
      keys.push({ index: i, publicKey: bytesToHex(publicKey), change: false });
    }
    const normalized = mnemonic.normalize('NFKD').trim().toLowerCase().split(/\s+/).join(' ');
    // The same wallet keeps its current address; another one starts at its first key.
    const current = same ? this.currentKey().index : 0;
    await this.save({ network: this.params.name, secret: { kind: 'plain', mnemonic: normalized }, keys, createdAt: this.record.createdAt, current });
    this.unlockWith(normalized);
  }

  /** Restores from an encrypted backup file. */
  async importBackup(backup: WalletBackup, passphrase: string, options: { replace?: boolean } = {}): Promise<void> {
    if (backup?.kind !== 'tabchain-wallet-backup' || typeof backup.keys !== 'number') throw new WalletError('bad-backup', 'not a tabchain wallet backup');
    if (backup.network !== this.params.name) throw new WalletError('wrong-network', `this backup is for the ${backup.network} network`);
    const phrase = new TextDecoder().decode(await openWithPassphrase(backup.box, passphrase));
    await this.restore(phrase, { keys: backup.keys, ...options });
  }
}
