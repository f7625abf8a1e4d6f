/**
 * @module Where a plain HTTP request to the headless node may come from: its Host (against DNS
 * rebinding) and, for web pages, its Origin and Sec-Fetch-Site; as a pure check
 * ({@link checkRequestSource}) and as the Hono middleware http-server.ts puts in front of the REST
 * API and `/signal` ({@link requestSourceGuard}). It judges the raw headers Node read, not the
 * framework's request, whose URL was made from a Host that may be missing or forged.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { forwardedTls } from '../../signaling-server/client-address.ts';
import type { MiddlewareHandler } from 'hono';
import { jsonReply } from './rest/app.ts';

/** Who may send requests: see {@link checkRequestSource}. */
export interface RequestSourcePolicy {
  /** The port listened on. */
  readonly port: number;
  /** The address listened on (--host). */
  readonly host: string;
  /** Page origins allowed besides the node's own (--origin, normalized; `*` is ignored here). */
  readonly origins: readonly string[];
  /** The REST writes need a bearer token. */
  readonly tokenRequired: boolean;
  /** Behind a reverse proxy the operator trusts (--trust-proxy): see {@link checkRequestSource}. Default false. */
  readonly trustProxy?: boolean;
}

export interface SourceRefusal {
  readonly status: 421 | 403;
  readonly error: 'bad-host' | 'cross-site';
  readonly message: string;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[^:[\]/@\s]+)(?::([0-9]{1,5}))?$/i;

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/**
 * Whether a plain HTTP request may be served, judged by its Host, Origin and Sec-Fetch-Site
 * headers; null when it may, else the refusal to answer.
 *
 * - **Host** (against DNS rebinding, where a page's own name is re-pointed at 127.0.0.1 so the
 *   browser treats the node as same-origin): the host must be `localhost`, `127.0.0.1`, `[::1]`
 *   or the `--host` address, and the port the node's (none means 80). When listening on every
 *   interface the node's names are unknown: with a token set, any Host is answered (a rebound
 *   page has no token, so it can only read what anyone reaching the port can read); without a
 *   token, loopback names only, so a token is what opens the REST API to other machines (the
 *   WebSocket `/signal`, all other nodes need, is open either way). A missing Host is refused.
 *   Behind a trusted proxy (`trustProxy`) the Host is the name the proxy forwards, which the node
 *   cannot know: as on every interface, any Host with a token, loopback names only without one.
 *   The proxy serves the API to anyone it lets in, so a rebound page without the token gains
 *   nothing; without a token, a page rebound to the node's own port could otherwise use the API.
 * - **Origin**: browsers send it on cross-origin fetches and on every POST; one that is neither
 *   an `--origin` nor the node's own (`http://` + the Host; behind a trusted proxy that says
 *   `X-Forwarded-Proto: https`, `https://` + the Host too) is refused, `null` included.
 * - **Sec-Fetch-Site**: `cross-site` or `same-site` (sent by browsers even on `<img>` and
 *   navigations to localhost, which carry no Origin) is refused unless the Origin is an `--origin`.
 *
 * curl, scripts and other nodes send no Origin and no Sec-Fetch-Site, so they are served.
 */
export function checkRequestSource(headers: IncomingHttpHeaders, policy: RequestSourcePolicy): SourceRefusal | null {
  const hostHeader = (headers.host ?? '').trim().toLowerCase();
  const trustProxy = policy.trustProxy ?? false;
  const anyHost = (isWildcard(policy.host) || trustProxy) && policy.tokenRequired;
  if (!anyHost) {
    const names = new Set([...LOOPBACK_NAMES, ...(isWildcard(policy.host) ? [] : [urlHost(policy.host.toLowerCase())])]);
    const match = HOST_HEADER.exec(hostHeader);
    const port = match ? (match[2] !== undefined ? Number(match[2]) : 80) : NaN;
    if (!match || !names.has(match[1]!) || port !== policy.port) {
      const shown = [...names].map((n) => `${n}:${policy.port}`).join(', ');
      return {
        status: 421,
        error: 'bad-host',
        message:
          `this node answers requests for ${shown} only, not for Host ${JSON.stringify(hostHeader.slice(0, 100))} (a guard against DNS rebinding)` +
          (trustProxy
            ? '; behind --trust-proxy, other names are answered only when the API needs a token (drop --insecure)'
            : isWildcard(policy.host)
              ? '; to use the REST API from other machines, start the node with a token (TABCHAIN_TOKEN)'
              : ''),
      };
    }
  }
  const origin = typeof headers.origin === 'string' ? headers.origin.trim().toLowerCase() : undefined;
  const listed = origin !== undefined && policy.origins.some((o) => o !== '*' && o.toLowerCase() === origin);
  const own = origin === `http://${hostHeader}` || (origin === `https://${hostHeader}` && forwardedTls(headers, trustProxy));
  if (origin !== undefined && !listed && !own) {
    return { status: 403, error: 'cross-site', message: `requests from web pages of other origins are refused (Origin ${JSON.stringify(origin.slice(0, 100))}): start the node with --origin ORIGIN to allow one` };
  }
  const site = headers['sec-fetch-site'];
  if ((site === 'cross-site' || site === 'same-site') && !listed) {
    return { status: 403, error: 'cross-site', message: `requests from web pages of other sites are refused (Sec-Fetch-Site: ${site}): start the node with --origin ORIGIN to allow one` };
  }
  return null;
}

/** The host part of a URL for `host` (IPv6 in brackets; a wildcard becomes the loopback address). */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Refuses (421 / 403, JSON) what {@link checkRequestSource} refuses; `policy` is read per request (the port is known once listening). */
export function requestSourceGuard(policy: () => RequestSourcePolicy): MiddlewareHandler<{ Bindings: HttpBindings }> {
  return async (c, next) => {
    const refusal = checkRequestSource(c.env.incoming.headers, policy());
    if (refusal) return jsonReply(refusal.status, { error: refusal.error, message: refusal.message });
    await next();
  };
}
