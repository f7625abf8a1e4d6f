/**
 * @module Makes and keeps the tab's WebRTC links: learns peers from the signaling server (and,
 * while it is away, from connected peers), decides who to connect to (at most `maxPeers`, of which
 * a few of its own choosing, picked at random: peer-selection.ts; two offers that cross are
 * settled by the lower id's winning), routes each link's signaling through the server or through
 * a connected peer (mesh), and hands open links to the core `Network`.
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
 *
 * What it decides with has files of its own: the signaling servers and their rooms
 * (signaling-servers.ts), the peers connected peers introduced (mesh-introductions.ts), the
 * links kept (link-table.ts), who may take a slot (link-admission.ts), when to retry a peer
 * (retry-backoff.ts) and what the links tell about the network (connectivity.ts).
 */
import { mainParams, parseJsonSafely, type Network, type NodeIdentity, type PeerId, type SignalData } from '../core/index.ts';
import type { SignalingStatus } from '../adapters/net/signaling-client.ts';
import type { WebRtcLinkOptions } from '../adapters/net/webrtc-link.ts';
import { ConnectionBudget, pageConnectionBudget, type ConnectionBudgetView } from '../adapters/net/connection-budget.ts';
import { ConnectivityRecord, hasRelay, type Connectivity, type LinkInfo } from './connectivity.ts';
import { ExtraOutbound } from './extra-outbound.ts';
import { LinkAdmission, type Standing } from './link-admission.ts';
import { LinkTable, type ConnectorLink, type KeptLink, type Route } from './link-table.ts';
import { MeshIntroductions } from './mesh-introductions.ts';
import { linkToChooseAgain, outboundSlots, ROTATE_INTERVAL_MS, shuffled } from './peer-selection.ts';
import { RetryBackoff } from './retry-backoff.ts';
import { SignalingServers } from './signaling-servers.ts';
import { systemHostTimers, type HostTimers } from '../adapters/host-timers.ts';

export type { Connectivity, ConnectivityVerdict, LinkInfo } from './connectivity.ts';
export type { ConnectorLink } from './link-table.ts';

/** Read each open link's path (getStats) this often. */
const PATH_POLL_MS = 5_000;
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
  /** The page's connection budget (default: the page's one; a node worker's copy of it there). */
  readonly budget?: ConnectionBudgetView;
  /**
   * Makes a link: a WebRtcLink where the connector runs beside WebRTC (the headless node), a
   * RemoteLink to the page's WebRTC in a tab's node worker; tests give their own.
   */
  readonly createLink: (options: WebRtcLinkOptions) => ConnectorLink;
  /** A connect not opened within this long is dropped (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Status of the first (own) signaling server. */
  readonly onStatus?: (status: SignalingStatus) => void;
  /** Outside a browser: the WebRTC implementation (`@roamhq/wrtc`) and a WebSocket class (`ws`). */
  readonly wrtc?: unknown;
  readonly WebSocketImpl?: typeof WebSocket;
  /**
   * Clock, timers and randomness (default: performance.now, setInterval, Math.random); the
   * network simulator gives its virtual clock and seeded generator.
   */
  readonly timers?: HostTimers;
  /** No new block from any peer for this long (ms) is a stale tip (default: 3 of the main network's spacings; extra-outbound.ts). */
  readonly staleTipMs?: number;
}

export class PeerConnector {
  private readonly links = new LinkTable();
  /** Signaling servers: this node's own first, then any added (the tutorials' /nodes/register). */
  private readonly servers: SignalingServers;
  /** Peers connected peers told us about, with one peer that can relay to each. */
  private readonly meshPeers = new MeshIntroductions();
  /** When each peer tried before may be tried again. */
  private readonly retryAt: RetryBackoff;
  private readonly timers: HostTimers;
  private readonly budget: ConnectionBudgetView;
  /** Failed attempts and relay refusals, for the connectivity verdict. */
  private readonly attempts = new ConnectivityRecord();
  private userIceServers: RTCIceServer[] | null;
  private maxPeers: number;
  private stopTimer: (() => void) | undefined;
  private lastPathPoll = -Infinity;
  private lastChosenAgainAt = -Infinity;
  /** Who may take a slot and a new connection (link-admission.ts). */
  private readonly admission: LinkAdmission;
  private readonly connectTimeout: number;
  /** One link beyond the outbound slots now and then, and the stale-tip check (extra-outbound.ts). */
  private readonly extra: ExtraOutbound;

