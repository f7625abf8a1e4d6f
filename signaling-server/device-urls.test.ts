/** The URLs `npm start` prints for other devices, and its terminal QR code (read back by a decoder). */
import decodeQR from '@paulmillr/qr/decode.js';
import { describe, expect, it } from 'vitest';
import { QR_QUIET_ZONE, deviceUrls, phoneUrl, startBanner, terminalQr } from './device-urls.ts';
import type { Interfaces } from './local-addresses.ts';
import { certificateNames, interfaceAddresses, reachableHosts } from './local-addresses.ts';

const base = { netmask: '', mac: '00:00:00:00:00:00', cidr: null };
const INTERFACES: Interfaces = {
  lo: [
    { ...base, address: '127.0.0.1', family: 'IPv4', internal: true },
    { ...base, address: '::1', family: 'IPv6', internal: true, scopeid: 0 },
  ],
  wlan0: [
    { ...base, address: '192.168.1.20', family: 'IPv4', internal: false },
    { ...base, address: 'fe80::1c2d:3eff:fe4f:5a6b', family: 'IPv6', internal: false, scopeid: 3 },
    { ...base, address: '2001:db8::20', family: 'IPv6', internal: false, scopeid: 0 },
  ],
  eth1: [{ ...base, address: '10.0.0.7', family: 'IPv4', internal: false }],
};

const ESC = String.fromCharCode(27);

/** Reads a colour terminalQr back into modules (true = dark), tracking the ANSI colours of each ▀. */
function modulesFromColor(text: string): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of text.split('\n')) {
    const top: boolean[] = [];
    const bottom: boolean[] = [];
    let fg = '';
    let bg = '';
    for (const token of line.match(new RegExp(`${ESC}\\[[0-9;]*m|▀`, 'g')) ?? []) {
      if (token === '▀') {
        top.push(fg === '30');
        bottom.push(bg === '40');
      } else if (token !== `${ESC}[0m`) {
        [fg, bg] = token.slice(2, -1).split(';') as [string, string];
      }
    }
    rows.push(top, bottom);
  }
  return rows;
}

/** Reads a plain terminalQr back into modules (its glyphs mark the light ones). */
function modulesFromPlain(text: string): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of text.split('\n')) {
    const chars = [...line];
    rows.push(chars.map((c) => c === ' ' || c === '▄'), chars.map((c) => c === ' ' || c === '▀'));
  }
  return rows;
}

/** Modules as an RGBA image a QR decoder reads: 4 px a module, dark modules black. */
function image(modules: boolean[][]): { width: number; height: number; data: Uint8Array } {
  const n = modules[0]!.length;
  const scale = 4;
  const size = n * scale;
  const data = new Uint8Array(size * size * 4).fill(255);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (modules[Math.floor(y / scale)]?.[Math.floor(x / scale)]) data.fill(0, (y * size + x) * 4, (y * size + x) * 4 + 3);
    }
  }
  return { width: size, height: size, data };
}

