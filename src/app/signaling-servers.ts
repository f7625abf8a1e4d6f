/**
 * @module The signaling servers a tab finds peers through: its own first, then any added (the
 * tutorials' `/nodes/register`). For each, who is in the room and since when (a peer that stays
 * in a room earns standing: link-admission.ts), and the ICE servers it handed out, whose TURN
 * credentials are renewed before they expire. The PeerConnector decides what to do with the
 * peers; this keeps what the servers said.
 */
import type { NodeIdentity, PeerId, SignalData } from '../core/index.ts';
import { SignalingClient, type SignalingStatus } from '../adapters/net/signaling-client.ts';
import { systemHostTimers, type HostTimers } from '../adapters/host-timers.ts';

/** Ask for new TURN credentials when those in hand expire within this long. */
const ICE_REFRESH_AHEAD_S = 10 * 60;
/** Ask one server for new credentials at most this often (performance.now ms). */
const ICE_REFRESH_INTERVAL_MS = 60_000;

/** What the servers report, for the connector to act on. */
export interface RoomEvents {
  /** A server sent its whole list of peers (on join). */
  peers(): void;
  /** A peer joined a server's room. */
  joined(peer: PeerId): void;
  /** A peer left the room of the server at `url`. */
  left(peer: PeerId, url: string): void;
  /** Signaling data from `from`, through the server at `url`. */
  signal(from: PeerId, data: SignalData, url: string): void;
}

export interface SignalingServersOptions {
  /** The room: the network id (genesis hash hex). */
  readonly room: string;
  readonly identity: NodeIdentity;
  /** Outside a browser: a WebSocket class (`ws`). */
  readonly WebSocketImpl?: typeof WebSocket;
  /** Clock, timers and randomness (default: the host's; the simulator's virtual ones). */
  readonly timers?: HostTimers;
}

/** One signaling server, the peers it says are in the room, and the ICE servers it handed out. */
interface Server {
  readonly client: SignalingClient;
  readonly peers: Set<PeerId>;
  /**
   * Since when (performance.now ms) each of `peers` has been in the room without leaving;
   * -Infinity for those already there when this tab joined (since before it could tell).
   */
  readonly since: Map<PeerId, number>;
  iceServers: RTCIceServer[];
  /** When new TURN credentials were last asked for (performance.now ms). */
  refreshedAt: number;
}

export class SignalingServers {
  /** Signaling servers by URL: this node's own first, then any added. */
  private readonly servers = new Map<string, Server>();
  private readonly primary: Server;
  private started = false;
  private readonly timers: HostTimers;

  /** `url` is the own server, whose status goes to `onStatus`. */
  constructor(
    private readonly options: SignalingServersOptions,
    url: string,
    onStatus: (status: SignalingStatus) => void,
    private readonly events: RoomEvents,
  ) {
    this.timers = options.timers ?? systemHostTimers;
    this.primary = this.make(url, onStatus);
  }

  private make(url: string, onStatus?: (status: SignalingStatus) => void): Server {
    const peers = new Set<PeerId>();
    const since = new Map<PeerId, number>();
    const client = new SignalingClient({
      url,
      room: this.options.room,
      identity: this.options.identity,
      ...(this.options.WebSocketImpl ? { WebSocketImpl: this.options.WebSocketImpl } : {}),
      timers: this.timers,
      onStatus: (status) => onStatus?.(status),
      onPeers: (list) => {
        peers.clear();
        for (const p of list) peers.add(p);
        for (const p of since.keys()) if (!peers.has(p)) since.delete(p);
        // Listed as this tab joins: in the room before it, for however long. Not among the ids a
        // flood makes join by the second while it watches (those it sees join), so not left to
        // compete with them for connections: a newcomer during a flood of fresh ids could
        // otherwise not offer to, nor answer, the tabs it found in the room for 30 s, having
        // spent every connection for peers just joined on the flood's ids.
        for (const p of peers) if (!since.has(p)) since.set(p, -Infinity);
        this.events.peers();
      },
      onPeerJoined: (peer) => {
        peers.add(peer);
        if (!since.has(peer)) since.set(peer, this.timers.now());
        this.events.joined(peer);
      },
      onPeerLeft: (peer) => {
        peers.delete(peer);
        since.delete(peer);
        this.events.left(peer, url);
      },
      onSignal: (from, data) => this.events.signal(from, data, url),
      onIceServers: (list) => {
        server.iceServers = list;
      },
    });
    const server: Server = { client, peers, since, iceServers: [], refreshedAt: -Infinity };
    this.servers.set(url, server);
    return server;
  }