  constructor(private readonly options: PeerConnectorOptions) {
    this.timers = options.timers ?? systemHostTimers;
    this.retryAt = new RetryBackoff(() => this.timers.random());
    this.maxPeers = options.maxPeers ?? 8;
    this.budget = options.budget ?? pageConnectionBudget;
    this.userIceServers = options.iceServers ?? null;
    this.connectTimeout = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.extra = new ExtraOutbound(() => this.timers.random(), this.timers.now(), options.staleTipMs ?? 3 * mainParams.targetSpacing * 1000);
    this.admission = new LinkAdmission(
      {
        links: () => this.links.all(),
        drop: (peer) => this.links.drop(peer),
        peerInfo: () => options.network.peerInfo(),
        inRoomFor: (peer, ms, now) => this.servers.inRoomFor(peer, ms, now),
        maxPeers: () => this.maxPeers,
        budget: this.budget,
      },
      this.timers.now(),
    );
    this.servers = new SignalingServers(options, options.signalingUrl, (status) => options.onStatus?.(status), {
      peers: () => this.fill(),
      joined: (peer) => {
        this.retryAt.soon(peer, this.timers.now());
        this.fill();
      },
      left: (peer, url) => {
        // Our offer to it that nothing answered yet cannot be answered now (the server drops
        // signals to absent peers): it would only hold a half-open slot until it timed out.
        const pending = this.links.get(peer);
        if (pending && pending.initiator && !pending.answered && pending.route.kind === 'server' && pending.route.url === url) this.links.drop(peer);
      },
      signal: (from, data, url) => this.onSignal(from, data, { kind: 'server', url }),
    });
    options.network.on('signal', ({ from, data, via }) => {
      const parsed = parseJsonSafely(data);
      if (parsed && typeof parsed === 'object') this.onSignal(from, parsed as SignalData, { kind: 'relay', via });
    });
    options.network.on('peer-list', ({ from, peers }) => {
      this.meshPeers.noteList(from, peers);
      this.fill();
    });
    options.network.on('peer-disconnected', ({ id }) => {
      this.meshPeers.forgetPeer(id);
      this.links.dropOpeningThrough(id);
    });
  }

