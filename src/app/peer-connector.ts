/**
 * @module Makes and keeps the tab's WebRTC links: learns peers from the signaling server (and,
 * while it is away, from connected peers), decides who to connect to (at most `maxPeers`; the
 * lower peer id initiates, so two tabs never offer at once), routes each link's signaling through
 * the server or through a connected peer (mesh), and hands open links to the core `Network`.
 *
 * Links across real networks:
 * - ICE servers: the user's own list when set, else what the signaling server handed out (STUN,
 *   and TURN with credentials it renews before they expire).
 * - A page may hold only so many `RTCPeerConnection`s (see connection-budget.ts): a connection is
 *   created only when its offer can be routed and the budget allows, and retries to one peer back
 *   off exponentially from seconds to minutes.
 * - Slots an attacker cannot hold: links still opening (half-open) have their own small budget,
 *   and those from or through peers with no history a smaller share of it; a connect that has not
 *   opened in time is dropped; when every slot is taken, a new peer may displace one ready inbound
 *   link chosen by Bitcoin Core's eviction rules (link-eviction.ts).
 * - What each link's path is (direct, through NAT, relayed), and from the attempts that failed,
 *   whether this network needs a relay: {@link PeerConnector.connectivity}.
 */
import { parseJsonSafely, type Network, type NodeIdentity, type PeerId, type SignalData } from '../core/index.ts';
import { SignalingClient, type SignalingStatus } from '../adapters/net/signaling-client.ts';
import { WebRtcLink, type IceDiagnostics, type WebRtcLinkOptions } from '../adapters/net/webrtc-link.ts';
import { pageConnectionBudget, type ConnectionBudget } from '../adapters/net/connection-budget.ts';
import { pathKind, type LinkPath } from '../adapters/net/link-path.ts';
import { ConnectivityRecord, hasRelay, type Connectivity, type LinkInfo } from './connectivity.ts';
import { LinkAdmission, type Standing } from './link-admission.ts';

export type { Connectivity, ConnectivityVerdict, LinkInfo } from './connectivity.ts';

/** What the connector needs of a link (a WebRtcLink; tests give their own). */
export interface ConnectorLink {
  readonly isOpen: boolean;
  readonly buffered: number;
  signal(data: SignalData): void;
  send(chunk: Uint8Array): void;
  close(): void;
  diagnostics(): IceDiagnostics;
  path(): Promise<LinkPath | null>;
}

/** Retries to one peer wait this long at first, doubling per failure up to RETRY_MAX_MS. */
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 5 * 60_000;
/** A link that stayed open this long was good: the next retry starts from the minimum again. */
const GOOD_LINK_MS = 60_000;
/** Read each open link's path (getStats) this often. */
const PATH_POLL_MS = 5_000;
/** Ask for new TURN credentials when those in hand expire within this long. */
const ICE_REFRESH_AHEAD_S = 10 * 60;
/**
 * A WebRTC connect that has not opened by then is dropped (its slot freed). Links open in 1-3 s on
 * a LAN and in a few seconds through NAT or TURN; an offer nobody answers (a made-up id, a tab
 * that already left) would otherwise hold its slot until the link's own 20 s timeout.
 */
const CONNECT_TIMEOUT_MS = 10_000;
export interface PeerConnectorOptions {
  readonly network: Network;
  readonly identity: NodeIdentity;
  /** ws:// URL of the signaling endpoint. */
  readonly signalingUrl: string;
  /** The room: the network id (genesis hash hex). */
  readonly room: string;
  readonly maxPeers?: number;
  /** The user's own ICE servers: when set, used instead of those the signaling server hands out. */
  readonly iceServers?: RTCIceServer[];
  /** The page's connection budget (default: the page's one). */
  readonly budget?: ConnectionBudget;
  /** Makes a link (default: a WebRtcLink); tests give their own. */
  readonly createLink?: (options: WebRtcLinkOptions) => ConnectorLink;
  /** A connect not opened within this long is dropped (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Status of the first (own) signaling server. */
  readonly onStatus?: (status: SignalingStatus) => void;
  /** Outside a browser: the WebRTC implementation (`@roamhq/wrtc`) and a WebSocket class (`ws`). */
  readonly wrtc?: unknown;
  readonly WebSocketImpl?: typeof WebSocket;
}

