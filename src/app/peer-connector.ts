/**
 * @module Makes and keeps the tab's WebRTC links: learns peers from the signaling server (and,
 * while it is away, from connected peers), decides who to connect to (at most `maxPeers`; the
 * lower peer id initiates, so two tabs never offer at once), routes each link's signaling through
 * the server or through a connected peer (mesh), and hands open links to the core `Network`.
 */
import { parseJsonSafely, type Network, type NodeIdentity, type PeerId, type SignalData } from '../core/index.ts';
import { SignalingClient, type SignalingStatus } from '../adapters/net/signaling-client.ts';
import { WebRtcLink } from '../adapters/net/webrtc-link.ts';

export interface PeerConnectorOptions {
  readonly network: Network;
  readonly identity: NodeIdentity;
  /** ws:// URL of the signaling endpoint. */
  readonly signalingUrl: string;
  /** The room: the network id (genesis hash hex). */
  readonly room: string;
  readonly maxPeers?: number;
  readonly iceServers?: RTCIceServer[];
  /** Status of the first (own) signaling server. */
  readonly onStatus?: (status: SignalingStatus) => void;
  /** Outside a browser: the WebRTC implementation (`@roamhq/wrtc`) and a WebSocket class (`ws`). */
  readonly wrtc?: unknown;
  readonly WebSocketImpl?: typeof WebSocket;
}

/** How a link's signaling travels: through a signaling server (by URL), or relayed by a connected peer. */
type Route = { readonly kind: 'server'; readonly url: string } | { readonly kind: 'relay'; readonly via: PeerId };

/** One signaling server and the peers it says are in the room. */
interface Server {
  readonly client: SignalingClient;
  readonly peers: Set<PeerId>;
}

interface Pending {
  readonly link: WebRtcLink;
  readonly initiator: boolean;
  route: Route;
  handle?: { receive(chunk: Uint8Array, now?: number): void; closed(): void };
  /** Chunks that arrived before simple-peer reported the link open (the other side was faster). */
  early: Uint8Array[];
}

export interface LinkInfo {
  readonly id: PeerId;
  readonly state: 'connecting' | 'handshaking' | 'ready';
  readonly height: number;
  readonly latencyMs: number | null;
  readonly inbound: boolean;
}

export class PeerConnector {
  private readonly links = new Map<PeerId, Pending>();
  /** Signaling servers by URL: this node's own first, then any added (the tutorials' /nodes/register). */
  private readonly servers = new Map<string, Server>();
  /** Peers connected peers told us about, with one peer that can relay to each. */
  private readonly meshPeers = new Map<PeerId, PeerId>();
  private readonly retryAt = new Map<PeerId, { at: number; delay: number }>();
  private readonly primary: Server;
  private maxPeers: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private started = false;

  constructor(private readonly options: PeerConnectorOptions) {
    this.maxPeers = options.maxPeers ?? 8;
    this.primary = this.makeServer(options.signalingUrl, (status) => options.onStatus?.(status));
    options.network.on('signal', ({ from, data, via }) => {
      const parsed = parseJsonSafely(data);
      if (parsed && typeof parsed === 'object') this.onSignal(from, parsed as SignalData, { kind: 'relay', via });
    });
    options.network.on('peer-list', ({ from, peers }) => {
      for (const p of peers) if (!this.meshPeers.has(p)) this.meshPeers.set(p, from);
      this.fill();
    });
    options.network.on('peer-disconnected', ({ id }) => {
      for (const [p, via] of this.meshPeers) if (via === id || p === id) this.meshPeers.delete(p);
    });
  }

  private makeServer(url: string, onStatus?: (status: SignalingStatus) => void): Server {
    const peers = new Set<PeerId>();
    const client = new SignalingClient({
      url,
      room: this.options.room,
      identity: this.options.identity,
      ...(this.options.WebSocketImpl ? { WebSocketImpl: this.options.WebSocketImpl } : {}),
      onStatus: (status) => onStatus?.(status),
      onPeers: (list) => {
        peers.clear();
        for (const p of list) peers.add(p);
        this.fill();
      },
      onPeerJoined: (peer) => {
        peers.add(peer);
        this.fill();
      },
      onPeerLeft: (peer) => peers.delete(peer),
      onSignal: (from, data) => this.onSignal(from, data, { kind: 'server', url }),
    });
    const server = { client, peers };
    this.servers.set(url, server);
    return server;
  }

  /**
   * Also finds peers through another signaling server (another node's `/signal`): the
   * tutorials' `/nodes/register`. Returns false when it was already known.
   */
  addSignalingServer(url: string): boolean {
    if (this.servers.has(url)) return false;
    const server = this.makeServer(url);
    if (this.started) server.client.start();
    return true;
  }

  /**
   * Stops finding peers through a signaling server added with {@link addSignalingServer} (the
   * REST API's `DELETE /nodes`). Links already open stay open; signaling for them goes through
   * the mesh from now on. The own server cannot be removed. Returns false when it was not known.
   */
  removeSignalingServer(url: string): boolean {
    const server = this.servers.get(url);
    if (!server || server === this.primary) return false;
    this.servers.delete(url);
    server.client.stop();
    return true;
  }

  /** Every signaling server in use, the own one first, with its status and how many peers it knows. */
  signalingServers(): { url: string; status: SignalingStatus; peers: number }[] {
    return [...this.servers.entries()].map(([url, s]) => ({ url, status: s.client.status, peers: s.peers.size }));
  }

  start(): void {
    this.started = true;
    for (const server of this.servers.values()) server.client.start();
    // The network's clock, and retries. Timers slow down in hidden tabs; Network.tick copes.
    this.timer = setInterval(() => {
      this.options.network.tick(performance.now());
      this.fill();
    }, 1000);
  }

