/**
 * @module What `npm start` prints so another device can open the app: one URL per address of
 * this machine on the network (plus localhost and the --hostname names), and a QR code of the
 * first network URL drawn in the terminal for a phone's camera.
 */
import encodeQR from '@paulmillr/qr';
import { interfaceAddresses, type Interfaces } from './local-addresses.ts';
import { networkInterfaces } from 'node:os';

/** A URL of the app and who can use it. */
export interface DeviceUrl {
  url: string;
  /** `local`: this machine only; `network`: an interface address other devices reach; `name`: a --hostname name. */
  scope: 'local' | 'network' | 'name';
}

export interface DeviceUrlOptions {
  port: number;
  tls: boolean;
  /** The address the server is bound to: `0.0.0.0` (every IPv4 address), `::` (every address), or one. */
  bound?: string;
  /** Extra names the server is reached by (e.g. from --hostname). */
  hostnames?: string[];
  interfaces?: Interfaces;
}

/**
 * The app's URLs: localhost first, then every non-loopback interface address the server answers
 * on (IPv4 before IPv6), then the extra names.
 *
 * @example deviceUrls({ port: 8080, tls: true }) // [{ url: 'https://localhost:8080/', scope: 'local' }, { url: 'https://192.168.1.20:8080/', scope: 'network' }]
 */
export function deviceUrls(options: DeviceUrlOptions): DeviceUrl[] {
  const scheme = options.tls ? 'https' : 'http';
  const bound = options.bound ?? '0.0.0.0';
  const url = (host: string) => new URL(`${scheme}://${host.includes(':') ? `[${host}]` : host}:${options.port}/`).href;
  const wildcard = bound === '0.0.0.0' || bound === '::';
  const loopback = bound === '127.0.0.1' || bound === '::1' || bound === 'localhost';
  const urls: DeviceUrl[] = [{ url: url(wildcard || loopback ? 'localhost' : bound), scope: wildcard || loopback ? 'local' : 'network' }];
  if (wildcard) {
    for (const a of interfaceAddresses(options.interfaces ?? networkInterfaces())) {
      if (a.internal || (bound === '0.0.0.0' && a.family === 'IPv6')) continue;
      urls.push({ url: url(a.address), scope: 'network' });
    }
  }
  if (!loopback) for (const name of options.hostnames ?? []) urls.push({ url: url(name), scope: 'name' });
  return urls;
}

/** The URL a phone on the same network should open: the first network address, else the first name. */
export function phoneUrl(urls: DeviceUrl[]): string | null {
  return (urls.find((u) => u.scope === 'network') ?? urls.find((u) => u.scope === 'name'))?.url ?? null;
}

/** Modules of light margin around the code (the quiet zone the QR standard asks for). */
export const QR_QUIET_ZONE = 4;

/**
 * `text` as a QR code for a terminal, two modules per character cell (`▀` with the top module as
 * the foreground colour and the bottom one as the background). With `color`, ANSI colours paint
 * dark modules black and light ones white, so it scans on any terminal theme; without, a block
 * glyph marks the light modules (for light-on-dark terminals, the common default).
 */
export function terminalQr(text: string, options: { color: boolean }): string {
  const code = encodeQR(text, 'raw', { ecc: 'medium' });
  const size = code.length + 2 * QR_QUIET_ZONE;
  const dark = (x: number, y: number) => code[y - QR_QUIET_ZONE]?.[x - QR_QUIET_ZONE] === true;
  const lines: string[] = [];
  for (let y = 0; y < size; y += 2) {
    let line = '';
    let last = '';
    for (let x = 0; x < size; x++) {
      const top = dark(x, y);
      const bottom = y + 1 < size ? dark(x, y + 1) : false;
      if (options.color) {
        const sgr = `\x1b[${top ? 30 : 97};${bottom ? 40 : 107}m`;
        if (sgr !== last) line += sgr;
        last = sgr;
        line += '▀';
      } else {
        line += !top && !bottom ? '█' : !top ? '▀' : !bottom ? '▄' : ' ';
      }
    }
    lines.push(options.color ? `${line}\x1b[0m` : line);
  }
  return lines.join('\n');
}

export interface StartBannerOptions {
  urls: DeviceUrl[];
  signalUrl: string;
  tls: boolean;
  /** The generated certificate's file when it is self-signed; null for the user's own. */
  selfSignedCert: string | null;
  /** One line about the ICE servers handed out. */
  iceSummary: string;
  /** Draw the QR code with ANSI colours (stdout is a terminal). */
  color: boolean;
}

/** The lines `npm start` prints once it listens. */
export function startBanner(options: StartBannerOptions): string {
  const width = Math.max(...options.urls.map((u) => u.url.length)) + 2;
  const label = { local: 'this machine', network: 'other devices on this network', name: 'by name' } as const;
  const out = [`tabchain is running${options.tls ? ' over HTTPS' : ''}:`];
  for (const u of options.urls) out.push(`  ${u.url.padEnd(width)}${label[u.scope]}`);
  out.push(`signaling at ${options.signalUrl}`, options.iceSummary);
  const phone = phoneUrl(options.urls);
  if (!options.tls) {
    if (phone) out.push('Other devices need HTTPS (a page over plain http is only usable on localhost): start with npm start -- --https');
    return out.join('\n') + '\n';
  }
  if (phone) out.push('', `Open on a phone on the same Wi-Fi (scan): ${phone}`, terminalQr(phone, { color: options.color }));
  if (options.selfSignedCert) {
    out.push(
      '',
      `The certificate is self-signed (${options.selfSignedCert}): each browser warns once per device. Accept it: ` +
        'Chrome "Advanced" → "Proceed", Safari "Show Details" → "visit this website", Firefox "Advanced…" → "Accept the Risk and Continue".',
    );
  }
  return out.join('\n') + '\n';
}