/** How a link's signaling travels: through a signaling server (by URL), or relayed by a connected peer. */
type Route = { readonly kind: 'server'; readonly url: string } | { readonly kind: 'relay'; readonly via: PeerId };

/** One signaling server, the peers it says are in the room, and the ICE servers it handed out. */
interface Server {
  readonly client: SignalingClient;
  readonly peers: Set<PeerId>;
  /** Since when (performance.now ms) each of `peers` has been in the room without leaving. */
  readonly since: Map<PeerId, number>;
  iceServers: RTCIceServer[];
  /** When new TURN credentials were last asked for (performance.now ms). */
  refreshedAt: number;
}

interface Pending {
  readonly link: ConnectorLink;
  readonly initiator: boolean;
  route: Route;
  handle?: { receive(chunk: Uint8Array, now?: number): void; closed(): void };
  /** Chunks that arrived before simple-peer reported the link open (the other side was faster). */
  early: Uint8Array[];
  readonly createdAt: number;
  openedAt?: number;
  /** The other side said something on this link (an answer or a candidate): it is there. */
  answered: boolean;
  /** What the peer had shown when the link was made (see Standing). */
  readonly standing: Standing;
  path?: LinkPath;
}

export class PeerConnector {
  private readonly links = new Map<PeerId, Pending>();
  /** Signaling servers by URL: this node's own first, then any added (the tutorials' /nodes/register). */
  private readonly servers = new Map<string, Server>();
  /** Peers connected peers told us about, with one peer that can relay to each. */
  private readonly meshPeers = new Map<PeerId, PeerId>();
  private readonly retryAt = new Map<PeerId, { at: number; delay: number }>();
  private readonly primary: Server;
  private readonly budget: ConnectionBudget;
  /** Failed attempts and relay refusals, for the connectivity verdict. */
  private readonly attempts = new ConnectivityRecord();
  private userIceServers: RTCIceServer[] | null;
  private maxPeers: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastPathPoll = -Infinity;
  private started = false;
  /** Who may take a slot and a new connection (link-admission.ts). */
  private readonly admission: LinkAdmission;
  private readonly connectTimeout: number;

  constructor(private readonly options: PeerConnectorOptions) {
    this.maxPeers = options.maxPeers ?? 8;
    this.budget = options.budget ?? pageConnectionBudget;
    this.userIceServers = options.iceServers ?? null;
    this.connectTimeout = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.admission = new LinkAdmission(
      {
        links: () => this.links,
        drop: (peer) => {
          const pending = this.links.get(peer);
          if (!pending) return;
          this.links.delete(peer);
          pending.link.close();
        },
        peerInfo: () => options.network.peerInfo(),
        inRoomFor: (peer, ms, now) => this.inRoomFor(peer, ms, now),
        maxPeers: () => this.maxPeers,
        budget: this.budget,
      },
      performance.now(),
    );
    this.primary = this.makeServer(options.signalingUrl, (status) => options.onStatus?.(status));
    options.network.on('signal', ({ from, data, via }) => {
      const parsed = parseJsonSafely(data);
      if (parsed && typeof parsed === 'object') this.onSignal(from, parsed as SignalData, { kind: 'relay', via });
    });
    options.network.on('peer-list', ({ from, peers }) => {
      // A peer's latest list replaces its earlier one: the table holds at most one list (the
      // wire's maxPeerList) per connected peer, however often one sends.
      const listed = new Set(peers);
      for (const [p, via] of this.meshPeers) if (via === from && !listed.has(p)) this.meshPeers.delete(p);
      for (const p of listed) if (!this.meshPeers.has(p)) this.meshPeers.set(p, from);
      this.fill();
    });
    options.network.on('peer-disconnected', ({ id }) => {
      for (const [p, via] of this.meshPeers) if (via === id || p === id) this.meshPeers.delete(p);
      // A link still opening through the peer that left has lost its signaling path (the answer
      // and candidates would come through it): it can only hold a slot until it times out.
      for (const [p, pending] of [...this.links]) {
        if (pending.route.kind === 'relay' && pending.route.via === id && pending.openedAt === undefined) {
          this.links.delete(p);
          pending.link.close();
        }
      }
    });
  }