  /** The ICE servers for a new link: the user's own, else those of the server it is signaled through, else the own server's. */
  private iceServersFor(route: Route): RTCIceServer[] {
    if (this.userIceServers) return this.userIceServers;
    return this.servers.handedOut(route.kind === 'server' ? route.url : undefined);
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

  /**
   * Also finds peers through another signaling server (another node's `/signal`): the
   * tutorials' `/nodes/register`. Returns false when it was already known.
   */
  addSignalingServer(url: string): boolean {
    return this.servers.add(url);
  }

  /**
   * Stops finding peers through a signaling server added with {@link addSignalingServer} (the
   * REST API's `DELETE /nodes`). Links already open stay open; signaling for them goes through
   * the mesh from now on. The own server cannot be removed. Returns false when it was not known.
   */
  removeSignalingServer(url: string): boolean {
    return this.servers.remove(url);
  }

  /** Every signaling server in use, the own one first, with its status and how many peers it knows. */
  signalingServers(): { url: string; status: SignalingStatus; peers: number }[] {
    return this.servers.list();
  }

  start(): void {
    this.servers.start();
    // The network's clock, and retries. Timers slow down in hidden tabs; Network.tick copes.
    this.stopTimer = this.timers.every(1000, () => {
      const now = this.timers.now();
      this.options.network.tick(now);
      this.servers.refreshIceCredentials(now);
      this.retryAt.forgetOld(now, (peer) => this.links.has(peer));
      this.links.closeStalledConnects(now, this.connectTimeout);
      if (now - this.lastPathPoll >= PATH_POLL_MS) {
        this.lastPathPoll = now;
        void this.links.pollPaths();
      }
      this.chooseAgain(now);
      this.settleExtra(now);
      this.fill();
    });
  }

  stop(): void {
    this.stopTimer?.();
    this.servers.stop();
    this.links.closeAll();
  }

  get signalingStatus(): SignalingStatus {
    return this.servers.status;
  }

  /** Every link, including those still opening. */
  linkInfo(): LinkInfo[] {
    return this.links.info(this.options.network.peerInfo());
  }

  /** What this tab can reach, from its links and its recent failed attempts. */
  connectivity(): Connectivity {
    const ice = this.userIceServers ?? this.servers.handedOut();
    const budget = this.budget.snapshot();
    const now = this.timers.now();
    return {
      ...this.attempts.verdict(this.links.openPaths(), now),
      staleTip: this.extra.staleTip(now, this.readyIds().size),
      iceServers: ice.length,
      iceSource: this.userIceServers ? 'user' : ice.length ? 'server' : 'none',
      relayConfigured: hasRelay(ice),
      connectionsCreated: budget.created,
      connectionsLive: budget.live,
      connectionBudget: budget.limit,
    };
  }

  /**
   * Opens links of this tab's own choosing while it has outbound slots free (peer-selection.ts):
   * to peers the signaling servers and connected peers named, in a random order, either id
   * offering (two offers crossing are settled in onSignal: the lower id's wins).
   */
  private fill(): void {
    const now = this.timers.now();
    const outboundLimit = outboundSlots(this.maxPeers);
    // With its own slots taken, one link more now and then (extra-outbound.ts).
    const extra = this.links.outbound() >= outboundLimit && this.extra.wanted(now, this.readyIds().size) ? 1 : 0;
    const full = () => this.links.size >= this.maxPeers || this.links.outbound() >= outboundLimit + extra || !this.budget.canCreate();
    if (full()) return;
    const me = this.options.identity.peerId;
    const reachable = this.servers.reachable();
    const candidates: [PeerId, Route][] = [...reachable].map(([p, url]) => [p, { kind: 'server', url }]);
    const ready = this.readyIds();
    // A mesh route needs its relaying peer still linked: else the offer could not leave.
    for (const [p, via] of this.meshPeers.entries()) if (!reachable.has(p) && ready.has(via)) candidates.push([p, { kind: 'relay', via }]);
    this.admission.noteLinked(ready);
    for (const [peer, route] of shuffled(candidates, () => this.timers.random())) {
      if (full()) return;
      if (peer === me || this.links.has(peer) || this.options.network.isBanned(peer)) continue;
      if (!this.retryAt.due(peer, now)) continue;
      const standing = this.admission.standing(peer, route.kind === 'server', now);
      if (!this.admission.mayCreate(now, peer, standing) || !this.admission.admit(standing, false, now, ready)) continue;
      this.admission.take(now, peer, standing);
      const kept = this.open(peer, true, route, standing);
      // An extra link is judged by what it brings (settleExtra), not chosen again for little choice.
      if (extra) this.extra.began(peer, now);
      else kept.chosenAmong = candidates.length;
    }
  }

  /** Drops the extra link, or the own choice it replaces, once it has been judged (extra-outbound.ts). */
  private settleExtra(now: number): void {
    const infos = this.options.network.peerInfo();
    this.extra.noteBlocks(infos);
    const drop = this.extra.settle(now, this.links.all(), infos);
    if (drop !== null) this.links.drop(drop);
  }

  /** How many peers this tab knows of now (servers' rooms and the mesh; a peer in two counts twice: an estimate is enough). */
  private knownPeers(): number {
    let n = this.meshPeers.size;
    for (const server of this.servers.list()) if (server.status === 'online') n += server.peers;
    return n;
  }

  /** Drops an outbound link chosen among too few peers (peer-selection.ts), at most one per interval: fill() chooses its slot again. */
  private chooseAgain(now: number): void {
    if (now - this.lastChosenAgainAt < ROTATE_INTERVAL_MS) return;
    const peer = linkToChooseAgain(this.links.all(), this.knownPeers(), this.maxPeers, now);
    if (peer === null) return;
    this.lastChosenAgainAt = now;
    this.links.drop(peer);
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
          const now = this.timers.now();
          if (!this.admission.mayCreate(now, from, existing.standing)) return;
          this.links.drop(from);
          this.admission.take(now, from, existing.standing);
          // Still this tab's choice, made among as many peers as before.
          const again = this.open(from, true, route, existing.standing);
          if (existing.chosenAmong !== undefined) again.chosenAmong = existing.chosenAmong;
          return;
        }
        this.links.drop(from);
      } else {
        // The answer to our offer comes before the candidates that go with it (one route, in
        // order): candidates before it are the remains of the other side's own offer, which lost
        // a collision; fed to our connection they only fail (and make the WebRTC stack warn).
        if (existing.initiator && !existing.answered && data.type !== 'answer') return;
        existing.answered = true;
        existing.link.signal(data);
        return;
      }
    }
    // Only an offer starts a link; stray candidates for a link we dropped are ignored.
    const now = this.timers.now();
    if (data.type !== 'offer' || from === this.options.identity.peerId || this.maxPeers === 0 || this.options.network.isBanned(from)) return;
    // An id whose links to this tab keep failing waits out its backoff, inbound too (not an offer
    // that won a collision with ours, whose link was just dropped above).
    if (!existing && !this.retryAt.offerDue(from, now)) return;
    const ready = this.readyIds();
    this.admission.noteLinked(ready);
    const standing = this.admission.standing(from, false, now);
    // An offer that won a collision with ours takes the slot our own choice held, not an inbound one.
    if (!this.admission.mayCreate(now, from, standing) || !this.admission.admit(standing, !existing, now, ready)) return;
    this.admission.take(now, from, standing);
    this.open(from, false, route, standing).link.signal(data);
  }

  private readyIds(): Set<PeerId> {
    return new Set(this.options.network.peerInfo().filter((p) => p.state === 'ready').map((p) => p.id));
  }

  private open(peer: PeerId, initiator: boolean, route: Route, standing: Standing): KeptLink {
    const iceServers = this.iceServersFor(route);
    const createLink = this.options.createLink;
    const pending: KeptLink = {
      initiator,
      route,
      early: [],
      createdAt: this.timers.now(),
      standing,
      // An inbound offer shows the other side is there.
      answered: !initiator,
      link: createLink({
        initiator,
        iceServers,
        ...(this.budget instanceof ConnectionBudget ? { budget: this.budget } : {}),
        connectTimeout: this.connectTimeout,
        ...(this.options.wrtc ? { wrtc: this.options.wrtc } : {}),
        onSignal: (data) => this.sendSignal(peer, pending.route, data),
        onOpen: () => {
          pending.openedAt = this.timers.now();
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
          if (pending.handle) pending.handle.receive(chunk, this.timers.now());
          else if (pending.early.length < 64) pending.early.push(chunk);
        },
        onClose: () => {
          this.links.forget(peer, pending);
          pending.handle?.closed();
          this.noteClosed(peer, pending);
        },
      }),
    };
    this.links.set(peer, pending);
    return pending;
  }

  /** Learns from a link that ended, and schedules the next try to its peer. */
  private noteClosed(peer: PeerId, pending: KeptLink): void {
    const now = this.timers.now();
    const diagnostics = pending.link.diagnostics();
    if (diagnostics.serverErrors.includes(401)) this.attempts.noteRelayRefused(now);
    // An introduction nobody answered (the id left its introducer, or never was): forgotten, not
    // retried through that peer unless it lists the id again.
    if (pending.route.kind === 'relay' && !pending.answered) this.meshPeers.forgetUnanswered(peer, pending.route.via);
    // A peer that answered and then left (its tab closed or reloaded mid-handshake) says
    // nothing about this network's paths.
    if (pending.openedAt === undefined && pending.answered && this.stillKnown(peer)) this.attempts.noteFailedAttempt(now);
    // Reconnect with backoff while the peer is still around; a link that was good for a while
    // starts the count again.
    this.retryAt.afterLink(peer, pending.openedAt, now);
  }

  /** Whether a signaling server still has `peer` in the room, or a connected peer still lists it. */
  private stillKnown(peer: PeerId): boolean {
    return this.servers.inAnyRoom(peer) || this.meshPeers.has(peer);
  }

  private sendSignal(to: PeerId, route: Route, data: SignalData): void {
    if (route.kind === 'server' && this.servers.signal(route.url, to, data)) return;
    const via = route.kind === 'relay' ? route.via : this.meshPeers.via(to);
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
    this.retryAt.forget(peer);
    this.fill();
  }

  /** Drops one link (or all) without a ban. */
  disconnect(peer?: PeerId): void {
    this.links.close(peer);
    this.options.network.disconnect(peer);
  }
}
