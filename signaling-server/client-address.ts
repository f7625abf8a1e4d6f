/**
 * @module Who a request or connection comes from, for per-address limits: the socket's address,
 * or, behind a reverse proxy the operator names trusted (`--trust-proxy`), the address the proxy
 * appended to `X-Forwarded-For`. Addresses are counted by group: an IPv4 address alone, an IPv6
 * address by its /64 (one home or one cloud VM gets a whole /64, so counting single IPv6
 * addresses would let one client take as many slots as it likes). Also whether such a proxy says
 * the client came over TLS (`X-Forwarded-Proto`). Shared by `npm start`, `node signaling-server`
 * and the headless node, each with its `--trust-proxy`.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** The address written as IPv4 when it is an IPv4-mapped IPv6 one (`::ffff:1.2.3.4`). */
export function plainAddress(address: string | undefined): string {
  const a = address ?? 'unknown';
  return a.toLowerCase().startsWith('::ffff:') && isIPv4(a.slice(7)) ? a.slice(7) : a;
}

/**
 * Where a request comes from. With `trustProxy`, the last `X-Forwarded-For` entry: the one the
 * (trusted) proxy appended, since every earlier one is whatever the client wrote. Without it, or
 * when that entry is not an IP address, the socket's address.
 */
export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const text = Array.isArray(header) ? header.join(',') : header;
    const last = text?.split(',').pop()?.trim();
    if (last && (isIPv4(last) || isIPv6(last))) return plainAddress(last);
  }
  return plainAddress(req.socket.remoteAddress);
}

/**
 * Whether the (trusted) proxy says the client reached it over TLS: the last `X-Forwarded-Proto`
 * entry is `https`. Always false without `trustProxy`: anyone can send the header.
 */
export function forwardedTls(headers: IncomingHttpHeaders, trustProxy: boolean): boolean {
  if (!trustProxy) return false;
  const header = headers['x-forwarded-proto'];
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  return text.split(',').pop()?.trim().toLowerCase() === 'https';
}

/** The 8 groups of 16 bits of an IPv6 address, `::` expanded (an embedded IPv4 tail counted as two). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0]!;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => parseInt(g, 16));
}

/** The group an address is counted in: IPv4 alone, IPv6 by its /64 (`2001:db8:1:2::/64`). */
export function addressGroup(address: string): string {
  const plain = plainAddress(address);
  if (!isIPv6(plain)) return plain;
  const groups = ipv6Groups(plain);
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