  private makeServer(url: string, onStatus?: (status: SignalingStatus) => void): Server {
    const peers = new Set<PeerId>();
    const since = new Map<PeerId, number>();
    const client = new SignalingClient({
      url,
      room: this.options.room,
      identity: this.options.identity,
      ...(this.options.WebSocketImpl ? { WebSocketImpl: this.options.WebSocketImpl } : {}),
      onStatus: (status) => onStatus?.(status),
      onPeers: (list) => {
        peers.clear();
        for (const p of list) peers.add(p);
        for (const p of since.keys()) if (!peers.has(p)) since.delete(p);
        for (const p of peers) if (!since.has(p)) since.set(p, performance.now());
        this.fill();
      },
      onPeerJoined: (peer) => {
        peers.add(peer);
        if (!since.has(peer)) since.set(peer, performance.now());
        // A peer that (re)joined is worth one prompt try, whatever its backoff says: it was away.
        const retry = this.retryAt.get(peer);
        if (retry) retry.at = Math.min(retry.at, performance.now() + RETRY_MIN_MS);
        this.fill();
      },
      onPeerLeft: (peer) => {
        peers.delete(peer);
        since.delete(peer);
        // Our offer to it that nothing answered yet cannot be answered now (the server drops
        // signals to absent peers): it would only hold a half-open slot until it timed out.
        const pending = this.links.get(peer);
        if (pending && pending.initiator && !pending.answered && pending.route.kind === 'server' && pending.route.url === url) {
          this.links.delete(peer);
          pending.link.close();
        }
      },
      onSignal: (from, data) => this.onSignal(from, data, { kind: 'server', url }),
      onIceServers: (list) => {
        server.iceServers = list;
      },
    });
    const server: Server = { client, peers, since, iceServers: [], refreshedAt: -Infinity };
    this.servers.set(url, server);
    return server;
  }

  /** The ICE servers for a new link: the user's own, else those of the server it is signaled through, else the own server's. */
  private iceServersFor(route: Route): RTCIceServer[] {
    if (this.userIceServers) return this.userIceServers;
    const server = route.kind === 'server' ? this.servers.get(route.url) : undefined;
    return server?.iceServers.length ? server.iceServers : this.primary.iceServers;
  }

  /** The user's own ICE servers, or null when the signaling server's are used. */
  userIceServerList(): RTCIceServer[] | null {
    return this.userIceServers ? this.userIceServers.map((server) => ({ ...server })) : null;
  }

  /**
   * Uses the user's own ICE servers for new links (null: those the signaling server hands out
   * again). Open links keep theirs.
   */
  setIceServers(servers: RTCIceServer[] | null): void {
    this.userIceServers = servers;
    this.attempts.reset();
    this.fill();
  }

