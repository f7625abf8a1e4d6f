/**
 * @module The ICE servers the signaling server hands to each client in `joined` (and again on
 * `ice-refresh`): STUN URLs as they are, and TURN URLs with credentials issued to that client
 * (turn-credentials.ts). Also the check of STUN/TURN URLs as they are written on the command line.
 */
import type { IceServerConfig } from '../src/core/net/signaling-messages.ts';
import { turnCredential } from './turn-credentials.ts';

/** Default lifetime of a TURN credential: one day, as coturn's examples use. */
export const DEFAULT_TURN_TTL_SECONDS = 86_400;

export interface IceServersOption {
  /** STUN URLs (`stun:host[:port]`, `stuns:host[:port]`), handed out as they are. */
  stun?: string[];
  /** TURN URLs and the secret shared with the TURN server (coturn `static-auth-secret`). */
  turn?: { urls: string[]; secret: string; ttlSeconds?: number };
}

/** A STUN or TURN URL that cannot work (RangeError, so a bad option fails at start, not at join). */
export class IceUrlError extends RangeError {
  override readonly name = 'IceUrlError';
}

// RFC 7064 (stun:, stuns:) and RFC 7065 (turn:, turns:): scheme:host[:port], TURN with an
// optional ?transport=udp|tcp. No "//", no path, no user info.
const HOST = String.raw`(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\])`;
const STUN_URL = new RegExp(String.raw`^stuns?:${HOST}(?::(\d{1,5}))?$`);
const TURN_URL = new RegExp(String.raw`^turns?:${HOST}(?::(\d{1,5}))?(?:\?transport=(?:udp|tcp))?$`);

/**
 * Checks one URL of `kind` and returns it; throws {@link IceUrlError} saying what is wrong.
 *
 * @example checkIceUrl('turn:turn.example.org:3478?transport=udp', 'turn')
 */
export function checkIceUrl(url: string, kind: 'stun' | 'turn'): string {
  const pattern = kind === 'stun' ? STUN_URL : TURN_URL;
  const example = kind === 'stun' ? 'stun:stun.example.org:3478' : 'turn:turn.example.org:3478 (or turns:…:5349, ?transport=tcp)';
  const match = pattern.exec(url);
  if (!match) {
    const scheme = /^([a-z]+):/i.exec(url)?.[1]?.toLowerCase();
    const why =
      scheme && scheme !== kind && scheme !== `${kind}s`
        ? `a ${kind.toUpperCase()} URL starts with ${kind}: or ${kind}s:, not ${scheme}:`
        : url.includes('//')
          ? `write ${kind}:host:port, without "//"`
          : `expected ${kind}:host[:port]`;
    throw new IceUrlError(`${JSON.stringify(url)} is not a ${kind.toUpperCase()} URL: ${why}, e.g. ${example}`);
  }
  const port = match[1] === undefined ? undefined : Number(match[1]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new IceUrlError(`${JSON.stringify(url)}: the port must be from 1 to 65535`);
  return url;
}

/** Checks every URL, the secret and the lifetime; returns the option with the TURN lifetime filled in. Throws IceUrlError/RangeError. */
export function checkIceServersOption(option: IceServersOption): IceServersOption {
  const stun = (option.stun ?? []).map((url) => checkIceUrl(url, 'stun'));
  if (!option.turn) return { stun };
  const { urls, secret } = option.turn;
  const ttlSeconds = option.turn.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS;
  if (urls.length === 0) throw new RangeError('turn.urls is empty: give at least one turn: or turns: URL');
  if (typeof secret !== 'string' || secret === '') throw new RangeError('a TURN server needs its shared secret (coturn static-auth-secret)');
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError(`the TURN credential lifetime must be a positive whole number of seconds, not ${ttlSeconds}`);
  return { stun, turn: { urls: urls.map((url) => checkIceUrl(url, 'turn')), secret, ttlSeconds } };
}

/**
 * The ICE servers for one client: one entry with every STUN URL, one with every TURN URL and
 * credentials for `peerId` valid from `nowSeconds` for the configured lifetime. `[]` for none.
 */
export function iceServersFor(option: IceServersOption | undefined, peerId: string, nowSeconds: number): IceServerConfig[] {
  const servers: IceServerConfig[] = [];
  if (option?.stun?.length) servers.push({ urls: [...option.stun] });
  if (option?.turn) {
    const { username, credential } = turnCredential(option.turn.secret, peerId, option.turn.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS, nowSeconds);
    servers.push({ urls: [...option.turn.urls], username, credential });
  }
  return servers;
}
