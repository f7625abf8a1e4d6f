/**
 * @module The user's keys: a BIP39 recovery phrase from which every key is derived, kept in the
 * shared wallet database, sealed under a passphrase. Public keys are stored in the clear so a
 * locked wallet still shows its addresses and balance; signing needs it unlocked.
 *
 * Where the phrase may be in the clear, and how it is sealed: wallet-secret.ts. Which keys the
 * record lists and how new ones are derived: wallet-key-list.ts. What a restore writes:
 * wallet-restore.ts. The backup file: wallet-backup.ts.
 */
import { WalletError, bytesToHex, deriveKey, encodeAddress, generateMnemonic, hexToBytes, mnemonicToSeed, type NetworkParams } from '../core/index.ts';
import type { StoredWallet, StoredWalletKey } from '../adapters/wallet/stored-wallet.ts';
import type { PlainPhraseStore } from '../adapters/wallet/plain-phrase-store.ts';
import type { WalletRecordStore } from '../adapters/wallet/wallet-record-store.ts';
import { MAX_BACKUP_KEYS, openBackup, sealBackup, type WalletBackup } from './wallet-backup.ts';
import { currentKey, deriveKeys, firstUnusedKey, movedToTabchainPath, nextIndex, receiveKeys } from './wallet-key-list.ts';
import { checkRestoreInput, normalizePhrase, restoredRecord } from './wallet-restore.ts';
import { keepPhrase, openSealedPhrase, plainWalletAllowed, readPlainPhrase, requirePassphraseChoice, requireStrongPassphrase, resealDue, sealPhrase, type PhraseKeeping } from './wallet-secret.ts';

export type { WalletBackup } from './wallet-backup.ts';
export type { WalletRecordStore };

export { RESTORE_KEYS } from './wallet-restore.ts';

export type { PlainPhraseStore };

export interface WalletKeysOptions {
  now?: number;
  /** PBKDF2 rounds for new boxes: for tests only (default DEFAULT_ITERATIONS). */
  iterations?: number;
  /** Where a test-network wallet's phrase goes when it has no passphrase. */
  plainStore?: PlainPhraseStore;
  /** Overrides {@link plainWalletAllowed} (the headless node's `--insecure-plain-wallet`). */
  allowPlain?: boolean;
  /**
   * When there is no wallet yet, create one sealed under this passphrase (instead of an
   * unencrypted one, or none on main); an existing sealed wallet is unlocked with it, an
   * unencrypted one sealed under it. The headless node's `--passphrase-file`.
   */
  passphrase?: string;
}

export class WalletKeys {
  private seed: Uint8Array | undefined;
  private mnemonic: string | undefined;
  private readonly changeHandlers: (() => void)[] = [];
  private readonly lockHandlers: (() => void)[] = [];

  private constructor(
    private readonly db: WalletRecordStore,
    private readonly params: NetworkParams,
    /** Undefined while this network has no wallet yet (main, before create or restore). */
    private record: StoredWallet | undefined,
    private readonly options: WalletKeysOptions,
  ) {}

  /**
   * Opens this network's wallet. When there is none: on a network that allows unencrypted
   * wallets (test), creates one with a fresh recovery phrase; on main, opens with no wallet
   * ({@link exists} false) until {@link create}, {@link restore} or {@link importBackup}.
   */
  static async open(db: WalletRecordStore, params: NetworkParams, options: WalletKeysOptions = {}): Promise<WalletKeys> {
    const record = await db.get('wallets', params.name);
    const wallet = new WalletKeys(db, params, record, options);
    if (options.passphrase !== undefined) {
      if (!record) await wallet.create(options.passphrase);
      else if (record.secret.kind === 'sealed') await wallet.unlock(options.passphrase);
      else {
        await wallet.openPlain();
        if (!wallet.locked) await wallet.setPassphrase(options.passphrase);
      }
    } else if (!record && wallet.plainAllowed()) await wallet.create(null);
    else await wallet.openPlain();
    return wallet;
  }