describe('device URLs', () => {
  it('behavior: localhost, then each IPv4 interface address (no loopback, no link-local), then the extra names', () => {
    expect(deviceUrls({ port: 8080, tls: true, hostnames: ['lan.test'], interfaces: INTERFACES })).toEqual([
      { url: 'https://localhost:8080/', scope: 'local' },
      { url: 'https://192.168.1.20:8080/', scope: 'network' },
      { url: 'https://10.0.0.7:8080/', scope: 'network' },
      { url: 'https://lan.test:8080/', scope: 'name' },
    ]);
    // Bound to :: it answers on IPv6 too; on port 443 no port is written.
    expect(deviceUrls({ port: 443, tls: true, bound: '::', interfaces: INTERFACES }).map((u) => u.url)).toEqual([
      'https://localhost/',
      'https://192.168.1.20/',
      'https://10.0.0.7/',
      'https://[2001:db8::20]/',
    ]);
    expect(deviceUrls({ port: 8080, tls: false, bound: '127.0.0.1', hostnames: ['lan.test'], interfaces: INTERFACES })).toEqual([{ url: 'http://localhost:8080/', scope: 'local' }]);
    expect(deviceUrls({ port: 8080, tls: false, bound: '10.0.0.7', interfaces: INTERFACES })).toEqual([{ url: 'http://10.0.0.7:8080/', scope: 'network' }]);
  });

  it('behavior: the phone URL is the first network address, else a name, else none', () => {
    expect(phoneUrl(deviceUrls({ port: 8080, tls: true, interfaces: INTERFACES }))).toBe('https://192.168.1.20:8080/');
    expect(phoneUrl(deviceUrls({ port: 8080, tls: true, hostnames: ['lan.test'], interfaces: { lo: INTERFACES.lo } }))).toBe('https://lan.test:8080/');
    expect(phoneUrl(deviceUrls({ port: 8080, tls: true, interfaces: { lo: INTERFACES.lo } }))).toBeNull();
  });

  it('behavior: interface addresses, what a bound server answers on, and the names a certificate must cover', () => {
    expect(interfaceAddresses(INTERFACES).map((a) => a.address)).toEqual(['127.0.0.1', '192.168.1.20', '10.0.0.7', '::1', '2001:db8::20']);
    expect(reachableHosts('0.0.0.0', INTERFACES)).toEqual(['127.0.0.1', '192.168.1.20', '10.0.0.7']);
    expect(reachableHosts('::', INTERFACES)).toEqual(['127.0.0.1', '192.168.1.20', '10.0.0.7', '::1', '2001:db8::20']);
    expect(reachableHosts('10.0.0.7', INTERFACES)).toEqual(['10.0.0.7']);
    expect(certificateNames(['Lan.Test'], INTERFACES, 'Laptop')).toEqual({
      dns: ['localhost', 'laptop', 'laptop.local', 'lan.test'],
      ips: ['127.0.0.1', '::1', '192.168.1.20', '10.0.0.7', '2001:db8::20'],
    });
    expect(certificateNames([], INTERFACES, 'box.example.org').dns).toEqual(['localhost', 'box.example.org']);
  });

  it('behavior: the terminal QR code reads back as the URL, in colour and plain, with a quiet zone', () => {
    const url = 'https://192.168.1.20:8080/';
    for (const [text, read] of [
      [terminalQr(url, { color: true }), modulesFromColor],
      [terminalQr(url, { color: false }), modulesFromPlain],
    ] as const) {
      const modules = read(text);
      expect(modules.slice(0, QR_QUIET_ZONE).flat().some(Boolean)).toBe(false);
      expect(modules.every((row) => row.length === modules[0]!.length)).toBe(true);
      expect(decodeQR(image(modules))).toBe(url);
    }
    expect(terminalQr(url, { color: false })).not.toContain('\x1b');
  });

  it('behavior: the banner lists the URLs, the QR code and how to accept a self-signed certificate; plain HTTP says other devices need HTTPS', () => {
    const urls = deviceUrls({ port: 8443, tls: true, hostnames: ['lan.test'], interfaces: INTERFACES });
    const banner = startBanner({ urls, signalUrl: 'wss://localhost:8443/signal', tls: true, selfSignedCert: '/home/u/.tabchain/server/cert.pem', iceSummary: 'ICE servers: none', color: false });
    const lines = banner.split('\n');
    expect(lines[0]).toBe('tabchain is running over HTTPS:');
    expect(lines[1]).toMatch(/^ {2}https:\/\/localhost:8443\/ +this machine$/);
    expect(lines[2]).toMatch(/^ {2}https:\/\/192\.168\.1\.20:8443\/ +other devices on this network$/);
    expect(banner).toContain('signaling at wss://localhost:8443/signal');
    expect(banner).toContain('Open on a phone on the same Wi-Fi (scan): https://192.168.1.20:8443/');
    expect(banner).toContain(terminalQr('https://192.168.1.20:8443/', { color: false }));
    expect(banner).toMatch(/self-signed \(\/home\/u\/\.tabchain\/server\/cert\.pem\): each browser warns once.*"Proceed"/);

    const own = startBanner({ urls, signalUrl: 'wss://localhost:8443/signal', tls: true, selfSignedCert: null, iceSummary: '', color: false });
    expect(own).not.toContain('self-signed');

    const plain = startBanner({ urls: deviceUrls({ port: 8080, tls: false, interfaces: INTERFACES }), signalUrl: 'ws://localhost:8080/signal', tls: false, selfSignedCert: null, iceSummary: '', color: false });
    expect(plain).toContain('tabchain is running:');
    expect(plain).toContain('Other devices need HTTPS');
    expect(plain).toContain('npm start -- --https');
    expect(plain).not.toContain('▀');
  });
});