  stop(): void {
    this.started = false;
    clearInterval(this.timer);
    for (const server of this.servers.values()) server.client.stop();
    for (const { link } of this.links.values()) link.close();
  }

  get signalingStatus(): SignalingStatus {
    return this.primary.client.status;
  }

  /** Every link, including those still opening. */
  linkInfo(): LinkInfo[] {
    const byId = new Map(this.options.network.peerInfo().map((p) => [p.id, p]));
    return [...this.links.entries()].map(([id, pending]) => {
      const peer = byId.get(id);
      return {
        id,
        state: peer ? (peer.state === 'ready' ? 'ready' : 'handshaking') : 'connecting',
        height: peer?.height ?? 0,
        latencyMs: peer?.latencyMs ?? null,
        inbound: !pending.initiator,
      };
    });
  }

  /** Opens links to known peers while there is room: those we initiate (lower id). */
  private fill(): void {
    const me = this.options.identity.peerId;
    const now = performance.now();
    const candidates: [PeerId, Route][] = [];
    const reachable = new Set<PeerId>();
    for (const [url, server] of this.servers) {
      if (server.client.status !== 'online') continue;
      for (const p of server.peers) {
        if (reachable.has(p)) continue;
        reachable.add(p);
        candidates.push([p, { kind: 'server', url }]);
      }
    }
    for (const [p, via] of this.meshPeers) if (!reachable.has(p)) candidates.push([p, { kind: 'relay', via }]);
    for (const [peer, route] of candidates) {
      if (this.links.size >= this.maxPeers) return;
      // Through the server the lower id initiates (no glare). Through the mesh only one side may
      // know of the other, so either initiates and a collision is settled in onSignal.
      if (peer === me || (route.kind === 'server' && me > peer) || this.links.has(peer) || this.options.network.isBanned(peer)) continue;
      const retry = this.retryAt.get(peer);
      if (retry && retry.at > now) continue;
      this.open(peer, true, route);
    }
  }

  private onSignal(from: PeerId, data: SignalData, route: Route): void {
    const existing = this.links.get(from);
    if (existing) {
      // Both sides offered (possible through the mesh, or when the other side dropped our offer
      // while it was full): the lower id's offer wins.
      if (data.type === 'offer' && existing.initiator && !existing.link.isOpen) {
        this.links.delete(from);
        existing.link.close();
        if (from > this.options.identity.peerId) {
          // Ours should win, but the other side may never have seen it: offer again, by the
          // route its offer came, and it will yield.
          this.open(from, true, route);
          return;
        }
      } else {
        existing.link.signal(data);
        return;
      }
    }
    // Only an offer starts a link; stray candidates for a link we dropped are ignored.
    if (data.type !== 'offer' || this.links.size >= this.maxPeers || this.options.network.isBanned(from)) return;
    this.open(from, false, route).link.signal(data);
  }

  private open(peer: PeerId, initiator: boolean, route: Route): Pending {
    const pending: Pending = {
      initiator,
      route,
      early: [],
      link: new WebRtcLink({
        initiator,
        ...(this.options.iceServers ? { iceServers: this.options.iceServers } : {}),
        ...(this.options.wrtc ? { wrtc: this.options.wrtc } : {}),
        onSignal: (data) => this.sendSignal(peer, pending.route, data),
        onOpen: () => {
          const handle = this.options.network.addLink(peer, pending.link, !initiator);
          if (handle) {
            pending.handle = handle;
            this.retryAt.delete(peer);
            for (const chunk of pending.early.splice(0)) handle.receive(chunk);
          }
        },
        onData: (chunk) => {
          if (pending.handle) pending.handle.receive(chunk, performance.now());
          else if (pending.early.length < 64) pending.early.push(chunk);
        },
        onClose: () => {
          if (this.links.get(peer) === pending) this.links.delete(peer);
          pending.handle?.closed();
          // Reconnect with backoff while the peer is still around.
          const delay = Math.min((this.retryAt.get(peer)?.delay ?? 1000) * 2, 60_000);
          this.retryAt.set(peer, { at: performance.now() + delay, delay });
        },
      }),
    };
    this.links.set(peer, pending);
    return pending;
  }

  private sendSignal(to: PeerId, route: Route, data: SignalData): void {
    if (route.kind === 'server' && this.servers.get(route.url)?.client.signal(to, data)) return;
    const via = route.kind === 'relay' ? route.via : this.meshPeers.get(to);
    if (via) this.options.network.relaySignal(via, to, JSON.stringify(data));
  }

  /** How many links this tab keeps at most. */
  get maxPeerCount(): number {
    return this.maxPeers;
  }

  /** Changes how many links this tab keeps (more are opened at once when known). */
  setMaxPeers(n: number): void {
    this.maxPeers = n;
    this.fill();
  }

  /** Test hook: sends raw bytes on a link, bypassing the protocol (used to play a bad peer). */
  sendRaw(peer: PeerId, chunk: Uint8Array): boolean {
    const pending = this.links.get(peer);
    if (!pending?.link.isOpen) return false;
    pending.link.send(chunk);
    return true;
  }

  /** Lets a peer be tried again at once (after an unban). */
  forgetRetry(peer: PeerId): void {
    this.retryAt.delete(peer);
    this.fill();
  }

  /** Drops one link (or all) without a ban. */
  disconnect(peer?: PeerId): void {
    for (const [id, { link }] of [...this.links]) if (peer === undefined || id === peer) link.close();
    this.options.network.disconnect(peer);
  }
}