  /** Reads the record again (another tab may have added keys or set a passphrase). */
  async reload(): Promise<void> {
    const record = await this.db.get('wallets', this.params.name);
    if (!record) return;
    const before = this.record?.secret;
    this.record = record;
    // Another tab sealed the phrase, changed its passphrase or put another wallet in: the keys
    // held here may no longer be the wallet's, so they are dropped (an unencrypted phrase is read
    // again at once; a sealed one waits for the passphrase).
    if (JSON.stringify(before) !== JSON.stringify(record.secret)) this.forget();
    await this.openPlain();
  }

  private plainAllowed(): boolean {
    return this.options.allowPlain ?? plainWalletAllowed(this.params.name);
  }

  /** Where and how this network's phrase may be kept (wallet-secret.ts). */
  private keeping(): PhraseKeeping {
    return { network: this.params.name, allowPlain: this.plainAllowed(), plainStore: this.options.plainStore, iterations: this.options.iterations };
  }

  /** Unlocks an unencrypted wallet at once (it has nothing to unlock with). */
  private async openPlain(): Promise<void> {
    const { phrase, moved } = await readPlainPhrase(this.record?.secret, this.keeping());
    if (phrase !== undefined) this.unlockWith(phrase);
    if (moved) {
      // An earlier version's phrase in the record itself, now in its own file.
      await this.save({ ...this.record!, secret: moved });
      await this.db.purgeOldVersions?.();
    }
    await this.migrateDerivation();
  }

  private unlockWith(mnemonic: string): void {
    this.seed?.fill(0);
    this.mnemonic = mnemonic;
    this.seed = mnemonicToSeed(mnemonic);
  }

  /** Drops the phrase and zeroes the seed (a JS string cannot be zeroed: it is only dropped). */
  private forget(): void {
    this.seed?.fill(0);
    this.seed = undefined;
    this.mnemonic = undefined;
  }

  /** This network has a wallet (false on main until one is created or restored). */
  get exists(): boolean {
    return this.record !== undefined;
  }

  get hasPassphrase(): boolean {
    return this.record?.secret.kind === 'sealed';
  }

  get locked(): boolean {
    return this.seed === undefined;
  }

  private requireRecord(): StoredWallet {
    if (!this.record) throw new WalletError('no-wallet', `there is no wallet on the ${this.params.name} network yet: create or restore one (with a passphrase)`);
    return this.record;
  }

  /** Every key, receive and change. */
  publicKeys(): Uint8Array[] {
    return (this.record?.keys ?? []).map((k) => hexToBytes(k.publicKey));
  }

  /** Receive addresses, oldest first. */
  addresses(): string[] {
    return this.receiveKeys().map((k) => encodeAddress(hexToBytes(k.publicKey), this.params.addressPrefix));
  }

  private receiveKeys(): StoredWalletKey[] {
    return receiveKeys(this.record);
  }

  private nextIndex(): number {
    return nextIndex(this.requireRecord());
  }

  /** A wallet from before issue 12, once its seed is known, moves to tabchain's path (wallet-key-list.ts). */
  private async migrateDerivation(): Promise<void> {
    const moved = this.record && this.seed ? movedToTabchainPath(this.record, this.seed, this.params.name) : null;
    if (moved) await this.save(moved);
  }

