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
import { bySource, CHOICE_HOLD_MS, linkToChooseAgain, outboundSlots, ROTATE_INTERVAL_MS } from './peer-selection.ts';
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
  /**
   * Own choices whose links were lost (never answered, or closed) while their peers stay in the
   * room, by peer: since when, and among how many peers each was chosen. They keep their slots a
   * while (peer-selection.ts).
   */
  private readonly heldChoices = new Map<PeerId, { readonly since: number; readonly among: number }>();
  /** A choice made again and not yet ready, and the link it replaces once it is (made before the old is broken). */
  private rotation: { readonly from: PeerId; readonly to: PeerId } | undefined;
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
   * first the choices whose links were lost, whose slots they keep (as their backoff allows), then
   * peers the signaling servers and connected peers named, in a random order by source, either id offering
   * (two offers crossing are settled in onSignal: the lower id's wins). With its own slots taken,
   * one link more now and then (extra-outbound.ts).
   */
  private fill(): void {
    const now = this.timers.now();
    const outboundLimit = outboundSlots(this.maxPeers);
    if (this.links.size >= this.maxPeers || !this.budget.canCreate()) return;
    const ready = this.readyIds();
    const choosable = this.choosable(ready);
    const held = this.heldChoicesWaiting(now, choosable);
    // Held choices keep their slots while they wait.
    const waiting = new Set(held);
    // With its own slots open or opening (not merely held), one more now and then.
    const extra = this.links.outbound() >= outboundLimit && this.extra.wanted(now, ready.size) ? 1 : 0;
    if (this.links.outbound() >= outboundLimit && !extra) return;
    const full = (room: number) => this.links.size >= this.maxPeers || this.links.outbound() + waiting.size >= outboundLimit + room || !this.budget.canCreate();
    this.admission.noteLinked(ready);
    for (const peer of held) {
      waiting.delete(peer);
      // Still the choice it was, made among as many peers as then, in its own slot.
      if (full(0) || !this.retryAt.due(peer, now) || !this.choose(peer, choosable.get(peer)!, now, ready, this.heldChoices.get(peer)!.among)) waiting.add(peer);
    }
    for (const [peer, route] of bySource(choosable, () => this.timers.random())) {
      if (full(extra)) return;
      if (this.links.has(peer) || waiting.has(peer) || !this.retryAt.due(peer, now)) continue;
      // An extra link is judged by what it brings (settleExtra), not chosen again for little choice.
      if (!this.choose(peer, route, now, ready, extra ? undefined : choosable.size)) continue;
      if (extra) this.extra.began(peer, now);
    }
  }

  /** Drops the extra link, or the own choice it replaces, once it has been judged (extra-outbound.ts). */
  private settleExtra(now: number): void {
    const infos = this.options.network.peerInfo();
    this.extra.noteBlocks(infos);
    const drop = this.extra.settle(now, this.links.all(), infos);
    if (drop === null) return;
    // Let go (the extra took its place): not a choice lost, to be made again.
    const kept = this.links.get(drop);
    if (kept) kept.released = true;
    this.links.drop(drop);
  }

  /**
   * Offers to `peer` as this tab's own choice, made among `among` peers (undefined: an extra link,
   * never chosen again), if admission lets it (`extra`: a choice made again, beside the link it is
   * to replace). The link, or undefined.
   */
  private choose(peer: PeerId, route: Route, now: number, ready: Set<PeerId>, among: number | undefined, extra = false): KeptLink | undefined {
    const standing = this.admission.standing(peer, route.kind === 'server', now);
    if (!this.admission.mayCreate(now, peer, standing) || !this.admission.admit(standing, false, now, ready, extra)) return undefined;
    this.admission.take(now, peer, standing);
    const kept = this.open(peer, true, route, standing);
    if (among !== undefined) kept.chosenAmong = among;
    return kept;
  }

  /**
   * The peers this tab could choose now, each with the route an offer to it would take: distinct
   * ids in an online server's room, or introduced by a peer still linked (else the offer could
   * not leave); not itself, not banned. Their number is what a choice was made among.
   */
  private choosable(ready: Set<PeerId>): Map<PeerId, Route> {
    const me = this.options.identity.peerId;
    const network = this.options.network;
    const out = new Map<PeerId, Route>();
    for (const [p, url] of this.servers.reachable()) if (p !== me && !network.isBanned(p)) out.set(p, { kind: 'server', url });
    for (const [p, via] of this.meshPeers.entries()) if (!out.has(p) && p !== me && ready.has(via) && !network.isBanned(p)) out.set(p, { kind: 'relay', via });
    return out;
  }

  /**
   * The held choices (own choices whose links were lost, peer-selection.ts) that still stand and
   * have no link now; forgets those whose peer left the room (or was banned), or held too long
   * (a peer whose links keep closing loses its slot as its backoff outgrows the hold).
   */
  private heldChoicesWaiting(now: number, choosable: Map<PeerId, Route>): PeerId[] {
    const waiting: PeerId[] = [];
    for (const [peer, { since }] of this.heldChoices) {
      if (now - since >= CHOICE_HOLD_MS || choosable.get(peer)?.kind !== 'server') this.heldChoices.delete(peer);
      else if (!this.links.has(peer)) waiting.push(peer);
    }
    return waiting;
  }

  /** The peer that brought this tab its latest block, if any did: never chosen again (peer-selection.ts). */
  private latestBlockSource(): PeerId | undefined {
    let source: PeerId | undefined;
    let latest = -Infinity;
    for (const p of this.options.network.peerInfo()) {
      if (p.lastBlockAt !== undefined && p.lastBlockAt > latest) {
        latest = p.lastBlockAt;
        source = p.id;
      }
    }
    return source;
  }

  /**
   * Chooses again an outbound link chosen among too few peers (peer-selection.ts), at most one per
   * interval: at random among the peers it could choose with no link now, and the old choice.
   * A new choice is made before the old link is broken: the old is dropped once the new is ready,
   * and kept if the new never opens.
   */
  private chooseAgain(now: number): void {
    const rotation = this.rotation;
    if (rotation) {
      if (!this.links.has(rotation.to)) {
        this.rotation = undefined;
      } else if (this.readyIds().has(rotation.to)) {
        this.rotation = undefined;
        // Let go: not a choice lost, to be made again.
        const old = this.links.get(rotation.from);
        if (old) old.released = true;
        this.links.drop(rotation.from);
      }
      return;
    }
    if (now - this.lastChosenAgainAt < ROTATE_INTERVAL_MS) return;
    const ready = this.readyIds();
    const choosable = this.choosable(ready);
    const peer = linkToChooseAgain(this.links.all(), choosable.size, this.maxPeers, now, this.latestBlockSource());
    if (peer === null) return;
    this.lastChosenAgainAt = now;
    // Drawn by source as a first choice is, the old choice among the candidates: drawn over ids,
    // a peer listing a flood of colluding ids would win most choices made again.
    const candidates = [...choosable].filter(([p]) => !this.links.has(p) && !this.heldChoices.has(p) && this.retryAt.due(p, now));
    const oldRoute = choosable.get(peer);
    if (oldRoute) candidates.push([peer, oldRoute]);
    const drawn = bySource(candidates, () => this.timers.random()).next();
    if (drawn.done || drawn.value[0] === peer) {
      // The same choice again (or nobody else to choose): it stands, made among the peers of now.
      this.links.get(peer)!.chosenAmong = choosable.size;
      return;
    }
    const [to, route] = drawn.value;
    if (this.choose(to, route, now, ready, choosable.size, true)) this.rotation = { from: peer, to };
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
    // An offer that won a collision with ours stands as our own choice did: this tab chose the
    // peer (in a server's room, or linked before), whatever the offerer's id shows by itself.
    // Taken as a stranger's, it was refused while fresh ids held their share of the half-open
    // slots, and neither link was made (the adversary spec's newcomer during the offer flood).
    const standing = Math.max(this.admission.standing(from, false, now), existing?.standing ?? 0) as Standing;
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
    // An own choice whose link was lost (nobody answered, or it was open and closed) keeps its
    // slot while its peer stays in the room: offered to again as the backoff allows
    // (peer-selection.ts). Not one whose peer answered and no path worked (another peer may be
    // reachable), one this tab let go of (chosen again), nor one whose peer offered instead (its
    // link is filed now).
    const lost = !pending.answered || pending.openedAt !== undefined;
    const holds = lost && pending.initiator && pending.chosenAmong !== undefined && !pending.released && pending.route.kind === 'server' && !this.links.has(peer) && this.servers.inAnyRoom(peer);
    // The hold runs from the first loss: a choice offered to again and again without a link that
    // lasts gives its slot up when the hold ends (one that stayed open longer than a hold is held
    // anew).
    const held = this.heldChoices.get(peer);
    const lasted = pending.openedAt !== undefined && now - pending.openedAt >= CHOICE_HOLD_MS;
    if (!holds || (held && now - held.since >= CHOICE_HOLD_MS && !lasted)) this.heldChoices.delete(peer);
    else if (!held || lasted) this.heldChoices.set(peer, { since: now, among: pending.chosenAmong! });
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
