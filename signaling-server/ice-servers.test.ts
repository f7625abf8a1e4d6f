/** The ICE servers handed to clients, and the check of STUN/TURN URLs from the command line. */
import { describe, expect, it } from 'vitest';
import { IceUrlError, checkIceServersOption, checkIceUrl, iceServersFor } from './ice-servers.ts';
import { verifyTurnCredential } from './turn-credentials.ts';

const PEER = 'ab'.repeat(16);

describe('ICE servers', () => {
  it('behavior: STUN and TURN URLs as RFC 7064/7065 write them are accepted', () => {
    for (const url of ['stun:stun.example.org', 'stun:stun.example.org:3478', 'stuns:stun.example.org:5349', 'stun:192.0.2.1:3478', 'stun:[2001:db8::1]:3478']) {
      expect(checkIceUrl(url, 'stun')).toBe(url);
    }
    for (const url of ['turn:turn.example.org', 'turn:192.0.2.1:3478?transport=udp', 'turn:turn.example.org:3478?transport=tcp', 'turns:turn.example.org:5349']) {
      expect(checkIceUrl(url, 'turn')).toBe(url);
    }
  });

  it('error: other schemes, slashes, paths, bad ports and transports say what to write', () => {
    const cases: [string, 'stun' | 'turn', RegExp][] = [
      ['http://stun.example.org', 'stun', /starts with stun: or stuns:, not http:/],
      ['turn:turn.example.org', 'stun', /starts with stun: or stuns:, not turn:/],
      ['stun:turn.example.org', 'turn', /starts with turn: or turns:, not stun:/],
      ['stun://stun.example.org', 'stun', /without "\/\/"/],
      ['stun.example.org:3478', 'stun', /not a STUN URL/],
      ['turn:turn.example.org:3478/path', 'turn', /not a TURN URL/],
      ['turn:turn.example.org?transport=sctp', 'turn', /not a TURN URL/],
      ['stun:stun.example.org:70000', 'stun', /port must be from 1 to 65535/],
      ['stun:stun.example.org?transport=udp', 'stun', /not a STUN URL/],
      ['', 'turn', /not a TURN URL/],
    ];
    for (const [url, kind, message] of cases) expect(() => checkIceUrl(url, kind), url).toThrow(message);
    expect(() => checkIceUrl('ftp:x', 'stun')).toThrow(IceUrlError);
  });

  it('error: a TURN server without its secret, URLs or a valid lifetime is refused', () => {
    expect(() => checkIceServersOption({ turn: { urls: ['turn:t.example.org'], secret: '' } })).toThrow(/shared secret/);
    expect(() => checkIceServersOption({ turn: { urls: [], secret: 's' } })).toThrow(/turn.urls is empty/);
    expect(() => checkIceServersOption({ turn: { urls: ['turn:t.example.org'], secret: 's', ttlSeconds: -5 } })).toThrow(/lifetime/);
    expect(() => checkIceServersOption({ stun: ['stun:ok.example.org', 'nope'] })).toThrow(IceUrlError);
    expect(checkIceServersOption({ turn: { urls: ['turn:t.example.org'], secret: 's' } }).turn?.ttlSeconds).toBe(86_400);
  });

  it('behavior: a client gets the STUN URLs and the TURN URLs with credentials of its own; none configured is []', () => {
    expect(iceServersFor(undefined, PEER, 1000)).toEqual([]);
    expect(iceServersFor({}, PEER, 1000)).toEqual([]);
    expect(iceServersFor({ stun: ['stun:s.example.org'] }, PEER, 1000)).toEqual([{ urls: ['stun:s.example.org'] }]);
    const option = { stun: ['stun:s.example.org'], turn: { urls: ['turn:t.example.org:3478', 'turns:t.example.org:5349'], secret: 'sh', ttlSeconds: 600 } };
    const servers = iceServersFor(option, PEER, 1000.7);
    expect(servers).toEqual([
      { urls: ['stun:s.example.org'] },
      { urls: ['turn:t.example.org:3478', 'turns:t.example.org:5349'], username: `1600:${PEER}`, credential: expect.any(String) },
    ]);
    expect(verifyTurnCredential('sh', servers[1]!.username!, servers[1]!.credential!, 1000)).toEqual({ ok: true, expiresAt: 1600, user: PEER });
    const other = iceServersFor(option, 'cd'.repeat(16), 1000)[1]!;
    expect(other.username).toBe(`1600:${'cd'.repeat(16)}`);
    expect(other.credential).not.toBe(servers[1]!.credential);
  });
});
