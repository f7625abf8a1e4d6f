/**
 * @module The TLS certificate for `--https`: the user's own (`--cert`, `--key`), or a self-signed
 * one generated once and kept in a data folder (cert.pem, key.pem), generated again when it no
 * longer names every address and name this machine is reached by, or is near its expiry. Pages
 * from another device need HTTPS: over plain http on any host but localhost a page is not a
 * secure context, and the node's storage locks, crypto and service worker are missing.
 */
import { X509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { CertificateNames } from './local-addresses.ts';

/** How long a generated certificate is valid. */
export const CERTIFICATE_LIFETIME_DAYS = 365;
/** A stored certificate with less than this left is generated again. */
export const RENEW_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;

/** A certificate and its private key, PEM. */
export interface TlsPair {
  cert: string;
  key: string;
}

/** A certificate that cannot be used, with the reason in words (exit with it; no stack trace). */
export class TlsSetupError extends Error {
  override readonly name = 'TlsSetupError';
  constructor(
    readonly code: 'unreadable' | 'not-a-certificate' | 'not-a-key' | 'key-mismatch' | 'data-dir',
    message: string,
  ) {
    super(message);
  }
}

/** What loadOrCreateCertificate did. */
export interface StoredCertificate extends TlsPair {
  certPath: string;
  keyPath: string;
  /** Null when the stored certificate was used; else why a new one was generated. */
  generated: null | 'none-stored' | 'unreadable' | 'names-missing' | 'expiring';
  /** The names and addresses a new one added (for `names-missing`). */
  missing: string[];
  /** When the certificate in use expires. */
  validTo: Date;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/**
 * A self-signed ECDSA P-256 certificate for a TLS server naming `names` in its subject alternative
 * names, valid from a day before `now` (devices whose clocks lag) for CERTIFICATE_LIFETIME_DAYS.
 */
export async function generateSelfSignedCertificate(names: CertificateNames, now: Date = new Date()): Promise<TlsPair> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f; // a positive serial number
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: `CN=tabchain on ${names.dns[1] ?? names.dns[0] ?? 'localhost'} (self-signed)`,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + CERTIFICATE_LIFETIME_DAYS * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem') + '\n', key };
}

/** The names and addresses of `names` that `cert` does not cover. */
export function uncoveredNames(cert: X509Certificate, names: CertificateNames): string[] {
  return [
    ...names.dns.filter((name) => cert.checkHost(name, { subject: 'never', wildcards: false }) === undefined),
    ...names.ips.filter((ip) => cert.checkIP(ip) === undefined),
  ];
}

/**
 * Checks that `pair` is a certificate and its own private key; returns the parsed certificate.
 * Throws {@link TlsSetupError} naming what is wrong (`source` says where the files came from).
 */
export function checkTlsPair(pair: TlsPair, source: { cert: string; key: string }): X509Certificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.cert);
  } catch {
    throw new TlsSetupError('not-a-certificate', `${source.cert} is not a PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  let key;
  try {
    key = createPrivateKey(pair.key);
  } catch (error) {
    const detail = /passphrase/i.test((error as Error).message) ? ' (it is encrypted: give an unencrypted key)' : '';
    throw new TlsSetupError('not-a-key', `${source.key} is not a PEM private key${detail}`);
  }
  if (!cert.checkPrivateKey(key)) throw new TlsSetupError('key-mismatch', `${source.key} is not the private key of the certificate in ${source.cert}`);
  return cert;
}

/** The user's own certificate and key (`--cert FILE --key FILE`), checked to belong together. */
export function readUserCertificate(certFile: string, keyFile: string): TlsPair & { validTo: Date } {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new TlsSetupError('unreadable', `cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  const pair = { cert: read(certFile, 'certificate'), key: read(keyFile, 'private key') };
  const cert = checkTlsPair(pair, { cert: certFile, key: keyFile });
  return { ...pair, validTo: new Date(cert.validTo) };
}

/**
 * The self-signed certificate kept in `dataDir` (cert.pem, key.pem mode 0600), generated when there
 * is none, when it is unreadable or not its key's, when it misses one of `names`, or when it
 * expires within RENEW_BEFORE_DAYS of `now`.
 */
export async function loadOrCreateCertificate(dataDir: string, names: CertificateNames, now: Date = new Date()): Promise<StoredCertificate> {
  const certPath = join(dataDir, 'cert.pem');
  const keyPath = join(dataDir, 'key.pem');
  let generated: StoredCertificate['generated'] = null;
  let missing: string[] = [];
  let stored: TlsPair | null = null;
  try {
    stored = { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  } catch (error) {
    generated = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'none-stored' : 'unreadable';
  }
  if (stored) {
    try {
      const cert = checkTlsPair(stored, { cert: certPath, key: keyPath });
      missing = uncoveredNames(cert, names);
      if (missing.length > 0) generated = 'names-missing';
      else if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) generated = 'expiring';
      else return { ...stored, certPath, keyPath, generated: null, missing: [], validTo: new Date(cert.validTo) };
    } catch (error) {
      if (!(error instanceof TlsSetupError)) throw error;
      generated = 'unreadable';
    }
  }
  const pair = await generateSelfSignedCertificate(names, now);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writePrivately(keyPath, pair.key);
    writePrivately(certPath, pair.cert);
  } catch (error) {
    throw new TlsSetupError('data-dir', `cannot keep the certificate in ${dataDir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (choose another folder with --data-dir)`);
  }
  return { ...pair, certPath, keyPath, generated, missing, validTo: new Date(new X509Certificate(pair.cert).validTo) };
}

/** Writes `text` to `path` through a temporary file (no half-written file), readable by its owner only. */
function writePrivately(path: string, text: string) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  chmodSync(temporary, 0o600); // mode is only applied when the file is created
  renameSync(temporary, path);
}
