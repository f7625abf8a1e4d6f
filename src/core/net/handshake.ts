/**
 * @module The handshake that opens every link: each side sends its `version` (network, tip, public
 * key and a fresh nonce) and answers the other's with a `verack` that signs that nonce, so the
 * key the peer's id hashes from is proven before anything else the peer sends counts. A peer of
 * another network is banned, but only once its key is proven: before that its id is merely
 * claimed, and banning it could frame whoever owns it.
 */
import { bytesEqual, hexToHash } from '../encoding/hex.ts';
import { MIN_PROTOCOL_VERSION, WIRE_LIMITS, type Message } from './messages.ts';
import { peerIdOf, signIdentity, verifyIdentity } from './peer-identity.ts';
import type { BlockSync } from './block-sync.ts';
import { ban, drop, type Peer, type PeerHost } from './peer.ts';

export class Handshake {
  /** The user agent our version carries (the wire allows 64 bytes of it). */
  private readonly userAgent: string;

  constructor(
    private readonly host: PeerHost,
    private readonly sync: BlockSync,
    userAgent: string,
    /** The protocol version this node speaks (PROTOCOL_VERSION unless made to speak an older one). */
    private readonly protocolVersion: number,
    /** Both sides' versions are in and the peer's key is proven. */
    private readonly done: (p: Peer, remote: Extract<Message, { type: 'version' }>) => void,
  ) {
    this.userAgent = truncateUtf8(userAgent, WIRE_LIMITS.maxUserAgent);
  }

  /** A link opened: our version goes first, whoever initiated it. */
  start(p: Peer): void {
    const node = this.host.node;
    const tip = node.tip;
    this.host.send(p, {
      type: 'version',
      protocolVersion: this.protocolVersion,
      networkId: node.params.networkId,
      height: tip.height,
      tipHash: hexToHash(tip.hash),
      totalWork: tip.chainWork,
      publicKey: this.host.identity.publicKey,
      nonce: p.nonce,
      userAgent: this.userAgent,
    });
  }

  onVersion(p: Peer, m: Extract<Message, { type: 'version' }>): void {
    if (p.remote) return; // A second handshake is ignored (test-plan D.26).
    if (peerIdOf(m.publicKey) !== p.id) return this.host.close(p, drop('public key does not match the peer id'));
    if (m.protocolVersion < MIN_PROTOCOL_VERSION) return this.host.close(p, drop(`protocol version ${m.protocolVersion}`));
    // The link speaks the lower version (a newer peer speaks ours, as we would speak an older one's).
    p.version = Math.min(this.protocolVersion, m.protocolVersion);
    const networkId = this.host.node.params.networkId;
    // A peer of another network is banned, but only once its verack proves its key (checked
    // against its own network id): until then its id is merely claimed.
    p.foreign = !bytesEqual(m.networkId, networkId);
    p.remote = m;
    p.height = m.height;
    if (!p.foreign) this.sync.tipAnnounced(p, m.tipHash);
    this.host.send(p, { type: 'verack', signature: signIdentity(this.host.identity.secretKey, 'handshake', m.nonce, networkId) });
    this.maybeDone(p);
  }

  onVerack(p: Peer, signature: Uint8Array): void {
    if (p.verified) return;
    if (!p.remote) return this.host.close(p, ban('verack before version'));
    if (!verifyIdentity(p.remote.publicKey, signature, 'handshake', p.nonce, p.remote.networkId)) return this.host.close(p, ban('failed key proof'));
    p.verified = true;
    if (p.foreign) return this.host.close(p, ban('another network'));
    this.maybeDone(p);
  }

  private maybeDone(p: Peer): void {
    if (p.state === 'handshaking' && p.remote && p.verified) this.done(p, p.remote);
  }
}

function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  for (const ch of text) {
    if (new TextEncoder().encode(out + ch).length > maxBytes) break;
    out += ch;
  }
  return out;
}
