/**
 * @module Relayed signaling that cannot impersonate (issue 11, part 4). A WebRTC offer, answer or
 * candidate relayed through connected peers (mesh introductions, while the signaling server is
 * away) names its sender in `from`; any peer on the way could write any `from`. So the sender
 * signs, with the node key its peer id is the hash of:
 *
 *     taggedHash('tabchain/signal-relay', sha256(data), from ‖ to ‖ time (u32le) ‖ networkId)
 *
 * The message carries the sender's public key, so every hop checks that the key hashes to `from`
 * and that the signature holds before it forwards or uses the message. A forged relay is then
 * stopped at the first honest hop, and the peer that handed it over (whose key its handshake
 * proved) is the one to blame, never the peer it named. `time` (the sender's clock, unix seconds)
 * bounds replays of an old session's signals to {@link RELAY_SIGNAL_MAX_AGE_S}; the SDP and
 * candidates inside `data` are unique per session, so a signature covers exactly one of them.
 */
import { concatBytes } from '@noble/hashes/utils.js';
import { sha256 } from '../crypto/hash.ts';
import { hexToBytes } from '../encoding/hex.ts';
import { identityDigest, peerIdOf, type PeerId } from './peer-identity.ts';
import { schnorrSign, schnorrVerify } from '../crypto/keys.ts';

/** Relayed signals older (or further ahead) than this, by the receiver's clock, are dropped: browser clocks can be minutes off. */
export const RELAY_SIGNAL_MAX_AGE_S = 10 * 60;

export interface RelayedSignalFields {
  readonly from: PeerId;
  readonly to: PeerId;
  /** Unix seconds by the sender's clock. */
  readonly time: number;
  /** JSON of the WebRTC signal. */
  readonly data: string;
}

function digest(fields: RelayedSignalFields, networkId: Uint8Array): Uint8Array {
  const time = new Uint8Array(4);
  new DataView(time.buffer).setUint32(0, fields.time, true);
  const context = concatBytes(hexToBytes(fields.from), hexToBytes(fields.to), time, networkId);
  return identityDigest('signal-relay', sha256(new TextEncoder().encode(fields.data)), context);
}

/** The sender's signature over a relayed signal. */
export function signRelayedSignal(secretKey: Uint8Array, fields: RelayedSignalFields, networkId: Uint8Array): Uint8Array {
  return schnorrSign(digest(fields, networkId), secretKey);
}

/**
 * Why a relayed signal is not to be used, or 'ok':
 * - `forged`: the key does not hash to `from`, or the signature does not hold (whoever handed it
 *   over did not check it, or made it);
 * - `stale`: signed too long ago (or too far ahead) by this node's clock: an old session replayed,
 *   or a sender whose clock is far off. Not anybody's fault for sure: dropped without blame.
 */
export function checkRelayedSignal(
  fields: RelayedSignalFields & { readonly publicKey: Uint8Array; readonly signature: Uint8Array },
  networkId: Uint8Array,
  nowSeconds: number,
): 'ok' | 'forged' | 'stale' {
  if (peerIdOf(fields.publicKey) !== fields.from) return 'forged';
  if (!schnorrVerify(fields.signature, digest(fields, networkId), fields.publicKey)) return 'forged';
  if (Math.abs(nowSeconds - fields.time) > RELAY_SIGNAL_MAX_AGE_S) return 'stale';
  return 'ok';
}
