/**
 * @module The checks of what a client sends the signaling server, before the server acts on it:
 * a JSON text frame holding an object with a string `type` (no `__proto__`, `constructor` or
 * `prototype` keys), and for `join` and `signal` the exact shape of each field. A message that
 * fails gets a `MessageRefusal` with the error code and the sentence the client is sent; nothing
 * it holds is used. What the fields mean (signatures, rooms, peers) is the endpoint's business.
 */
import type { RawData } from 'ws';
import { hexToBytes, PEER_ID_PATTERN, type PeerId } from '../src/core/net/peer-identity.ts';
import { parseJsonSafely, type SignalData, type SignalingErrorCode } from '../src/core/net/signaling-messages.ts';

const ROOM_PATTERN = /^[0-9a-f]{64}$/;
const PUBLIC_KEY_PATTERN = /^[0-9a-f]{64}$/;
const SIGNATURE_PATTERN = /^[0-9a-f]{128}$/;

/** Why a message is refused: the code and message of the `error` the client gets. */
export class MessageRefusal {
  constructor(
    readonly code: SignalingErrorCode,
    readonly message: string,
  ) {}
}

/** A client message whose type is known to be a string; its other fields are unchecked. */
export type UncheckedMessage = Record<string, unknown> & { readonly type: string };

/** A `join`'s fields, checked and decoded (the signature is not verified here). */
export interface JoinRequest {
  readonly room: string;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}

/** A `signal`'s fields, checked. */
export interface SignalRequest {
  readonly to: PeerId;
  readonly data: SignalData;
}

/** Reads one WebSocket message as a client message (a JSON object with a string type). */
export function readClientMessage(data: RawData, isBinary: boolean): UncheckedMessage | MessageRefusal {
  if (isBinary) return new MessageRefusal('bad-message', 'messages are JSON text frames');
  const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as Uint8Array).toString('utf8');
  const message = parseJsonSafely(text);
  if (message === undefined) return new MessageRefusal('bad-json', 'not JSON, or JSON with a __proto__, constructor or prototype key');
  if (!isPlainObject(message) || typeof message.type !== 'string') return new MessageRefusal('bad-message', 'a message is an object with a string type');
  return message as UncheckedMessage;
}

/** Checks a `join`: the room is a network id, the key and signature are hex of the right length. */
export function checkJoin(message: UncheckedMessage): JoinRequest | MessageRefusal {
  const { room, publicKey, signature } = message;
  if (typeof room !== 'string' || !ROOM_PATTERN.test(room)) return new MessageRefusal('bad-message', 'room must be a network id: 64 lowercase hex characters');
  if (typeof publicKey !== 'string' || !PUBLIC_KEY_PATTERN.test(publicKey)) return new MessageRefusal('bad-message', 'publicKey must be 64 lowercase hex characters');
  if (typeof signature !== 'string' || !SIGNATURE_PATTERN.test(signature)) return new MessageRefusal('bad-message', 'signature must be 128 lowercase hex characters');
  return { room, publicKey: hexToBytes(publicKey), signature: hexToBytes(signature) };
}

/** Checks a `signal`: `to` is a peer id and `data` an object (passed on as it is). */
export function checkSignal(message: UncheckedMessage): SignalRequest | MessageRefusal {
  const { to, data } = message;
  if (typeof to !== 'string' || !PEER_ID_PATTERN.test(to)) return new MessageRefusal('bad-message', 'to must be a peer id: 32 lowercase hex characters');
  if (!isPlainObject(data)) return new MessageRefusal('bad-message', 'data must be an object');
  return { to, data: data as SignalData };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