  /** Asks a server for new TURN credentials when those it gave expire soon (the username starts with the expiry). */
  private refreshIceCredentials(now: number): void {
    const nowSeconds = Date.now() / 1000;
    for (const server of this.servers.values()) {
      if (server.client.status !== 'online' || now - server.refreshedAt < 60_000) continue;
      const expiring = server.iceServers.some((s) => {
        const expiry = Number(String(s.username ?? '').split(':')[0]);
        return s.username !== undefined && Number.isFinite(expiry) && expiry - nowSeconds < ICE_REFRESH_AHEAD_S;
      });
      if (expiring && server.client.refreshIceServers()) server.refreshedAt = now;
    }
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
      const now = performance.now();
      this.options.network.tick(now);
      this.refreshIceCredentials(now);
      this.forgetOldRetries(now);
      this.dropStalledConnects(now);
      if (now - this.lastPathPoll >= PATH_POLL_MS) {
        this.lastPathPoll = now;
        void this.pollPaths();
      }
      this.fill();
    }, 1000);
  }

  /**
   * Forgets the backoff of peers not tried for longer than the longest backoff (gone, or made up
   * by a peer-list): the table would otherwise grow with every peer id ever tried.
   */
  private forgetOldRetries(now: number): void {
    for (const [peer, retry] of this.retryAt) if (now - retry.at > 2 * RETRY_MAX_MS && !this.links.has(peer)) this.retryAt.delete(peer);
  }

  /**
   * Closes links whose WebRTC connect has not opened within the connect timeout (links that
   * opened and stall in the handshake are the Network's: its handshake timeout closes them).
   */
  private dropStalledConnects(now: number): void {
    for (const pending of [...this.links.values()]) {
      if (pending.openedAt !== undefined || now - pending.createdAt < this.connectTimeout) continue;
      // Its onClose learns from it and schedules the retry (backoff), as for any failed link.
      pending.link.close();
    }
  }

  /** Reads the selected candidate pair of every open link (getStats is asynchronous and cheap). */
  private async pollPaths(): Promise<void> {
    await Promise.all(
      [...this.links.values()].map(async (pending) => {
        if (!pending.link.isOpen) return;
        const path = await pending.link.path();
        if (path) pending.path = path;
      }),
    );
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
      const path = pending.link.isOpen ? pending.path : undefined;
      return {
        id,
        state: peer ? (peer.state === 'ready' ? 'ready' : 'handshaking') : 'connecting',
        height: peer?.height ?? 0,
        latencyMs: peer?.latencyMs ?? null,
        inbound: !pending.initiator,
        path: path?.local ?? null,
        remotePath: path?.remote ?? null,
        route: path ? pathKind(path) : null,
        rttMs: path?.rttMs ?? null,
      };
    });
  }

  /** What this tab can reach, from its links and its recent failed attempts. */
  connectivity(): Connectivity {
    const openPaths = [...this.links.values()].filter((p) => p.link.isOpen && p.path).map((p) => p.path!);
    const ice = this.userIceServers ?? this.primary.iceServers;
    const budget = this.budget.snapshot();
    return {
      ...this.attempts.verdict(openPaths, performance.now()),
      iceServers: ice.length,
      iceSource: this.userIceServers ? 'user' : ice.length ? 'server' : 'none',
      relayConfigured: hasRelay(ice),
      connectionsCreated: budget.created,
      connectionsLive: budget.live,
      connectionBudget: budget.limit,
    };
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
    const ready = this.readyIds();
    // A mesh route needs its relaying peer still linked: else the offer could not leave.
    for (const [p, via] of this.meshPeers) if (!reachable.has(p) && ready.has(via)) candidates.push([p, { kind: 'relay', via }]);
    this.admission.noteLinked(ready);
    for (const [peer, route] of candidates) {
      if (this.links.size >= this.maxPeers || !this.budget.canCreate()) return;
      // Through the server the lower id initiates (no glare). Through the mesh only one side may
      // know of the other, so either initiates and a collision is settled in onSignal.
      if (peer === me || (route.kind === 'server' && me > peer) || this.links.has(peer) || this.options.network.isBanned(peer)) continue;
      const retry = this.retryAt.get(peer);
      if (retry && retry.at > now) continue;
      const standing = this.admission.standing(peer, route.kind === 'server', now);
      if (!this.admission.mayCreate(now, peer, standing) || !this.admission.admit(standing, false, now, ready)) continue;
      this.admission.take(now, peer, standing);
      this.open(peer, true, route, standing);
    }
  }

  private onSignal(from: PeerId, data: SignalData, route: Route): void {
    const existing = this.links.get(from);
    if (existing) {
      // Both sides offered (possible through the mesh, or when the other side dropped our offer
      // while it was full): the lower id's offer wins.
      if (data.type === 'offer' && existing.initiator && !existing.link.isOpen) {
        if (from > this.options.identity.peerId) {
          // Ours should win, but the other side may never have seen it: offer again, by the
          // route its offer came, and it will yield. Only as new connections may be made: a
          // peer offering again and again must not make one connection per offer.
          const now = performance.now();
          if (!this.admission.mayCreate(now, from, existing.standing)) return;
          this.links.delete(from);
          existing.link.close();
          this.admission.take(now, from, existing.standing);
          this.open(from, true, route, existing.standing);
          return;
        }
        this.links.delete(from);
        existing.link.close();
      } else {
        existing.answered = true;
        existing.link.signal(data);
        return;
      }
    }
    // Only an offer starts a link; stray candidates for a link we dropped are ignored.
    const now = performance.now();
    if (data.type !== 'offer' || from === this.options.identity.peerId || this.maxPeers === 0 || this.options.network.isBanned(from)) return;
    const ready = this.readyIds();
    this.admission.noteLinked(ready);
    const standing = this.admission.standing(from, false, now);
    if (!this.admission.mayCreate(now, from, standing) || !this.admission.admit(standing, true, now, ready)) return;
    this.admission.take(now, from, standing);
    this.open(from, false, route, standing).link.signal(data);
  }

  private readyIds(): Set<PeerId> {
    return new Set(this.options.network.peerInfo().filter((p) => p.state === 'ready').map((p) => p.id));
  }

  /** Whether a server's room has had `peer` for `ms` without it leaving. */
  private inRoomFor(peer: PeerId, ms: number, now: number): boolean {
    for (const server of this.servers.values()) {
      const since = server.since.get(peer);
      if (since !== undefined && now - since >= ms) return true;
    }
    return false;
  }

  private open(peer: PeerId, initiator: boolean, route: Route, standing: Standing): Pending {
    const iceServers = this.iceServersFor(route);
    const createLink = this.options.createLink ?? ((o: WebRtcLinkOptions) => new WebRtcLink(o));
    const pending: Pending = {
      initiator,
      route,
      early: [],
      createdAt: performance.now(),
      standing,
      // An inbound offer shows the other side is there.
      answered: !initiator,
      link: createLink({
        initiator,
        iceServers,
        budget: this.budget,
        connectTimeout: this.connectTimeout,
        ...(this.options.wrtc ? { wrtc: this.options.wrtc } : {}),
        onSignal: (data) => this.sendSignal(peer, pending.route, data),
        onOpen: () => {
          pending.openedAt = performance.now();
          void pending.link.path().then((path) => {
            if (path) pending.path = path;
          });
          const handle = this.options.network.addLink(peer, pending.link, !initiator);
          if (handle) {
            pending.handle = handle;
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
          this.noteClosed(peer, pending);
        },
      }),
    };
    this.links.set(peer, pending);
    return pending;
  }

  /** Learns from a link that ended, and schedules the next try to its peer. */
  private noteClosed(peer: PeerId, pending: Pending): void {
    const now = performance.now();
    const diagnostics = pending.link.diagnostics();
    if (diagnostics.serverErrors.includes(401)) this.attempts.noteRelayRefused(now);
    // An introduction nobody answered (the id left its introducer, or never was): forgotten, not
    // retried through that peer unless it lists the id again.
    if (pending.route.kind === 'relay' && !pending.answered && this.meshPeers.get(peer) === pending.route.via) this.meshPeers.delete(peer);
    // A peer that answered and then left (its tab closed or reloaded mid-handshake) says
    // nothing about this network's paths.
    if (pending.openedAt === undefined && pending.answered && this.stillKnown(peer)) this.attempts.noteFailedAttempt(now);
    // Reconnect with exponential backoff (and jitter) while the peer is still around; a link
    // that was good for a while starts the count again.
    const good = pending.openedAt !== undefined && now - pending.openedAt >= GOOD_LINK_MS;
    const previous = this.retryAt.get(peer)?.delay;
    const delay = good || previous === undefined ? RETRY_MIN_MS : Math.min(previous * 2, RETRY_MAX_MS);
    this.retryAt.set(peer, { at: now + delay * (0.75 + Math.random() * 0.5), delay });
  }

  /** Whether a signaling server still has `peer` in the room, or a connected peer still lists it. */
  private stillKnown(peer: PeerId): boolean {
    for (const server of this.servers.values()) if (server.peers.has(peer)) return true;
    return this.meshPeers.has(peer);
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
