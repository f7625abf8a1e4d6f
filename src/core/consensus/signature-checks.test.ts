import { describe, expect, it } from 'vitest';
import { sha256 } from '../crypto/hash.ts';
import { publicKeyOf, schnorrSign, type SignatureJob } from '../crypto/keys.ts';
import { VerifiedSignatureCache } from '../crypto/verified-signature-cache.ts';
import { SignatureChecks, verifyInProcess } from './signature-checks.ts';

const secret = sha256(new TextEncoder().encode('checks test key'));
function job(n: number, valid = true): SignatureJob {
  const message = sha256(Uint8Array.of(n));
  const signature = schnorrSign(message, secret, new Uint8Array(32));
  if (!valid) signature[5]! ^= 1;
  return { signature, message, publicKey: publicKeyOf(secret) };
}

/** A verifier that records what it was asked. */
function recording() {
  const asked: SignatureJob[][] = [];
  const checks = new SignatureChecks(async (jobs) => {
    asked.push([...jobs]);
    return verifyInProcess(jobs);
  }, new VerifiedSignatureCache());
  return { asked, checks };
}

describe('SignatureChecks', () => {
  it('behavior: answers the first failing job in the order given, and -1 when all verify', async () => {
    const { checks } = recording();
    expect(await checks.firstFailure([job(1), job(2), job(3)])).toBe(-1);
    expect(await checks.firstFailure([job(4), job(5, false), job(6), job(7, false)])).toBe(1);
    expect(await checks.firstFailure([])).toBe(-1);
  });

  it('behavior: verifies only what the cache does not know, and remembers successes, never failures', async () => {
    const { asked, checks } = recording();
    await checks.firstFailure([job(1), job(2, false)]);
    expect(checks.cache.has(job(1))).toBe(true);
    expect(checks.cache.has(job(2, false))).toBe(false);
    asked.length = 0;
    expect(await checks.firstFailure([job(1), job(2, false), job(3)])).toBe(1);
    expect(asked).toEqual([[job(2, false), job(3)]]);
    asked.length = 0;
    expect(await checks.firstFailure([job(3), job(1)])).toBe(-1);
    expect(asked).toEqual([]);
  });

  it('error: a verifier that answers the wrong number of jobs is a broken verifier, not a verdict', async () => {
    const checks = new SignatureChecks(async () => [true]);
    await expect(checks.firstFailure([job(1), job(2)])).rejects.toThrow(/answered 1 of 2/);
  });
});
