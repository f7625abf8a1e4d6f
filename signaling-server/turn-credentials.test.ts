/**
 * TURN REST credentials (draft-uberti-behave-turn-rest-00, coturn use-auth-secret) against vectors
 * computed outside this code, and the checks a TURN server makes: expiry and the HMAC.
 */
import { describe, expect, it } from 'vitest';
import { turnCredential, turnPassword, verifyTurnCredential } from './turn-credentials.ts';

const PEER = '0123456789abcdef0123456789abcdef';
const NOW = 1_700_000_000;

describe('TURN REST credentials', () => {
  it('behavior: the password is base64 HMAC-SHA1 of the username: RFC 2202 and openssl vectors', () => {
    // RFC 2202 test case 2: HMAC-SHA1("Jefe", "what do ya want for nothing?") = effcdf6a…9a7c79, in base64.
    expect(turnPassword('Jefe', 'what do ya want for nothing?')).toBe('7/zfauXrL6LSdBbV8YTfnCWafHk=');
    // printf '%s' '1700086400:0123…cdef' | openssl dgst -sha1 -hmac 'north-sea-turn-secret' -binary | base64
    expect(turnPassword('north-sea-turn-secret', `1700086400:${PEER}`)).toBe('TlkPAIroTVbQrDJOVdgM0Fst6eU=');
  });

  it('behavior: a credential names its expiry (now + ttl) and peer id, and the TURN server accepts it until then', () => {
    const c = turnCredential('north-sea-turn-secret', PEER, 86_400, NOW + 0.9);
    expect(c).toEqual({ username: `1700086400:${PEER}`, credential: 'TlkPAIroTVbQrDJOVdgM0Fst6eU=', expiresAt: NOW + 86_400 });
    expect(verifyTurnCredential('north-sea-turn-secret', c.username, c.credential, NOW)).toEqual({ ok: true, expiresAt: NOW + 86_400, user: PEER });
    expect(verifyTurnCredential('north-sea-turn-secret', c.username, c.credential, NOW + 86_400).ok).toBe(true);
  });

  it('error: a wrong secret, an expired username, a changed username or credential are refused', () => {
    const c = turnCredential('north-sea-turn-secret', PEER, 600, NOW);
    expect(verifyTurnCredential('another-secret', c.username, c.credential, NOW)).toEqual({ ok: false, reason: 'bad-credential' });
    expect(verifyTurnCredential('north-sea-turn-secret', c.username, c.credential, NOW + 601)).toEqual({ ok: false, reason: 'expired' });
    // Pushing the expiry forward breaks the HMAC.
    expect(verifyTurnCredential('north-sea-turn-secret', `${NOW + 9999}:${PEER}`, c.credential, NOW)).toEqual({ ok: false, reason: 'bad-credential' });
    expect(verifyTurnCredential('north-sea-turn-secret', c.username, c.credential.slice(1), NOW)).toEqual({ ok: false, reason: 'bad-credential' });
    expect(verifyTurnCredential('north-sea-turn-secret', PEER, c.credential, NOW)).toEqual({ ok: false, reason: 'bad-username' });
  });

  it('error: an empty secret or a lifetime that is not a positive whole number is a RangeError', () => {
    expect(() => turnCredential('', PEER, 600, NOW)).toThrow(RangeError);
    expect(() => turnCredential('s', PEER, 0, NOW)).toThrow(RangeError);
    expect(() => turnCredential('s', PEER, 1.5, NOW)).toThrow(RangeError);
  });
});
