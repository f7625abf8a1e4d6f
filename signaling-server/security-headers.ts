/**
 * @module The security headers every response of tabchain's servers carries (`npm start`,
 * `node signaling-server`, the headless node): one policy, written once.
 *
 * The app's Content-Security-Policy allows only its own files: no inline script or style, no
 * eval, no plugins, no `<base>`, no framing. `connect-src` is the app's origin, the WebSocket
 * forms of it (`ws://` and `wss://` + the Host: CSP Level 2 browsers do not count those as
 * `'self'`, and behind a TLS proxy the page is https while this server sees http),
 * and the origin of a `?signal=` URL on the page's own address: that is the only other
 * signaling server a tab served from here connects to (the app asks the user before using one of
 * another origin, and the service worker sends such navigations to the network so this header,
 * not a cached one, applies). STUN and TURN are not fetches: CSP has no say over WebRTC's ICE
 * traffic, so the ICE URLs need no entry. The workers (the miner, the service worker) and the
 * manifest and icons are the app's own files.
 *
 * HSTS is sent only over HTTPS, and not for loopback names or IP literals: browsers ignore it on
 * IP addresses, and on `localhost` it would turn every other local http:// server to https for a
 * year.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { forwardedTls } from './client-address.ts';

/** What a response's security headers depend on. */
export interface SecurityHeaderContext {
  /** The request's Host header. */
  readonly host?: string | undefined;
  /** The request target (path and query), for `?signal=`. */
  readonly url?: string | undefined;
  /** Whether the response goes out over TLS (HSTS, and `wss:` rather than `ws:`). */
  readonly tls: boolean;
}

/** A year: what HSTS preload lists ask for, and long enough to cover visits months apart. */
const HSTS_MAX_AGE_S = 31_536_000;
/** A Host header we may copy into a policy: a DNS name or an IP literal, and a port. */
const SAFE_HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/i;
const LOOPBACK_OR_IP = /^(?:localhost|[0-9.]+|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/i;
/** Hosts a browser trusts over plain http (a secure context): localhost and loopback addresses. */
const LOOPBACK = /^(?:localhost|[a-z0-9-]+\.localhost|127(?:\.[0-9]{1,3}){3}|\[::1\])(?::[0-9]{1,5})?$/i;

/** Headers for every response, documents or not. */
const COMMON: Readonly<Record<string, string>> = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** The origin of a `?signal=` ws:// or wss:// URL, safe to put in a policy; null otherwise. */
export function signalOrigin(url: string | undefined): string | null {
  if (!url) return null;
  let asked: string | null;
  try {
    asked = new URL(url, 'http://localhost').searchParams.get('signal');
  } catch {
    return null;
  }
  if (!asked) return null;
  let parsed: URL;
  try {
    parsed = new URL(asked);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return null;
  // URL parsing still lets ';' and ',' through in a host: only plain names and IP literals pass.
  return SAFE_HOST.test(parsed.host) ? `${parsed.protocol}//${parsed.host}` : null;
}

/** The app's Content-Security-Policy for a request (see the module comment). */
export function appContentSecurityPolicy(context: SecurityHeaderContext): string {
  const connect = ["'self'"];
  const host = context.host?.trim() ?? '';
  // Both schemes: behind a TLS proxy this server sees plain http while the page is https.
  if (SAFE_HOST.test(host)) connect.push(`ws://${host.toLowerCase()}`, `wss://${host.toLowerCase()}`);
  const signal = signalOrigin(context.url);
  if (signal && !connect.includes(signal)) connect.push(signal);
  return [
    "default-src 'self'",
    // 'wasm-unsafe-eval' lets the miner's workers compile their WebAssembly kernel (and nothing
    // else: no eval, no inline script); without it Chromium refuses every WebAssembly module.
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    `connect-src ${connect.join(' ')}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** For servers that serve no app (the headless node's JSON API): nothing may load at all. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Whether HSTS may be sent for this Host (a DNS name other than localhost). */
function hstsApplies(host: string | undefined): boolean {
  const h = host?.trim() ?? '';
  return SAFE_HOST.test(h) && !LOOPBACK_OR_IP.test(h);
}

/**
 * Every security header for one response. `kind` is `app` for a server that serves the app's
 * files (its policy lets them load), `api` for one that serves data only.
 */
export function securityHeaders(context: SecurityHeaderContext, kind: 'app' | 'api'): Record<string, string> {
  const headers: Record<string, string> = {
    ...COMMON,
    'content-security-policy': kind === 'app' ? appContentSecurityPolicy(context) : API_CONTENT_SECURITY_POLICY,
  };
  if (context.tls && hstsApplies(context.host)) headers['strict-transport-security'] = `max-age=${HSTS_MAX_AGE_S}`;
  // A page over plain http on a LAN name or address is no secure context: the browser ignores
  // COOP there and says so in the console of every page (the app then explains HTTPS anyway).
  if (kind === 'app' && !context.tls && !LOOPBACK.test(context.host?.trim() ?? '')) delete headers['cross-origin-opener-policy'];
  return headers;
}

/**
 * {@link securityHeaders} for a Node request. Behind a proxy the operator trusts (`trustProxy`),
 * `X-Forwarded-Proto: https` counts as TLS (so HSTS is sent).
 */
export function requestSecurityHeaders(
  req: { headers: IncomingHttpHeaders; url?: string | undefined },
  tls: boolean,
  kind: 'app' | 'api',
  trustProxy = false,
): Record<string, string> {
  return securityHeaders({ host: req.headers.host, url: req.url, tls: tls || forwardedTls(req.headers, trustProxy) }, kind);
}

/** The API's headers as raw header lines, for answers written straight to a socket (client errors). */
export const API_SECURITY_HEADER_LINES = Object.entries(securityHeaders({ tls: false }, 'api'))
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');
