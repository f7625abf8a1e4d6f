/**
 * @module Short-lived TURN credentials, the "TURN REST API" scheme (draft-uberti-behave-turn-rest-00)
 * that coturn checks with `use-auth-secret` and `static-auth-secret=SECRET`: the username is
 * `expiry:peerId` (expiry in Unix seconds) and the password is base64(HMAC-SHA1(secret, username)).
 * The TURN server recomputes the HMAC from the username alone, so the signaling server and the TURN
 * server share nothing but the secret, and a leaked credential stops working at its expiry.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A credential pair for one client, as an RTCIceServer's `username` and `credential`. */
export interface TurnCredential {
  username: string;
  credential: string;
  /** Unix seconds after which the TURN server refuses it. */
  expiresAt: number;
}

/** The password the TURN server expects for `username`: base64(HMAC-SHA1(secret, username)). */
export function turnPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/**
 * Credentials for `peerId` that expire `ttlSeconds` after `nowSeconds`.
 *
 * @example turnCredential('s3cret', 'ab…', 86400, 1700000000).username === '1700086400:ab…'
 */
export function turnCredential(secret: string, peerId: string, ttlSeconds: number, nowSeconds: number): TurnCredential {
  if (secret === '') throw new RangeError('the TURN secret is empty');
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError(`the TURN credential lifetime must be a positive whole number of seconds, not ${ttlSeconds}`);
  const expiresAt = Math.floor(nowSeconds) + ttlSeconds;
  const username = `${expiresAt}:${peerId}`;
  return { username, credential: turnPassword(secret, username), expiresAt };
}

/** Why a credential is refused, as the TURN server would refuse it. */
export type TurnCredentialCheck =
  | { ok: true; expiresAt: number; user: string }
  | { ok: false; reason: 'bad-username' | 'expired' | 'bad-credential' };

/**
 * Checks a credential as coturn does: the username starts with a Unix expiry not in the past, and
 * the credential is the HMAC of the whole username under `secret`.
 */
export function verifyTurnCredential(secret: string, username: string, credential: string, nowSeconds: number): TurnCredentialCheck {
  const match = /^(\d{1,12}):(.*)$/s.exec(username);
  if (!match) return { ok: false, reason: 'bad-username' };
  const expiresAt = Number(match[1]);
  if (expiresAt < nowSeconds) return { ok: false, reason: 'expired' };
  const expected = Buffer.from(turnPassword(secret, username));
  const given = Buffer.from(credential);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-credential' };
  return { ok: true, expiresAt, user: match[2]! };
}
