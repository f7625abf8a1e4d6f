/**
 * The certificate for --https: generated with every name and address in its SAN, kept private
 * in the data folder, reused while it fits, generated again when a name is missing or it nears
 * expiry; the user's own checked to be a certificate and its key.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CertificateNames } from './local-addresses.ts';
import { CERTIFICATE_LIFETIME_DAYS, RENEW_BEFORE_DAYS, TlsSetupError, generateSelfSignedCertificate, loadOrCreateCertificate, readUserCertificate } from './tls-certificate.ts';

const NAMES: CertificateNames = { dns: ['localhost', 'laptop', 'laptop.local'], ips: ['127.0.0.1', '::1', '192.168.1.20'] };
const DAY = 86_400_000;
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tabchain-cert-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('TLS certificate', () => {
  it('behavior: a generated certificate names every host and address, is valid from a day ago for a year, and matches its key', async () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const pair = await generateSelfSignedCertificate(NAMES, now);
    const cert = new X509Certificate(pair.cert);
    expect(cert.subjectAltName).toBe('DNS:localhost, DNS:laptop, DNS:laptop.local, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192.168.1.20');
    expect(new Date(cert.validFrom).getTime()).toBe(now.getTime() - DAY);
    expect(new Date(cert.validTo).getTime()).toBe(now.getTime() + CERTIFICATE_LIFETIME_DAYS * DAY);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
    expect(cert.verify(cert.publicKey)).toBe(true); // self-signed
  });

  it('behavior: generated once into the data folder (key mode 0600), then reused while it names everything', async () => {
    const dir = join(tempDir(), 'server');
    const first = await loadOrCreateCertificate(dir, NAMES);
    expect(first.generated).toBe('none-stored');
    expect(first.certPath).toBe(join(dir, 'cert.pem'));
    expect(statSync(first.keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readFileSync(first.certPath, 'utf8')).toBe(first.cert);

    const again = await loadOrCreateCertificate(dir, NAMES);
    expect(again.generated).toBeNull();
    expect(again.cert).toBe(first.cert);
    expect(again.key).toBe(first.key);
    // A subset of the names is still covered.
    expect((await loadOrCreateCertificate(dir, { dns: ['localhost'], ips: ['127.0.0.1'] })).generated).toBeNull();
  });

  it('behavior: a name or address the stored certificate lacks makes a new one that has it', async () => {
    const dir = tempDir();
    const first = await loadOrCreateCertificate(dir, NAMES);
    const moved = { dns: [...NAMES.dns, 'lan.test'], ips: ['127.0.0.1', '::1', '10.0.0.7'] };
    const next = await loadOrCreateCertificate(dir, moved);
    expect(next.generated).toBe('names-missing');
    expect(next.missing).toEqual(['lan.test', '10.0.0.7']);
    expect(next.cert).not.toBe(first.cert);
    const cert = new X509Certificate(readFileSync(join(dir, 'cert.pem'), 'utf8'));
    expect(cert.checkHost('lan.test')).toBe('lan.test');
    expect(cert.checkIP('10.0.0.7')).toBe('10.0.0.7');
    // The stored pair is the new certificate and its key.
    expect(readUserCertificate(join(dir, 'cert.pem'), join(dir, 'key.pem')).cert).toBe(next.cert);
  });

  it('behavior: a certificate near its expiry, or unreadable, or not its key\'s, is generated again', async () => {
    const dir = tempDir();
    const old = await loadOrCreateCertificate(dir, NAMES, new Date(Date.now() - (CERTIFICATE_LIFETIME_DAYS - RENEW_BEFORE_DAYS + 1) * DAY));
    const renewed = await loadOrCreateCertificate(dir, NAMES);
    expect(renewed.generated).toBe('expiring');
    expect(renewed.validTo.getTime()).toBeGreaterThan(old.validTo.getTime());

    writeFileSync(join(dir, 'cert.pem'), 'garbage');
    expect((await loadOrCreateCertificate(dir, NAMES)).generated).toBe('unreadable');

    const other = await generateSelfSignedCertificate(NAMES);
    writeFileSync(join(dir, 'key.pem'), other.key);
    const fixed = await loadOrCreateCertificate(dir, NAMES);
    expect(fixed.generated).toBe('unreadable');
    expect(new X509Certificate(fixed.cert).checkPrivateKey(createPrivateKey(fixed.key))).toBe(true);
  });

  it('error: the user\'s own files: unreadable, not a certificate, not a key, or not the certificate\'s key', async () => {
    const dir = tempDir();
    const a = await generateSelfSignedCertificate(NAMES);
    const b = await generateSelfSignedCertificate(NAMES);
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const certA = file('a.pem', a.cert);
    const keyA = file('a.key', a.key);
    const keyB = file('b.key', b.key);
    const expectError = (fn: () => unknown, code: TlsSetupError['code'], message: RegExp) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(TlsSetupError);
        expect((error as TlsSetupError).code).toBe(code);
        expect((error as Error).message).toMatch(message);
        return;
      }
      throw new Error('no error');
    };
    expect(readUserCertificate(certA, keyA)).toMatchObject({ cert: a.cert, key: a.key });
    expectError(() => readUserCertificate(join(dir, 'missing.pem'), keyA), 'unreadable', /cannot read the certificate .*missing\.pem: ENOENT/);
    expectError(() => readUserCertificate(certA, join(dir, 'missing.key')), 'unreadable', /cannot read the private key .*missing\.key: ENOENT/);
    expectError(() => readUserCertificate(keyA, keyA), 'not-a-certificate', /a\.key is not a PEM certificate/);
    expectError(() => readUserCertificate(certA, certA), 'not-a-key', /a\.pem is not a PEM private key/);
    expectError(() => readUserCertificate(certA, keyB), 'key-mismatch', /b\.key is not the private key of the certificate in .*a\.pem/);
  });
});
