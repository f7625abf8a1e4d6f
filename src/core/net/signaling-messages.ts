/**
 * @module The signaling protocol between a tab and the signaling server (JSON over WebSocket).
 * Shared by the server (signaling-server/) and the browser's signaling client; nothing else of
 * the node crosses to the server. See docs/protocol.md.
 *
 * server → client: challenge · joined · peer-joined · peer-left · signal · ice-servers · pong · error
 * client → server: join · signal · ice-refresh · ping
 */
import type { PeerId } from './peer-identity.ts';

/**
 * A STUN or TURN server for RTCPeerConnection (RTCIceServer-compatible). TURN entries carry
 * short-lived credentials issued to this client (TURN REST: `username` is `expiry:peerId`).
 */
export interface IceServerConfig {
  urls: string[];
  username?: string;
  credential?: string;
}

/** Opaque WebRTC signaling data (simple-peer's offer, answer or candidate), relayed as is. */
export type SignalData = Record<string, unknown>;

export type ServerMessage =
  /** Sent on connect: sign it to join. `nonce` is 32 bytes hex. */
  | { type: 'challenge'; nonce: string }
  /**
   * The join was accepted: your id, the peers already in the room, and the ICE servers this
   * server hands out (always present; `[]` when none are configured).
   */
  | { type: 'joined'; peerId: PeerId; peers: PeerId[]; iceServers: IceServerConfig[] }
  | { type: 'peer-joined'; peerId: PeerId }
  | { type: 'peer-left'; peerId: PeerId }
  /** Relayed signaling data; `from` is set by the server, never by the sender. */
  | { type: 'signal'; from: PeerId; data: SignalData }
  /** The answer to `ice-refresh`: the same servers with fresh TURN credentials. */
  | { type: 'ice-servers'; iceServers: IceServerConfig[] }
  /** The answer to `ping`. */
  | { type: 'pong' }
  | { type: 'error'; code: SignalingErrorCode; message: string };

export type ClientMessage =
  /**
   * `room` is the network id (genesis hash hex); `publicKey` the node's x-only key (hex); `signature`
   * is BIP340 over identityDigest('signal-join', nonce, roomContext(room)).
   */
  | { type: 'join'; room: string; publicKey: string; signature: string }
  | { type: 'signal'; to: PeerId; data: SignalData }
  /** Asks for fresh TURN credentials (a tab open longer than their lifetime). Only after `join`. */
  | { type: 'ice-refresh' }
  /**
   * An app-level heartbeat, answered with `pong`: a browser cannot see WebSocket ping frames, so
   * a tab notices a dead uplink by missing pongs. Allowed before `join` too.
   */
  | { type: 'ping' };

export type SignalingErrorCode =
  | 'bad-json'
  | 'bad-message'
  | 'not-joined'
  | 'already-joined'
  | 'bad-signature'
  | 'unknown-peer'
  | 'room-full'
  | 'duplicate-peer'
  | 'rate-limited';

/** Largest WebSocket message the server accepts (larger ones close the socket with 1009). */
export const SIGNALING_MAX_PAYLOAD = 64 * 1024;

/** The WebSocket path of the signaling endpoint, on the same origin and port as the app. */
export const SIGNALING_PATH = '/signal';

/**
 * Close codes the server uses (the close reason carries a short word, e.g. `join-timeout`).
 * A client reconnects with backoff after any of them except `replaced`: its peer id is live on
 * another socket (a newer connection with the same key), so reconnecting would take it back.
 */
export const SIGNALING_CLOSE = {
  /** The server is shutting down. */
  goingAway: 1001,
  /** No join before the handshake timeout (`join-timeout`), a message flood (`rate-limited`), too many failed joins (`bad-signature`). */
  policyViolation: 1008,
  /** A message above SIGNALING_MAX_PAYLOAD. */
  messageTooBig: 1009,
  /** Another socket joined with the same peer id and took its place. */
  replaced: 4001,
} as const;

/**
 * JSON.parse that refuses prototype-polluting keys (`__proto__`, `constructor`, `prototype`)
 * anywhere in the value: returns undefined for them and for invalid JSON.
 */
export function parseJsonSafely(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v && typeof v === 'object') {
      for (const key of Object.keys(v)) {
        if (key === '__proto__' || key === 'constructor' || key === 'prototype') return undefined;
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
  }
  return value;
}
