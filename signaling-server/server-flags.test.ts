/** The TLS and ICE flags shared by npm start, node signaling-server and the headless node. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlagError, certificateNote, iceSummary, parseIceFlags, parseTlsFlags, setUpTls } from './server-flags.ts';
import { TlsSetupError } from './tls-certificate.ts';
import type { Interfaces } from './local-addresses.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('server flags: TLS', () => {
  it('behavior: off by default; --https, HTTPS=1 or --cert/--key turn it on; the data folder defaults to TABCHAIN_DATA_DIR, else ~/.tabchain/server', () => {
    expect(parseTlsFlags({}, {}, '/home/u')).toEqual({ enabled: false, own: null, dataDir: '/home/u/.tabchain/server', hostnames: [] });
    expect(parseTlsFlags({ https: true }, {}, '/home/u').enabled).toBe(true);
    expect(parseTlsFlags({}, { HTTPS: '1' }, '/home/u').enabled).toBe(true);
    expect(parseTlsFlags({}, { HTTPS: '0' }, '/home/u').enabled).toBe(false);
    expect(parseTlsFlags({}, { TABCHAIN_DATA_DIR: '/srv/tabchain' }, '/home/u').dataDir).toBe('/srv/tabchain');
    expect(parseTlsFlags({ 'data-dir': '/d' }, { TABCHAIN_DATA_DIR: '/srv/tabchain' }, '/home/u').dataDir).toBe('/d');
    expect(parseTlsFlags({ cert: '/c.pem', key: '/k.pem' }, {}, '/home/u')).toMatchObject({ enabled: true, own: { certFile: '/c.pem', keyFile: '/k.pem' } });
    expect(parseTlsFlags({ hostname: ['LAN.test', 'phone-host.example.org'] }, {}, '/home/u').hostnames).toEqual(['lan.test', 'phone-host.example.org']);
  });

  it('error: --cert without --key, a bad HTTPS value, an empty --data-dir, a bad --hostname', () => {
    expect(() => parseTlsFlags({ cert: '/c.pem' })).toThrow(FlagError);
    expect(() => parseTlsFlags({ key: '/k.pem' })).toThrow(/--cert and --key go together/);
    expect(() => parseTlsFlags({}, { HTTPS: 'maybe' })).toThrow(/HTTPS must be 1 or 0/);
    expect(() => parseTlsFlags({ 'data-dir': ' ' })).toThrow(/--data-dir is empty/);
    expect(() => parseTlsFlags({ hostname: ['https://lan.test'] })).toThrow(/--hostname: not a host name/);
    expect(() => parseTlsFlags({ hostname: ['-x'] })).toThrow(FlagError);
  });

  it('behavior: setUpTls generates into the data folder, reuses it, and says so when a new --hostname makes it generate again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tabchain-flags-'));
    dirs.push(dataDir);
    const interfaces: Interfaces = { lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '255.0.0.0', mac: '00:00:00:00:00:00', cidr: null }] };
    const first = await setUpTls(parseTlsFlags({ https: true, 'data-dir': dataDir }, {}), interfaces);
    expect(certificateNote(first.stored!)).toBe(`generated a self-signed certificate: ${join(dataDir, 'cert.pem')}`);
    const same = await setUpTls(parseTlsFlags({ https: true, 'data-dir': dataDir }, {}), interfaces);
    expect(certificateNote(same.stored!)).toBeNull();
    const named = await setUpTls(parseTlsFlags({ https: true, 'data-dir': dataDir, hostname: ['lan.test'] }, {}), interfaces);
    expect(certificateNote(named.stored!)).toMatch(/did not name lan\.test: generated a new one .*browsers will warn once again/);
    // The user's own pair: used as it is, never written.
    const own = await setUpTls(parseTlsFlags({ cert: join(dataDir, 'cert.pem'), key: join(dataDir, 'key.pem') }, {}));
    expect(own.stored).toBeNull();
    expect(own.tls.cert).toBe(named.tls.cert);
    await expect(setUpTls(parseTlsFlags({ cert: join(dataDir, 'nope.pem'), key: join(dataDir, 'key.pem') }, {}))).rejects.toThrow(TlsSetupError);
  });
});

describe('server flags: ICE', () => {
  it('behavior: none by default; flags, or the environment when no flag is given', () => {
    expect(parseIceFlags({}, {})).toBeUndefined();
    expect(parseIceFlags({ stun: ['stun:a.example.org', 'stun:b.example.org:3478'] }, {})).toEqual({ stun: ['stun:a.example.org', 'stun:b.example.org:3478'] });
    expect(parseIceFlags({}, { STUN_URLS: 'stun:a.example.org, stuns:b.example.org:5349', TURN_URLS: 'turn:t.example.org', TURN_SECRET: 'sh', TURN_TTL: '3600' })).toEqual({
      stun: ['stun:a.example.org', 'stuns:b.example.org:5349'],
      turn: { urls: ['turn:t.example.org'], secret: 'sh', ttlSeconds: 3600 },
    });
    expect(parseIceFlags({ turn: ['turns:t.example.org:5349'], 'turn-secret': 'flag' }, { TURN_SECRET: 'env' })).toEqual({
      stun: [],
      turn: { urls: ['turns:t.example.org:5349'], secret: 'flag', ttlSeconds: 86_400 },
    });
  });

  it('error: --turn without a secret, a secret without --turn, bad URLs and lifetimes say what to do', () => {
    expect(() => parseIceFlags({ turn: ['turn:t.example.org'] }, {})).toThrow(/--turn needs --turn-secret \(or TURN_SECRET\)/);
    expect(() => parseIceFlags({ 'turn-secret': 's' }, {})).toThrow(/need a --turn URL/);
    expect(() => parseIceFlags({ turn: ['turn:t.example.org'], 'turn-secret': '' }, {})).toThrow(/--turn-secret is empty/);
    expect(() => parseIceFlags({ stun: ['https://stun.example.org'] }, {})).toThrow(/starts with stun: or stuns:, not https:/);
    expect(() => parseIceFlags({ turn: ['stun:t.example.org'], 'turn-secret': 's' }, {})).toThrow(FlagError);
    expect(() => parseIceFlags({ turn: ['turn:t.example.org'], 'turn-secret': 's', 'turn-ttl': '10' }, {})).toThrow(/--turn-ttl must be a whole number of seconds, at least 60/);
    expect(() => parseIceFlags({ turn: ['turn:t.example.org'], 'turn-secret': 's', 'turn-ttl': '1h' }, {})).toThrow(/--turn-ttl/);
  });

  it('behavior: the start-up line says what is handed out', () => {
    expect(iceSummary(undefined)).toMatch(/^ICE servers: none/);
    expect(iceSummary({ stun: ['stun:a'], turn: { urls: ['turn:t', 'turns:t'], secret: 's', ttlSeconds: 5400 } })).toBe('ICE servers handed to each tab: 1 STUN, 2 TURN (credentials valid 1.5 h)');
    expect(iceSummary({ stun: ['stun:a'] })).toBe('ICE servers handed to each tab: 1 STUN, 0 TURN');
  });
});
