/**
 * @module Sealing bytes (the wallet's mnemonic) under a passphrase for storage or backup:
 * PBKDF2-HMAC-SHA256 stretches the passphrase into an AES-256-GCM key (WebCrypto); GCM's tag
 * makes a wrong passphrase and any altered byte fail the same way. The box is plain JSON-able
 * data so it can go into IndexedDB or a downloaded backup file unchanged.
 */
import { base64 } from '@scure/base';
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { WalletError } from '../../core/index.ts';

/** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
export const DEFAULT_ITERATIONS = 310_000;
/** Refuses boxes that would keep the tab busy for minutes (a crafted backup file). */
const MAX_ITERATIONS = 10_000_000;
const SALT_SIZE = 16;
const IV_SIZE = 12;
const TAG_SIZE = 16;

export interface SealedBox {
  readonly v: 1;
  readonly kdf: 'pbkdf2-sha256';
  readonly iterations: number;
  /** base64 */
  readonly salt: string;
  /** base64 */
  readonly iv: string;
  /** base64, AES-GCM output (ciphertext followed by the 16-byte tag). */
  readonly ciphertext: string;
}

function randomBytes(size: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(size));
}

async function aesKey(passphrase: string, salt: Uint8Array, iterations: number, usage: KeyUsage): Promise<CryptoKey> {
  // NFKC: the same passphrase typed on another device or keyboard may arrive in another Unicode form.
  const raw = await pbkdf2Async(sha256, passphrase.normalize('NFKC'), salt, { c: iterations, dkLen: 32 });
  try {
    return await crypto.subtle.importKey('raw', new Uint8Array(raw), 'AES-GCM', false, [usage]);
  } finally {
    raw.fill(0);
  }
}

function checkIterations(iterations: unknown): iterations is number {
  return typeof iterations === 'number' && Number.isInteger(iterations) && iterations >= 1 && iterations <= MAX_ITERATIONS;
}

/** Encrypts `plaintext` under `passphrase`. `iterations` is for tests; keep the default otherwise. */
export async function sealWithPassphrase(plaintext: Uint8Array, passphrase: string, options: { iterations?: number } = {}): Promise<SealedBox> {
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  if (!checkIterations(iterations)) throw new RangeError(`iterations must be an integer in 1..${MAX_ITERATIONS}`);
  if (typeof passphrase !== 'string') throw new TypeError('the passphrase is a string');
  const salt = randomBytes(SALT_SIZE);
  const iv = randomBytes(IV_SIZE);
  const key = await aesKey(passphrase, salt, iterations, 'encrypt');
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new Uint8Array(plaintext)));
  return { v: 1, kdf: 'pbkdf2-sha256', iterations, salt: base64.encode(salt), iv: base64.encode(iv), ciphertext: base64.encode(ciphertext) };
}

function field(box: Record<string, unknown>, name: string, size?: number): Uint8Array<ArrayBuffer> {
  const text = box[name];
  let bytes: Uint8Array;
  try {
    if (typeof text !== 'string') throw new TypeError();
    bytes = base64.decode(text);
  } catch {
    throw new WalletError('bad-backup', `the sealed data's ${name} is not base64`);
  }
  if (size !== undefined && bytes.length !== size) throw new WalletError('bad-backup', `the sealed data's ${name} is not ${size} bytes`);
  return new Uint8Array(bytes);
}

/**
 * Decrypts a box. Throws WalletError('bad-backup') when it is not a box this code wrote, and
 * WalletError('wrong-passphrase') when the passphrase is wrong or the box was altered (GCM cannot
 * tell the two apart, and the user's likely mistake is the passphrase).
 */
export async function openWithPassphrase(box: SealedBox, passphrase: string): Promise<Uint8Array> {
  if (typeof box !== 'object' || box === null) throw new WalletError('bad-backup', 'the sealed data is not an object');
  const fields = box as unknown as Record<string, unknown>;
  if (fields.v !== 1) throw new WalletError('bad-backup', `unknown sealed data version ${JSON.stringify(fields.v)}`);
  if (fields.kdf !== 'pbkdf2-sha256') throw new WalletError('bad-backup', 'unknown key derivation in the sealed data');
  if (!checkIterations(fields.iterations)) throw new WalletError('bad-backup', 'the sealed data has a bad iteration count');
  const salt = field(fields, 'salt', SALT_SIZE);
  const iv = field(fields, 'iv', IV_SIZE);
  const ciphertext = field(fields, 'ciphertext');
  if (ciphertext.length < TAG_SIZE) throw new WalletError('bad-backup', 'the sealed data is too short to hold anything');
  if (typeof passphrase !== 'string') throw new TypeError('the passphrase is a string');
  const key = await aesKey(passphrase, salt, fields.iterations, 'decrypt');
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, ciphertext));
  } catch {
    throw new WalletError('wrong-passphrase', 'wrong passphrase (or the sealed data was altered)');
  }
}
