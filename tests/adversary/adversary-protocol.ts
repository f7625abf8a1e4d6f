/**
 * @module What the test and the adversary's process (adversary-process.ts) say to each other over
 * IPC. Apart from the process's own file, so importing it runs nothing.
 */
import type { PeerId } from '../../src/core/index.ts';
import type { MessageType } from '../../src/core/net/messages.ts';

/** What a test can ask of the adversary. */
export type AdversaryCommand =
  | { op: 'linked'; peer: PeerId }
  | { op: 'tip' }
  /** Mines `length` blocks above its tip, withholds every body (answered notfound), and announces them. */
  | { op: 'withhold-branch'; length: number }
  | { op: 'block-requests'; peer: PeerId }
  | { op: 'notfound-storm'; peer: PeerId; count: number }
  /** A mesh-relayed signal to `to` that claims to come from `framed`. */
  | { op: 'forged-relay'; to: PeerId; framed: PeerId }
  | { op: 'offer-orphans'; peer: PeerId; count: number }
  | { op: 'received'; peer: PeerId; type: MessageType }
  /** Announces (and serves) a block above its tip whose coinbase names a wrong height. */
  | { op: 'announce-bad-coinbase-height'; peer: PeerId }
  /** Forks `depth` blocks below its tip and outgrows its chain by one block; answers the new tip. */
  | { op: 'reorg'; depth: number }
  /** Bans `peers` by hand (as a user can): it neither chooses them nor takes their offers. */
  | { op: 'ban'; peers: PeerId[] };

export type AdversaryReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** The argument that asks the process for a real SDP offer only (it joins no signaling server). */
export const OFFER_ONLY = '--offer';

/** The only message of a process started with OFFER_ONLY. */
export type OfferReply = { offer: { type: 'offer'; sdp: string } };

/** The first message of the process: its peer id once it joined, or why it could not. */
export type AdversaryHello = { ready: true; peerId: PeerId } | { ready: false; error: string };
