/**
 * @module The adversary on a real network (tests only): an AdversaryNetwork joined to a
 * signaling server and linked to tabs over WebRTC (`@roamhq/wrtc`), through the same
 * PeerConnector a headless node uses. Its node keeps the chain in memory.
 */
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { BanList, MemoryBanStore, MemoryChainStore, MemoryPendingTxStore, Node, regtestParams, type NodeIdentity, type PeerId } from '../../src/core/index.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { PeerConnector } from '../../src/app/peer-connector.ts';
import { WebRtcLink } from '../../src/adapters/net/webrtc-link.ts';
import { AdversaryNetwork } from './adversary-network.ts';
import { newIdentity } from './memory-peers.ts';

export interface WrtcAdversary {
  readonly node: Node;
  readonly network: AdversaryNetwork;
  readonly identity: NodeIdentity;
  readonly peerId: PeerId;
  close(): void;
}

export async function startWrtcAdversary(signalingUrl: string, identity = newIdentity()): Promise<WrtcAdversary> {
  const node = await Node.open({ params: regtestParams, chainStore: new MemoryChainStore(), pendingStore: new MemoryPendingTxStore(), clock: systemClock });
  const bans = await BanList.open(new MemoryBanStore(), systemClock);
  const network = new AdversaryNetwork({ node, identity, bans, userAgent: 'tabchain-adversary' });
  const connector = new PeerConnector({
    network,
    identity,
    signalingUrl,
    room: regtestParams.genesisHash,
    wrtc,
    createLink: (options) => new WebRtcLink(options),
    WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  connector.start();
  return { node, network, identity, peerId: identity.peerId, close: () => connector.stop() };
}

/** A real SDP offer (what a tab's first signal carries), made once and reused by a flood of fake ids. */
export async function realOffer(): Promise<{ type: 'offer'; sdp: string }> {
  const pc = new wrtc.RTCPeerConnection();
  pc.createDataChannel('tabchain');
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  pc.close();
  return { type: 'offer', sdp: offer.sdp! };
}
