/**
 * @module What `new RTCPeerConnection({ iceServers })` accepts, checked before a list is used:
 * one entry it refuses makes the constructor throw, and then every link fails. Shared by the
 * user's own list (src/app/ice-server-list.ts) and the list a signaling server hands out
 * (signaling-client.ts), which is no more trusted than the user's.
 *
 * Measured in Chromium: it throws on `stun:` with `?transport=`, an empty host, spaces, port 0
 * or above 65535, anything after the port, a TURN entry without a username or credential (or
 * with an empty one), and a TURN username longer than 509 bytes.
 */

const URL_PATTERN = /^(stuns?|turns?):(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/;

/** Chromium refuses a TURN username longer than this (bytes of UTF-8). */
export const MAX_TURN_USERNAME_BYTES = 509;

/** Checks one ICE URL (RFC 7064 / 7065 syntax: scheme, host, optional port and transport). */
export function isIceUrl(url: string): boolean {
  const match = URL_PATTERN.exec(url);
  if (!match) return false;
  const port = match[3] ? Number(match[3].slice(1)) : 1;
  return port >= 1 && port <= 65535 && !(match[1]!.startsWith('stun') && match[4]);
}

/** A username and credential a TURN entry can use (both present and non-empty, the username not too long). */
export function isTurnCredential(username: unknown, credential: unknown): boolean {
  return (
    typeof username === 'string' &&
    typeof credential === 'string' &&
    username !== '' &&
    credential !== '' &&
    new TextEncoder().encode(username).length <= MAX_TURN_USERNAME_BYTES
  );
}
