/**
 * ICE server lists from a signaling server are checked as the user's own are: every entry below
 * was measured to make Chromium's `new RTCPeerConnection({ iceServers })` throw, which would
 * make every link of the tab fail.
 */
import { describe, expect, it } from 'vitest';
import { isIceUrl, isTurnCredential } from './ice-url.ts';
import { iceServersOf } from './signaling-client.ts';
import { formatIceServerList, IceServerListError, parseIceServerList } from '../../app/ice-server-list.ts';

/** Entries Chromium refuses (SyntaxError / InvalidAccessError from the constructor). */
const REFUSED: unknown[] = [
  { urls: ['stun:host?transport=udp'] },
  { urls: ['stun:a b'] },
  { urls: ['stun:'] },
  { urls: ['stun:host:0'] },
  { urls: ['stun:host:99999'] },
  { urls: ['stun:host:3478/x'] },
  { urls: ['stun://host'] },
  { urls: ['turn:host?transport=sctp'], username: 'u', credential: 'c' },
  { urls: ['turn:host'], username: '', credential: '' },
  { urls: ['turn:host'], username: 'u' },
  { urls: ['turn:host'], username: 'a'.repeat(510), credential: 'c' },
];

describe('iceServersOf (a signaling server’s list)', () => {
  it('behavior: drops every entry that would make RTCPeerConnection throw', () => {
    for (const entry of REFUSED) expect(iceServersOf([entry]), JSON.stringify(entry).slice(0, 80)).toEqual([]);
  });

  it('behavior: keeps what works, TURN with its credentials', () => {
    expect(
      iceServersOf([
        { urls: 'stun:stun.example.org:3478' },
        { urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349?transport=tcp'], username: '1700000000:ab', credential: 'c2VjcmV0' },
        { urls: ['stun:[::1]:3478'] },
      ]),
    ).toEqual([
      { urls: ['stun:stun.example.org:3478'] },
      { urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349?transport=tcp'], username: '1700000000:ab', credential: 'c2VjcmV0' },
      { urls: ['stun:[::1]:3478'] },
    ]);
  });

  it('errors: a TURN username Chromium finds too long is refused, at 509 bytes of UTF-8 it is kept', () => {
    expect(isTurnCredential('a'.repeat(509), 'c')).toBe(true);
    expect(isTurnCredential('é'.repeat(255), 'c')).toBe(false);
    expect(isIceUrl('turn:h?transport=tcp')).toBe(true);
    expect(isIceUrl('stun:h?transport=tcp')).toBe(false);
  });
});

describe('parseIceServerList (the user’s own list)', () => {
  it('behavior: a list saved as JSON with spaces in a credential is shown in a form that saves again', () => {
    const saved = parseIceServerList('[{"urls":["turn:turn.example.org"],"username":"alice smith","credential":"pa ss"}]');
    expect(parseIceServerList(formatIceServerList(saved))).toEqual(saved);
  });

  it('errors: a TURN username Chromium finds too long names its line', () => {
    expect(() => parseIceServerList(`stun:stun.example.org\nturn:turn.example.org ${'a'.repeat(510)} c`)).toThrow(IceServerListError);
    expect(() => parseIceServerList(`stun:stun.example.org\nturn:turn.example.org ${'a'.repeat(510)} c`)).toThrow(/line 2/);
  });
});
