/**
 * @module Which pages may open a signaling socket: the Origin of a WebSocket upgrade is checked
 * against the origins this server itself serves (its port on localhost, 127.0.0.1, [::1], the
 * machine's names and addresses) and those the operator allowed. A browser always sends Origin,
 * so this keeps other sites' pages from using a tab's visitors to join rooms; Node clients send
 * none and are let in only when allowed. Also the checks of origins and host names as the
 * operator writes them (command line, options), shared by the server's and the headless node's
 * commands.
 */
import type { Server } from 'node:http';
import { Server as TlsServer } from 'node:tls';
import { certificateNames, reachableHosts } from './local-addresses.ts';

/** What decides whether an upgrade's Origin is allowed. */
export interface OriginPolicy {
  /** Origins allowed besides the server's own (normalized; `'*'` for every origin). */
  readonly extraOrigins: ReadonlySet<string>;
  /** Other names the server is reached by: its own origins on them are allowed too. */
  readonly hostnames: string[];
  /** Whether a request without an Origin header (not a browser) is let in. */
  readonly allowMissingOrigin: boolean;
}

/** Whether an upgrade request to `server` with this Origin header may open a socket. */
export function originAllowed(server: Server, policy: OriginPolicy, origin: string | undefined): boolean {
  if (origin === undefined) return policy.allowMissingOrigin;
  if (policy.extraOrigins.has('*') || policy.extraOrigins.has(origin)) return true;
  return ownOrigins(server, policy.hostnames).has(origin);
}

/**
 * The origins of pages this server itself serves: localhost, 127.0.0.1 and [::1] on its port,
 * the machine's host name (and NAME.local) and `extraNames`, plus its bound address, or every local interface
 * address when bound to all of them. `https://` when the server is a TLS server.
 */
function ownOrigins(server: Server, extraNames: string[]): Set<string> {
  const address = server.address();
  if (!address || typeof address === 'string') return new Set();
  const tls = server instanceof TlsServer;
  const scheme = tls ? 'https' : 'http';
  const defaultPort = tls ? 443 : 80;
  const hosts = new Set(['127.0.0.1', '[::1]', ...certificateNames(extraNames).dns]);
  for (const host of reachableHosts(address.address)) hosts.add(host.includes(':') ? `[${host}]` : host);
  return new Set([...hosts].map((host) => (address.port === defaultPort ? `${scheme}://${host}` : `${scheme}://${host}:${address.port}`)));
}

/** A host name as an origin writes it (lower case); throws TypeError for anything else. */
export function checkHostname(name: string): string {
  const lower = name.toLowerCase();
  if (!/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(lower)) {
    throw new TypeError(`not a host name: ${JSON.stringify(name)} (letters, digits, hyphens and dots, e.g. lan.test)`);
  }
  return lower;
}

/** `https://Example.org/` → `https://example.org`; `'*'` stays. Throws TypeError on anything else. */
export function normalizeOrigin(origin: string): string {
  if (origin === '*') return origin;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new TypeError(`not an origin: ${JSON.stringify(origin)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`not an http(s) origin: ${JSON.stringify(origin)}`);
  return url.origin;
}