  private currentKey(): StoredWalletKey {
    return currentKey(this.requireRecord());
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
      await this.save({ ...this.requireRecord(), current: ahead.index });
      return encodeAddress(hexToBytes(ahead.publicKey), this.params.addressPrefix);
    }
    const [key] = await this.deriveAndSave(1, false);
    await this.save({ ...this.requireRecord(), current: key!.index });
    return encodeAddress(hexToBytes(key!.publicKey), this.params.addressPrefix);
  }

  /**
   * Moves the current receive key past keys the chain shows as used (`used`: public keys, hex),
   * within the keys already derived, so a restored wallet does not hand out a used address.
   */
  async skipUsed(used: ReadonlySet<string>): Promise<void> {
    if (!this.record) return;
    const next = firstUnusedKey(this.record, used);
    if (next.index !== this.currentKey().index) await this.save({ ...this.record, current: next.index });
  }

  /** The key the next derivation would give, not stored yet (a payment's change key). */
  peekNextKey(): Uint8Array {
    const { publicKey, secretKey } = deriveKey(this.requireSeed(), this.params.name, this.nextIndex());
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
    const record = this.requireRecord();
    const next = this.nextIndex();
    const added = deriveKeys(seed, this.params.name, next, count, change);
    await this.save({ ...record, keys: [...record.keys, ...added] });
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
    this.requireRecord();
    if (!this.seed) throw new WalletError('locked', 'the wallet is locked: unlock it with its passphrase first');
    return this.seed;
  }

  /** The secret key of one of the wallet's keys. */
  secretKeyFor(publicKey: Uint8Array): Uint8Array {
    const seed = this.requireSeed();
    const hex = bytesToHex(publicKey);
    const key = this.requireRecord().keys.find((k) => k.publicKey === hex);
    if (!key) throw new WalletError('bad-address', 'that key does not belong to this wallet');
    return deriveKey(seed, this.params.name, key.index, key.legacy ? 'legacy-bitcoin' : 'tabchain').secretKey;
  }

  /** The phrase in the sealed box, or WalletError('wrong-passphrase'). */
  private openBox(passphrase: string): Promise<string> {
    return openSealedPhrase(this.requireRecord().secret, passphrase);
  }

  /**
   * Opens a passphrase-locked wallet. A wrong passphrase changes nothing. A box sealed with fewer
   * PBKDF2 rounds than today's default (an older version's) is sealed again at the default.
   */
  async unlock(passphrase: string): Promise<void> {
    const record = this.requireRecord();
    if (record.secret.kind !== 'sealed') return;
    const box = record.secret.box;
    this.unlockWith(await this.openBox(passphrase));
    await this.migrateDerivation();
    if (resealDue(box, this.keeping())) {
      const resealed = await sealPhrase(this.mnemonic!, passphrase, this.keeping());
      await this.save({ ...this.requireRecord(), secret: { kind: 'sealed', box: resealed } });
      await this.db.purgeOldVersions?.();
    }
  }

  /**
   * Forgets the keys in this tab until the next unlock: the seed is zeroed and the phrase dropped.
   * Only a wallet with a passphrase can lock. The lock handlers are told (so every other tab of
   * the wallet locks too) unless `fromElsewhere` (this lock came from another tab: no echo).
   */
  lock(options: { fromElsewhere?: boolean } = {}): void {
    if (!this.hasPassphrase) throw new WalletError('no-passphrase', 'set a passphrase before locking the wallet');
    this.forget();
    if (!options.fromElsewhere) for (const handler of this.lockHandlers) handler();
  }

  /** Called after this tab locked the wallet (so other tabs can lock too). */
  onLock(handler: () => void): void {
    this.lockHandlers.push(handler);
  }

  /**
   * Seals the recovery phrase under a new passphrase (which must meet the minimum), or, with
   * `null`, stores it unencrypted again (test network only). Needs the wallet unlocked, and, when
   * it already has a passphrase, that `current` passphrase (so a page left unlocked does not let
   * anyone change or remove it).
   */
  async setPassphrase(passphrase: string | null, current?: string): Promise<void> {
    this.requireSeed();
    if (this.hasPassphrase) {
      if (typeof current !== 'string') throw new WalletError('wrong-passphrase', 'give the current passphrase to change or remove it');
      await this.openBox(current);
    }
    const record = this.requireRecord();
    await this.storeSecret(record, this.mnemonic!, passphrase);
  }

  /**
   * Writes `record` with `mnemonic` sealed under `passphrase` (or unencrypted with `null`, where
   * the network allows it), then erases an unencrypted copy the record no longer points to. The
   * new secret is stored before the old one is erased, so a crash in between loses nothing.
   */
  private async storeSecret(record: StoredWallet, mnemonic: string, passphrase: string | null): Promise<void> {
    const before = this.record?.secret.kind;
    const secret = await keepPhrase(mnemonic, passphrase, this.keeping());
    await this.save({ ...record, secret });
    if (before === 'plain-file' && secret.kind !== 'plain-file') await this.options.plainStore?.erase(this.params.name);
    // A phrase that was in the clear in the record itself (written by an earlier version): drop
    // its old versions from the files where the store can.
    if (before === 'plain' && secret.kind !== 'plain') await this.db.purgeOldVersions?.();
    this.unlockWith(mnemonic);
  }

  /**
   * Creates this network's wallet with a fresh recovery phrase, sealed under `passphrase`
   * (`null`: unencrypted, test network only). Refuses when there is one already.
   */
  async create(passphrase: string | null): Promise<void> {
    if (this.record) throw new WalletError('wallet-exists', `there is a wallet on the ${this.params.name} network already`);
    requirePassphraseChoice(passphrase, this.keeping());
    const mnemonic = generateMnemonic();
    const seed = mnemonicToSeed(mnemonic);
    const keys = deriveKeys(seed, this.params.name, 0, 1, false);
    seed.fill(0);
    await this.storeSecret({ network: this.params.name, secret: { kind: 'plain-file' }, keys, createdAt: this.options.now ?? 0, derivation: 2 }, mnemonic, passphrase);
  }

  /**
   * The recovery phrase (write it down). Needs the wallet unlocked, and its passphrase when it has
   * one (asked again, so a page left unlocked does not show the phrase to anyone).
   */
  async backupPhrase(passphrase?: string): Promise<string> {
    this.requireSeed();
    if (this.hasPassphrase) {
      if (typeof passphrase !== 'string') throw new WalletError('wrong-passphrase', 'give the passphrase to see the recovery phrase');
      return this.openBox(passphrase);
    }
    return this.mnemonic!;
  }

  /**
   * An encrypted backup file: the phrase and how many keys to derive, sealed under `passphrase`
   * (which must meet the minimum), every field authenticated.
   */
  async exportBackup(passphrase: string): Promise<WalletBackup> {
    this.requireSeed();
    requireStrongPassphrase(passphrase);
    const keys = Math.min(Math.max(this.nextIndex(), 1), MAX_BACKUP_KEYS);
    const { iterations } = this.keeping();
    return sealBackup(this.mnemonic!, passphrase, this.params.name, keys, iterations === undefined ? {} : { iterations });
  }

  /**
   * Replaces this wallet with one restored from a recovery phrase, deriving `keys` keys (1..1000),
   * sealed under `passphrase` (required on main; without it a test-network wallet is stored
   * unencrypted). Refuses to overwrite a different wallet unless `replace` is true (its funds
   * would be lost without its phrase).
   */
  async restore(mnemonic: string, options: { keys?: number; replace?: boolean; passphrase?: string } = {}): Promise<void> {
    checkRestoreInput(mnemonic, options.keys);
    const passphrase = options.passphrase ?? null;
    requirePassphraseChoice(passphrase, this.keeping());
    const seed = mnemonicToSeed(mnemonic);
    try {
      const record = restoredRecord(this.record, seed, this.params.name, { keys: options.keys, replace: options.replace, now: this.options.now ?? 0 });
      await this.storeSecret(record, normalizePhrase(mnemonic), passphrase);
    } finally {
      seed.fill(0);
    }
  }

  /**
   * Restores from an encrypted backup file. A file that is not one, or whose fields are out of
   * bounds or were altered, is refused with WalletError ('bad-backup', 'wrong-network',
   * 'wrong-passphrase') and changes nothing. The restored wallet is sealed under
   * `options.passphrase`; on main, without one, under the file's own passphrase (if it meets the
   * minimum).
   */
  async importBackup(backup: WalletBackup, passphrase: string, options: { replace?: boolean; passphrase?: string } = {}): Promise<void> {
    const file = await openBackup(backup, passphrase, this.params.name);
    const walletPassphrase = options.passphrase ?? (this.plainAllowed() ? undefined : passphrase);
    await this.restore(file.phrase, { keys: file.keys, ...(options.replace !== undefined ? { replace: options.replace } : {}), ...(walletPassphrase !== undefined ? { passphrase: walletPassphrase } : {}) });
  }
}
