/**
 * @module The half-open slot flood (tests only): offers from made-up ids, over the signaling
 * server alone. No WebRTC here, so the test's own process can run it (the offer it repeats is
 * made by a real WebRTC stack elsewhere: AdversaryChild.realOffer).
 */
import WebSocket from 'ws';
import { regtestParams, type PeerId } from '../../src/core/index.ts';
import { SignalingClient } from '../../src/adapters/net/signaling-client.ts';
import { newIdentity } from './memory-peers.ts';

/**
 * Sends offers to `victim` from a new made-up id every `everyMs`, each through its own signaling
 * socket that joins, offers and leaves: the half-open slot flood. Stops when `stop()` is called.
 */
export function floodOffers(signalingUrl: string, victim: PeerId, offer: { type: 'offer'; sdp: string }, everyMs = 250): { stop(): void; sent(): number } {
  let sent = 0;
  let stopped = false;
  const clients = new Set<SignalingClient>();
  const timer = setInterval(() => {
    if (stopped) return;
    const client: SignalingClient = new SignalingClient({
      url: signalingUrl,
      room: regtestParams.genesisHash,
      identity: newIdentity(),
      WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
      onStatus: (status) => {
        if (status !== 'online') return;
        if (client.signal(victim, offer)) sent++;
        // Leave once the offer is out, so the server's per-address socket cap never bites.
        setTimeout(() => {
          client.stop();
          clients.delete(client);
        }, 500);
      },
      onPeers: () => undefined,
      onPeerJoined: () => undefined,
      onPeerLeft: () => undefined,
      onSignal: () => undefined,
    });
    clients.add(client);
    client.start();
  }, everyMs);
  return {
    sent: () => sent,
    stop() {
      stopped = true;
      clearInterval(timer);
      for (const c of clients) c.stop();
    },
  };
}
