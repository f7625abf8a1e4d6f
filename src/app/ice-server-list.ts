/**
 * @module The user's own ICE servers, as a person writes them: one server a line,
 *
 *     stun:stun.example.org:3478
 *     turn:turn.example.org:3478?transport=udp  alice  s3cret
 *
 * (a URL, then for TURN a username and a credential), or the JSON array `RTCPeerConnection`
 * takes. Checked before use: a malformed entry makes `new RTCPeerConnection` throw, which would
 * break every link. Kept in localStorage under {@link ICE_SERVERS_KEY}.
 */

import { isIceUrl, isTurnCredential, MAX_TURN_USERNAME_BYTES } from '../adapters/net/ice-url.ts';

/** The localStorage key of the user's own list (a JSON array of RTCIceServer). */
export const ICE_SERVERS_KEY = 'tabchain-ice-servers';

/** At most this many servers (each one is tried by every link, so a long list slows every link). */
export const MAX_ICE_SERVERS = 8;

export type IceServerListErrorCode = 'bad-url' | 'missing-credentials' | 'too-many' | 'bad-json';

/** A line (1-based; 0 for the whole input) that is not a usable ICE server. */
export class IceServerListError extends Error {
  override readonly name = 'IceServerListError';
  constructor(
    readonly code: IceServerListErrorCode,
    readonly line: number,
    message: string,
  ) {
    super(line > 0 ? `line ${line}: ${message}` : message);
  }
}

/** Checks one ICE URL (kept here for the page API and the settings form). */
export { isIceUrl };

function checkServer(server: RTCIceServer, line: number): RTCIceServer {
  const urls = Array.isArray(server.urls) ? server.urls : [server.urls];
  if (urls.length === 0) throw new IceServerListError('bad-url', line, 'a server needs a URL');
  for (const url of urls) {
    if (typeof url !== 'string' || !isIceUrl(url)) {
      throw new IceServerListError('bad-url', line, `${JSON.stringify(url)} is not a stun:, stuns:, turn: or turns: URL (host, optional :port)`);
    }
  }
  const turn = urls.some((u) => u.startsWith('turn'));
  if (turn && (typeof server.username !== 'string' || typeof server.credential !== 'string' || !server.username || !server.credential)) {
    throw new IceServerListError('missing-credentials', line, 'a TURN server needs a username and a credential after its URL');
  }
  if (turn && !isTurnCredential(server.username, server.credential)) {
    throw new IceServerListError('missing-credentials', line, `a TURN username is at most ${MAX_TURN_USERNAME_BYTES} bytes`);
  }
  const checked: RTCIceServer = { urls };
  if (turn) {
    checked.username = server.username!;
    checked.credential = server.credential!;
  }
  return checked;
}

/**
 * Parses the user's list: lines of `URL [username credential]`, or a JSON array of RTCIceServer.
 * Blank lines and lines starting with `#` are skipped; an empty input is an empty list.
 * Throws {@link IceServerListError} naming the line at fault.
 *
 * @example
 * parseIceServerList('stun:stun.example.org\nturn:turn.example.org alice s3cret');
 * // [{ urls: ['stun:stun.example.org'] }, { urls: ['turn:turn.example.org'], username: 'alice', credential: 's3cret' }]
 */
export function parseIceServerList(text: string): RTCIceServer[] {
  const trimmed = text.trim();
  let servers: RTCIceServer[];
  if (trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      throw new IceServerListError('bad-json', 0, 'not valid JSON');
    }
    if (!Array.isArray(value)) throw new IceServerListError('bad-json', 0, 'a JSON list of servers is an array');
    servers = value.map((entry, i) => {
      if (!entry || typeof entry !== 'object') throw new IceServerListError('bad-json', i + 1, 'each server is an object with urls');
      return checkServer(entry as RTCIceServer, i + 1);
    });
  } else {
    servers = [];
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const [url, username, credential, ...rest] = line.split(/\s+/);
      if (rest.length > 0) throw new IceServerListError('bad-url', i + 1, 'a line is a URL, then for TURN a username and a credential');
      servers.push(checkServer({ urls: [url!], ...(username !== undefined ? { username } : {}), ...(credential !== undefined ? { credential } : {}) }, i + 1));
    });
  }
  if (servers.length > MAX_ICE_SERVERS) throw new IceServerListError('too-many', 0, `at most ${MAX_ICE_SERVERS} servers`);
  return servers;
}

/**
 * The list written back as lines (what the settings field shows), or as JSON when a username or
 * credential holds whitespace (a line could not say where it ends, and saving again would fail).
 */
export function formatIceServerList(servers: readonly RTCIceServer[]): string {
  const spaced = (value: unknown) => typeof value === 'string' && /\s/.test(value);
  if (servers.some((s) => spaced(s.username) || spaced(s.credential))) return JSON.stringify(servers);
  return servers
    .flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]).map((url) => [url, s.username, typeof s.credential === 'string' ? s.credential : undefined].filter((x) => x !== undefined).join(' ')))
    .join('\n');
}

/** The saved list, or null when there is none or it is no longer valid. */
export function loadIceServerList(storage: Pick<Storage, 'getItem'> | undefined): RTCIceServer[] | null {
  try {
    const saved = storage?.getItem(ICE_SERVERS_KEY);
    return saved ? parseIceServerList(saved) : null;
  } catch {
    return null;
  }
}