  /** Adds a server (started at once when the others are). Returns false when it was already known. */
  add(url: string): boolean {
    if (this.servers.has(url)) return false;
    const server = this.make(url);
    if (this.started) server.client.start();
    return true;
  }

  /** Stops using an added server. The own server cannot be removed. Returns false when it was not known. */
  remove(url: string): boolean {
    const server = this.servers.get(url);
    if (!server || server === this.primary) return false;
    this.servers.delete(url);
    server.client.stop();
    return true;
  }

  start(): void {
    this.started = true;
    for (const server of this.servers.values()) server.client.start();
  }

  stop(): void {
    this.started = false;
    for (const server of this.servers.values()) server.client.stop();
  }

  /** The own server's status. */
  get status(): SignalingStatus {
    return this.primary.client.status;
  }

  /** Every server, the own one first, with its status and how many peers it knows. */
  list(): { url: string; status: SignalingStatus; peers: number }[] {
    return [...this.servers.entries()].map(([url, s]) => ({ url, status: s.client.status, peers: s.peers.size }));
  }

  /** The ICE servers handed out by the server at `url` when it gave any, else by the own server. */
  handedOut(url?: string): RTCIceServer[] {
    const server = url === undefined ? undefined : this.servers.get(url);
    return server?.iceServers.length ? server.iceServers : this.primary.iceServers;
  }

  /** Asks a server for new TURN credentials when those it gave expire soon (the username starts with the expiry). */
  refreshIceCredentials(now: number): void {
    const nowSeconds = Date.now() / 1000;
    for (const server of this.servers.values()) {
      if (server.client.status !== 'online' || now - server.refreshedAt < ICE_REFRESH_INTERVAL_MS) continue;
      const expiring = server.iceServers.some((s) => {
        const expiry = Number(String(s.username ?? '').split(':')[0]);
        return s.username !== undefined && Number.isFinite(expiry) && expiry - nowSeconds < ICE_REFRESH_AHEAD_S;
      });
      if (expiring && server.client.refreshIceServers()) server.refreshedAt = now;
    }
  }

  /** The peers in the rooms of online servers, each with the first such server that has it (its URL). */
  reachable(): Map<PeerId, string> {
    const reachable = new Map<PeerId, string>();
    for (const [url, server] of this.servers) {
      if (server.client.status !== 'online') continue;
      for (const p of server.peers) if (!reachable.has(p)) reachable.set(p, url);
    }
    return reachable;
  }

  /** Whether a server's room has had `peer` for `ms` without it leaving (or since before this tab joined it). */
  inRoomFor(peer: PeerId, ms: number, now: number): boolean {
    for (const server of this.servers.values()) {
      const since = server.since.get(peer);
      if (since !== undefined && now - since >= ms) return true;
    }
    return false;
  }

  /** Whether a server still has `peer` in the room. */
  inAnyRoom(peer: PeerId): boolean {
    for (const server of this.servers.values()) if (server.peers.has(peer)) return true;
    return false;
  }

  /** Sends signaling data through the server at `url`; false when it could not leave (unknown or offline server). */
  signal(url: string, to: PeerId, data: SignalData): boolean {
    return this.servers.get(url)?.client.signal(to, data) ?? false;
  }
}
