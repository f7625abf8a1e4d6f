import { describe, expect, it } from 'vitest';
import { formatIceServerList, IceServerListError, isIceUrl, loadIceServerList, parseIceServerList } from './ice-server-list.ts';

describe('parseIceServerList', () => {
  it('behavior: reads lines of URL [username credential], skipping blanks and comments', () => {
    const list = parseIceServerList('# my servers\nstun:stun.example.org:3478\n\n turn:203.0.113.5:3478?transport=udp  alice  s3cret \nturns:[2001:db8::1]:5349 bob pw');
    expect(list).toEqual([
      { urls: ['stun:stun.example.org:3478'] },
      { urls: ['turn:203.0.113.5:3478?transport=udp'], username: 'alice', credential: 's3cret' },
      { urls: ['turns:[2001:db8::1]:5349'], username: 'bob', credential: 'pw' },
    ]);
    expect(parseIceServerList('')).toEqual([]);
  });

  it('behavior: takes the JSON array RTCPeerConnection takes, and round-trips through the text form', () => {
    const json = '[{"urls":"stun:a.example"},{"urls":["turn:b.example:3478"],"username":"u","credential":"c"}]';
    const list = parseIceServerList(json);
    expect(list).toEqual([{ urls: ['stun:a.example'] }, { urls: ['turn:b.example:3478'], username: 'u', credential: 'c' }]);
    expect(parseIceServerList(formatIceServerList(list))).toEqual(list);
  });

  it('error: names the line and the fault', () => {
    const fault = (text: string) => {
      try {
        parseIceServerList(text);
      } catch (e) {
        expect(e).toBeInstanceOf(IceServerListError);
        return [(e as IceServerListError).code, (e as IceServerListError).line];
      }
      throw new Error('accepted');
    };
    expect(fault('stun:ok.example\nhttp://x.example')).toEqual(['bad-url', 2]);
    expect(fault('turn:t.example:3478')).toEqual(['missing-credentials', 1]);
    expect(fault('turn:t.example user')).toEqual(['missing-credentials', 1]);
    expect(fault('stun:a b c d')).toEqual(['bad-url', 1]);
    expect(fault('[{"urls": 5}]')).toEqual(['bad-url', 1]);
    expect(fault('[oops')).toEqual(['bad-json', 0]);
    expect(fault(Array.from({ length: 9 }, (_, i) => `stun:s${i}.example`).join('\n'))).toEqual(['too-many', 0]);
  });

  it('error: ports out of range, stray paths, and STUN with a transport are not ICE URLs', () => {
    expect(isIceUrl('stun:a.example:0')).toBe(false);
    expect(isIceUrl('stun:a.example:65536')).toBe(false);
    expect(isIceUrl('turn:a.example/path')).toBe(false);
    expect(isIceUrl('stun:a.example?transport=tcp')).toBe(false);
    expect(isIceUrl('turn:a.example?transport=tcp')).toBe(true);
  });
});

describe('loadIceServerList', () => {
  it('behavior: a missing or broken saved value is no list (the server hands out its own)', () => {
    expect(loadIceServerList({ getItem: () => null })).toBeNull();
    expect(loadIceServerList({ getItem: () => '[{"urls":"bad"}]' })).toBeNull();
    expect(loadIceServerList(undefined)).toBeNull();
    expect(loadIceServerList({ getItem: () => '[{"urls":"stun:a.example"}]' })).toEqual([{ urls: ['stun:a.example'] }]);
  });
});
