/**
 * The connector's behaviour over hours of virtual time: a fake signaling socket plays the server
 * (challenge, joined with ICE servers, peers joining and leaving, pongs), fake links play WebRTC
 * (the test decides whether a link opens, fails, and along which path), and fake timers move
 * the clock. The real SignalingClient, backoff and budget logic run unchanged.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Emitter } from '../core/util/emitter.ts';
import { bytesToHex, generateSecretKey, peerIdOf, publicKeyOf, type Network, type NodeIdentity, type PeerId, type SignalData } from '../core/index.ts';
import { ConnectionBudget } from '../adapters/net/connection-budget.ts';
import { SignalingClient } from '../adapters/net/signaling-client.ts';
import type { IceDiagnostics, WebRtcLinkOptions } from '../adapters/net/webrtc-link.ts';
import type { LinkPath } from '../adapters/net/link-path.ts';
import { PeerConnector, type ConnectorLink } from './peer-connector.ts';
import type { MeshIntroductions } from './mesh-introductions.ts';
import type { RetryBackoff } from './retry-backoff.ts';

function identity(): NodeIdentity {
  const secretKey = generateSecretKey();
  const publicKey = publicKeyOf(secretKey);
  return { secretKey, publicKey, peerId: peerIdOf(publicKey) };
}

/** A peer id that sorts after every real one, so this node (lower id) initiates. */
function laterPeer(n: number): PeerId {
  return 'f' + n.toString(16).padStart(31, '0');
}

/** The signaling server as the client sees it. */
class FakeServer {
  /** While down, new sockets never open (the server or the uplink is gone). */
  down = false;
  peers = new Set<PeerId>();
  iceServers: unknown[] = [];
  sockets: FakeSocket[] = [];
  signals: { to: PeerId; data: SignalData }[] = [];
  get socket(): FakeSocket | undefined {
    return this.sockets.at(-1);
  }
  say(message: unknown): void {
    this.socket?.deliver(message);
  }
  join(peer: PeerId): void {
    this.peers.add(peer);
    this.say({ type: 'peer-joined', peerId: peer });
  }
  leave(peer: PeerId): void {
    this.peers.delete(peer);
    this.say({ type: 'peer-left', peerId: peer });
  }
}

class FakeSocket {
  static server: FakeServer;
  readyState = 0;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  readonly sent: string[] = [];
  constructor(readonly url: string) {
    FakeSocket.server.sockets.push(this);
    setTimeout(() => {
      if (FakeSocket.server.down) return;
      this.readyState = 1;
      this.deliver({ type: 'challenge', nonce: '00'.repeat(32) });
    }, 0);
  }
  deliver(message: unknown): void {
    if (this.readyState === 1) this.onmessage?.({ data: JSON.stringify(message) });
  }
  send(text: string): void {
    const message = JSON.parse(text) as { type: string; to?: PeerId; data?: SignalData };
    this.sent.push(message.type);
    const server = FakeSocket.server;
    if (message.type === 'join') this.deliver({ type: 'joined', peerId: 'x', peers: [...server.peers], iceServers: server.iceServers });
    else if (message.type === 'ping') this.deliver({ type: 'pong' });
    else if (message.type === 'signal') server.signals.push({ to: message.to!, data: message.data! });
  }
  close(): void {
    this.readyState = 3;
  }
}

/** A link the test steers: it opens, fails or stays connecting, as told. */
class FakeLink implements ConnectorLink {
  isOpen = false;
  buffered = 0;
  closed = false;
  pathResult: LinkPath | null = null;
  diag: IceDiagnostics = { gathered: ['host'], serverErrors: [], iceFailed: false };
  readonly received: SignalData[] = [];
  constructor(readonly options: WebRtcLinkOptions) {
    // As WebRtcLink does: every link is an RTCPeerConnection counted against the page's budget.
    options.budget?.track(this);
    // As WebRTC does: the initiator's offer comes out at once; a link that never opens times out.
    if (options.initiator) setTimeout(() => !this.closed && options.onSignal({ type: 'offer', sdp: 'x' }), 0);
    setTimeout(() => !this.isOpen && this.fail(), 20_000);
  }
  signal(data: SignalData): void {
    this.received.push(data);
  }
  send(): void {}
  open(path: LinkPath | null): void {
    this.isOpen = true;
    this.pathResult = path;
    this.options.onOpen();
  }
  fail(diag?: Partial<IceDiagnostics>): void {
    if (this.closed) return;
    this.diag = { ...this.diag, ...diag };
    this.close();
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.isOpen = false;
    this.options.onClose('closed');
  }
  diagnostics(): IceDiagnostics {
    return this.diag;
  }
  async path(): Promise<LinkPath | null> {
    return this.pathResult;
  }
}

/**
 * Plays the garbage collector for the budget: closed links are "collected" when the test says
 * (`collectGarbage()`), as Chromium collects closed RTCPeerConnections some time after close.
 */
class FakeRegistry {
  static current: FakeRegistry | undefined;
  private readonly targets = new Set<FakeLink>();
  constructor(private readonly onCollect: (held: null) => void) {
    FakeRegistry.current = this;
  }
  register(target: object): void {
    this.targets.add(target as FakeLink);
  }
  collect(): void {
    for (const link of this.targets) {
      if (!link.closed) continue;
      this.targets.delete(link);
      this.onCollect(null);
    }
  }
}
function collectGarbage(): void {
  FakeRegistry.current?.collect();
}

/** The parts of the core Network the connector uses. */
function fakeNetwork() {
  const events = new Emitter<{ signal: { from: PeerId; data: string; via: PeerId }; 'peer-list': { from: PeerId; peers: PeerId[] }; 'peer-disconnected': { id: PeerId } }>();
  const ready = new Set<PeerId>();
  const latency = new Map<PeerId, number>();
  const blockAt = new Map<PeerId, number>();
  const txAt = new Map<PeerId, number>();
  const relayed: { via: PeerId; to: PeerId; data: SignalData }[] = [];
  const network = {
    on: events.on.bind(events),
    tick: () => {},
    isBanned: () => false,
    peerInfo: () =>
      [...ready].map((id) => ({
        id,
        state: 'ready',
        height: 0,
        latencyMs: latency.get(id) ?? null,
        inbound: false,
        userAgent: '',
        ...(blockAt.has(id) ? { lastBlockAt: blockAt.get(id)! } : {}),
        ...(txAt.has(id) ? { lastTxAt: txAt.get(id)! } : {}),
      })),
    addLink: (id: PeerId) => {
      ready.add(id);
      return { receive: () => {}, closed: () => ready.delete(id) };
    },
    relaySignal: (via: PeerId, to: PeerId, data: string) => {
      relayed.push({ via, to, data: JSON.parse(data) as SignalData });
      return true;
    },
    disconnect: () => {},
  };
  return { network: network as unknown as Network, events, ready, latency, blockAt, txAt, relayed };
}

let server: FakeServer;
let connector: PeerConnector;
let budget: ConnectionBudget;

let networkEvents: ReturnType<typeof fakeNetwork>['events'];
let readyPeers: Set<PeerId>;
let peerLatency: Map<PeerId, number>;
let peerBlockAt: Map<PeerId, number>;
let peerTxAt: Map<PeerId, number>;
let relayedSignals: { via: PeerId; to: PeerId; data: SignalData }[];

function start(options: { limit?: number; iceServers?: RTCIceServer[]; me?: PeerId; connectTimeoutMs?: number; maxPeers?: number; staleTipMs?: number } = {}) {
  const { network, events, ready, latency, blockAt, txAt, relayed } = fakeNetwork();
  networkEvents = events;
  readyPeers = ready;
  peerLatency = latency;
  peerBlockAt = blockAt;
  peerTxAt = txAt;
  relayedSignals = relayed;
  budget = new ConnectionBudget(options.limit ?? 400, FakeRegistry as unknown as typeof FinalizationRegistry);
  const me = identity();
  connector = new PeerConnector({
    network,
    identity: { ...me, peerId: options.me ?? '0'.repeat(32) },
    signalingUrl: 'wss://signal.test/signal',
    room: bytesToHex(new Uint8Array(32)),
    budget,
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.maxPeers !== undefined ? { maxPeers: options.maxPeers } : {}),
    ...(options.staleTipMs !== undefined ? { staleTipMs: options.staleTipMs } : {}),
    ...(options.iceServers ? { iceServers: options.iceServers } : {}),
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    createLink: (o) => {
      const link = new FakeLink(o);
      allLinks.push(link);
      return link;
    },
  });
  connector.start();
}
let allLinks: FakeLink[] = [];

/** The link the connector holds for `peer` now. */
function linkOf(peer: PeerId): FakeLink | undefined {
  return (connector as unknown as { links: Map<PeerId, { link: FakeLink }> }).links.get(peer)?.link;
}

/** The links made for `peer` (matched by the signals the connector sent for them). */
function linksTo(peer: PeerId): number {
  return server.signals.filter((s) => s.to === peer && s.data.type === 'offer').length;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance', 'Date', 'queueMicrotask'] });
  server = new FakeServer();
  FakeSocket.server = server;
  allLinks = [];
});

afterEach(() => {
  connector.stop();
  vi.useRealTimers();
});

describe('PeerConnector', () => {
  it('behavior: retries to an unreachable peer back off from seconds to minutes (about 80 tries in 6 hours, not 1,000)', async () => {
    const peer = laterPeer(1);
    server.peers.add(peer);
    start();
    await vi.advanceTimersByTimeAsync(6 * 3600_000);
    const tries = linksTo(peer);
    // 2 s doubling to 5 min: ~8 tries to reach the cap, then one per 5 min (±25 %) for 6 h.
    expect(tries).toBeGreaterThan(50);
    expect(tries).toBeLessThan(110);
  });

  it('behavior: with peers churning for a day, live connections never pass the budget, and none are made while no offer could be routed', async () => {
    start({ limit: 12 });
    let next = 1;
    let maxLive = 0;
    const present: PeerId[] = [];
    for (let minute = 0; minute < 24 * 60; minute++) {
      // The collector takes the connections closed so far once a minute.
      collectGarbage();
      // Each minute one peer leaves and two join (up to 30 present); some links open, most fail.
      if (present.length > 0 && minute % 2 === 0) server.leave(present.shift()!);
      if (present.length < 30) {
        for (let i = 0; i < 2; i++) {
          const p = laterPeer(next++);
          present.push(p);
          server.join(p);
        }
      }
      // The signaling server goes away for an hour: no offers can be routed meanwhile.
      if (minute === 600) {
        server.down = true;
        const socket = server.socket!;
        socket.close();
        socket.onclose?.({ code: 1006 });
      }
      if (minute === 660) server.down = false;
      const before = budget.snapshot().created;
      await vi.advanceTimersByTimeAsync(60_000);
      if (minute > 600 && minute < 660) expect(budget.snapshot().created).toBe(before);
      // About one in three attempts fails at once (ICE failed); the rest time out.
      allLinks.forEach((link, i) => {
        if (!link.closed && !link.isOpen && (i + minute) % 3 === 0) link.fail({ iceFailed: true });
      });
      maxLive = Math.max(maxLive, budget.snapshot().live);
      expect(budget.snapshot().created - before).toBeLessThanOrEqual(12);
    }
    expect(maxLive).toBeLessThanOrEqual(12);
    expect(budget.snapshot().live).toBeLessThanOrEqual(12);
    // Links were made all along (the budget was spent and collected, not idle).
    expect(budget.snapshot().created).toBeGreaterThan(500);
  });

  it('behavior: links use the ICE servers the signaling server handed out, unless the user set their own', async () => {
    server.iceServers = [{ urls: ['stun:stun.test:3478'] }, { urls: ['turn:turn.test:3478'], username: '9999999999:me', credential: 'c' }, { urls: ['http://bad'] }];
    server.peers.add(laterPeer(1));
    start();
    await vi.advanceTimersByTimeAsync(100);
    expect(allLinks[0]!.options.iceServers).toEqual([{ urls: ['stun:stun.test:3478'] }, { urls: ['turn:turn.test:3478'], username: '9999999999:me', credential: 'c' }]);
    expect(connector.connectivity()).toMatchObject({ iceServers: 2, iceSource: 'server', relayConfigured: true });
    connector.setIceServers([{ urls: ['stun:mine.test'] }]);
    server.join(laterPeer(2));
    await vi.advanceTimersByTimeAsync(100);
    expect(allLinks.at(-1)!.options.iceServers).toEqual([{ urls: ['stun:mine.test'] }]);
    expect(connector.connectivity()).toMatchObject({ iceServers: 1, iceSource: 'user', relayConfigured: false });
  });

  it('behavior: asks for fresh TURN credentials before those in hand expire', async () => {
    const soon = Math.floor(Date.now() / 1000) + 5 * 60;
    server.iceServers = [{ urls: ['turn:turn.test:3478'], username: `${soon}:me`, credential: 'c' }];
    start();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(server.socket!.sent.filter((t) => t === 'ice-refresh')).toHaveLength(1);
    // Not again at once: one ask a minute while the answer is awaited.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(server.socket!.sent.filter((t) => t === 'ice-refresh')).toHaveLength(1);
    // Fresh credentials: no more asking.
    server.say({ type: 'ice-servers', iceServers: [{ urls: ['turn:turn.test:3478'], username: `${soon + 86_400}:me`, credential: 'd' }] });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.socket!.sent.filter((t) => t === 'ice-refresh')).toHaveLength(1);
  });

  it('behavior: the verdict follows the links: needs a relay, relay refused, relayed only, direct', async () => {
    start();
    await vi.advanceTimersByTimeAsync(100);
    expect(connector.connectivity().verdict).toBe('unknown');

    // A peer that answered but no path worked: a relay is needed.
    server.join(laterPeer(1));
    await vi.advanceTimersByTimeAsync(100);
    server.say({ type: 'signal', from: laterPeer(1), data: { type: 'answer', sdp: 'y' } });
    allLinks.at(-1)!.fail({ iceFailed: true });
    expect(connector.connectivity()).toMatchObject({ verdict: 'needs-relay', failedAttempts: 1 });

    // A peer that never answered (it left) says nothing about this network.
    server.join(laterPeer(2));
    await vi.advanceTimersByTimeAsync(100);
    server.leave(laterPeer(2));
    expect(allLinks.at(-1)!.closed).toBe(true);
    expect(connector.connectivity().failedAttempts).toBe(1);

    // The TURN server refused our credentials (the peer had answered).
    server.join(laterPeer(3));
    await vi.advanceTimersByTimeAsync(100);
    server.say({ type: 'signal', from: laterPeer(3), data: { type: 'answer', sdp: 'y' } });
    allLinks.at(-1)!.fail({ serverErrors: [401], iceFailed: true });
    expect(connector.connectivity()).toMatchObject({ verdict: 'relay-refused', relayRefused: true });

    // A relayed link works.
    server.join(laterPeer(4));
    await vi.advanceTimersByTimeAsync(100);
    allLinks.at(-1)!.open({ local: 'relay', remote: 'srflx', protocol: 'udp', rttMs: 80 });
    await vi.advanceTimersByTimeAsync(10);
    expect(connector.connectivity().verdict).toBe('relay-only');
    expect(connector.linkInfo().find((l) => l.id === laterPeer(4))).toMatchObject({ path: 'relay', remotePath: 'srflx', route: 'relay', rttMs: 80 });

    // A direct one too.
    server.join(laterPeer(5));
    await vi.advanceTimersByTimeAsync(100);
    allLinks.at(-1)!.open({ local: 'srflx', remote: 'prflx', protocol: 'udp', rttMs: 30 });
    await vi.advanceTimersByTimeAsync(10);
    expect(connector.connectivity().verdict).toBe('direct');
  });

  it('behavior: a silent signaling server is noticed within the heartbeat timeout, and the client rejoins', async () => {
    start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(connector.signalingStatus).toBe('online');
    // The uplink dies: the socket stays "open" but nothing comes back.
    const dead = server.socket!;
    dead.deliver = () => {};
    // Noticed within one ping interval plus the timeout (35 s), then rejoined after a backoff.
    await vi.advanceTimersByTimeAsync(40_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(server.sockets.length).toBeGreaterThan(1);
    expect(connector.signalingStatus).toBe('online');
  });
});

describe('PeerConnector against churn and a hostile peer', () => {
  it('behavior: a peer that keeps offering while our offer to it is unanswered never takes the live connections past the budget', async () => {
    const peer = laterPeer(1);
    server.peers.add(peer);
    start({ limit: 3 });
    await vi.advanceTimersByTimeAsync(100);
    expect(allLinks).toHaveLength(1);
    // Our offer is out; "it" (anyone able to send signals as it) answers with offers of its own.
    for (let i = 0; i < 50; i++) {
      server.say({ type: 'signal', from: peer, data: { type: 'offer', sdp: `o${i}` } });
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(budget.snapshot().live).toBeLessThanOrEqual(3);
    expect(allLinks.length).toBeLessThanOrEqual(3);
  });

  it('behavior: a connected peer listing made-up peers, whose links die at once, does not make this tab create connections fast', async () => {
    start();
    await vi.advanceTimersByTimeAsync(100);
    const via = laterPeer(0xbad);
    readyPeers.add(via);
    // Each link dies as soon as it is made (the hostile peer answers it with garbage).
    const killer = setInterval(() => allLinks.forEach((link) => link.fail()), 50);
    for (let second = 0; second < 60; second++) {
      networkEvents.emit('peer-list', { from: via, peers: Array.from({ length: 64 }, (_, i) => laterPeer(0x10000 + second * 64 + i)) });
      await vi.advanceTimersByTimeAsync(1_000);
    }
    clearInterval(killer);
    // Honest churn is a few links a minute; one peer must not make it hundreds.
    expect(budget.snapshot().created).toBeLessThanOrEqual(60);
  });

  it('behavior: a peer listing peers again replaces what it listed before (the mesh table stays bounded)', async () => {
    start({ limit: 1 });
    await vi.advanceTimersByTimeAsync(100);
    const via = laterPeer(0xbad);
    readyPeers.add(via);
    for (let round = 0; round < 100; round++) {
      networkEvents.emit('peer-list', { from: via, peers: Array.from({ length: 64 }, (_, i) => laterPeer(0x10000 + round * 64 + i)) });
    }
    const mesh = (connector as unknown as { meshPeers: MeshIntroductions }).meshPeers;
    expect(mesh.size).toBeLessThanOrEqual(64);
  });

  it('behavior: the backoff of peers gone for good is forgotten (the table does not grow with every peer ever tried)', async () => {
    start();
    await vi.advanceTimersByTimeAsync(100);
    for (let n = 1; n <= 40; n++) {
      server.join(laterPeer(n));
      await vi.advanceTimersByTimeAsync(3_000);
      server.leave(laterPeer(n));
    }
    await vi.advanceTimersByTimeAsync(30_000);
    const retries = (connector as unknown as { retryAt: RetryBackoff }).retryAt;
    expect(retries.size).toBeGreaterThan(30);
    await vi.advanceTimersByTimeAsync(15 * 60_000);
    expect(retries.size).toBe(0);
  });

  it('behavior: a peer that answered and then left (its tab closed mid-handshake) does not make the check say a relay is needed', async () => {
    start();
    await vi.advanceTimersByTimeAsync(100);
    server.join(laterPeer(1));
    await vi.advanceTimersByTimeAsync(100);
    server.say({ type: 'signal', from: laterPeer(1), data: { type: 'answer', sdp: 'y' } });
    // The other tab closes: the server says it left; our half-made link times out later.
    server.leave(laterPeer(1));
    await vi.advanceTimersByTimeAsync(25_000);
    expect(allLinks[0]!.closed).toBe(true);
    expect(connector.connectivity()).toMatchObject({ verdict: 'unknown', failedAttempts: 0 });
  });
});

describe('PeerConnector: offers from an id whose links keep failing (issue 11 follow-up)', () => {
  const inboundLinks = () => allLinks.filter((l) => !l.options.initiator);
  afterEach(() => vi.restoreAllMocks());

  it('behavior: an id offering every second, each link failing, gets a link only as its backoff allows (10 to 20 in 10 minutes, not one per allowance token)', async () => {
    start();
    await vi.advanceTimersByTimeAsync(100);
    const peer = laterPeer(7);
    for (let second = 0; second < 600; second++) {
      server.say({ type: 'signal', from: peer, data: { type: 'offer', sdp: `o${second}` } });
      await vi.advanceTimersByTimeAsync(1_000);
      allLinks.forEach((link) => link.fail());
    }
    // Without a backoff on offers, its allowance (4, then one per 5 s) gave it about 120.
    expect(inboundLinks().length).toBeGreaterThanOrEqual(5);
    expect(inboundLinks().length).toBeLessThanOrEqual(20);
  });

  it('behavior: after a good link, or on the first retry, the peer\'s next offer is taken at once', async () => {
    // The largest jitter, at which our own retry would be latest.
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    start();
    await vi.advanceTimersByTimeAsync(100);
    const peer = laterPeer(8);
    server.say({ type: 'signal', from: peer, data: { type: 'offer', sdp: 'a' } });
    await vi.advanceTimersByTimeAsync(10);
    linkOf(peer)!.fail();
    // The first retry, a second later, is taken (its own backoff starts at 2 s, with jitter).
    await vi.advanceTimersByTimeAsync(1_000);
    server.say({ type: 'signal', from: peer, data: { type: 'offer', sdp: 'b' } });
    await vi.advanceTimersByTimeAsync(10);
    expect(inboundLinks()).toHaveLength(2);
    linkOf(peer)!.open(null);
    await vi.advanceTimersByTimeAsync(61_000);
    linkOf(peer)!.fail();
    await vi.advanceTimersByTimeAsync(10);
    server.say({ type: 'signal', from: peer, data: { type: 'offer', sdp: 'c' } });
    await vi.advanceTimersByTimeAsync(10);
    expect(inboundLinks()).toHaveLength(3);
    expect(linkOf(peer)!.received).toEqual([{ type: 'offer', sdp: 'c' }]);
  });

  it('behavior: an offer that wins a collision with ours through the mesh is taken, though dropping ours counts as one more failed link', async () => {
    // The largest jitter: the backoff our dropped link leaves would refuse a fresh offer for a while.
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    start({ me: 'f'.repeat(32) });
    await vi.advanceTimersByTimeAsync(100);
    const via = laterPeer(0xa);
    const lower = 'a'.repeat(32);
    readyPeers.add(via);
    /** Our next link to `lower` (introduced again by `via`: an unanswered introduction is forgotten). */
    const ourNextLink = async (): Promise<FakeLink | undefined> => {
      networkEvents.emit('peer-list', { from: via, peers: [lower] });
      for (let i = 0; i < 15 && !(linkOf(lower) && !linkOf(lower)!.closed); i++) await vi.advanceTimersByTimeAsync(1_000);
      return linkOf(lower);
    };
    // Three of our links to it fail first: its backoff is 8 s when the collision comes.
    for (let i = 0; i < 3; i++) (await ourNextLink())!.fail();
    expect((await ourNextLink())?.options.initiator).toBe(true);
    networkEvents.emit('signal', { from: lower, data: JSON.stringify({ type: 'offer', sdp: 'theirs' }), via });
    expect(linkOf(lower)?.options.initiator).toBe(false);
    expect(linkOf(lower)!.received).toEqual([{ type: 'offer', sdp: 'theirs' }]);
  });
});

describe('PeerConnector slots an attacker cannot hold', () => {
  /** Offers from a new made-up id every 250 ms, through the signaling server, never completed. */
  function floodOffers(options: { joinAndLeave?: boolean } = {}): () => void {
    let n = 0;
    const flood = setInterval(() => {
      const id = 'e' + (n++).toString(16).padStart(31, '0');
      // As a real flood through the server does it: each made-up id joins, offers and leaves
      // (a link to an id that left is dropped at once, so each offer finds a free slot).
      if (options.joinAndLeave) server.join(id);
      server.say({ type: 'signal', from: id, data: { type: 'offer', sdp: 'junk' } });
      if (options.joinAndLeave) setTimeout(() => server.leave(id), 100);
    }, 250);
    return () => clearInterval(flood);
  }
  const isAttacker = (id: PeerId) => id.startsWith('e');
  /** Links still opening, and those of them with the attacker's ids. */
  function halfOpen(): { all: number; attacker: number } {
    const open = connector.linkInfo().filter((l) => l.state !== 'ready');
    return { all: open.length, attacker: open.filter((l) => isAttacker(l.id)).length };
  }

  it('behavior: half-open offers from fresh ids, 4 a second, hold two slots of 8: a new tab this one offers to links while it lasts', async () => {
    start();
    await vi.advanceTimersByTimeAsync(100);
    const stop = floodOffers();
    let worst = { all: 0, attacker: 0 };
    for (let second = 0; second < 30; second++) {
      await vi.advanceTimersByTimeAsync(1_000);
      const now = halfOpen();
      worst = { all: Math.max(worst.all, now.all), attacker: Math.max(worst.attacker, now.attacker) };
    }
    expect(worst).toEqual({ all: 2, attacker: 2 });
    // A new honest tab joins (a higher id: this tab offers) and links while the flood goes on.
    const honest = laterPeer(1);
    server.join(honest);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(linkOf(honest)).toBeDefined();
    linkOf(honest)!.open(null);
    await vi.advanceTimersByTimeAsync(30_000);
    stop();
    expect(connector.linkInfo().find((l) => l.id === honest)?.state).toBe('ready');
    expect(halfOpen().attacker).toBeLessThanOrEqual(2);
  });

  it.each([
    ['ids that stay', false],
    ['ids that join, offer and leave (every offer takes a connection: they must not spend those this tab needs)', true],
  ])('behavior: a new honest tab that offers itself (lower id) gets a link during a flood of %s, on its retries, within a minute of joining', async (_what, joinAndLeave) => {
    start({ me: '8'.repeat(32) });
    await vi.advanceTimersByTimeAsync(100);
    const stop = floodOffers({ joinAndLeave });
    await vi.advanceTimersByTimeAsync(10_000);
    const honest = '1'.repeat(32);
    server.join(honest);
    // It offers, and offers again (its own backoff) while no link to it is made.
    let tries = 0;
    for (let second = 0; second < 60 && !linkOf(honest); second += 5) {
      server.say({ type: 'signal', from: honest, data: { type: 'offer', sdp: `honest-${tries++}` } });
      await vi.advanceTimersByTimeAsync(5_000);
    }
    const link = linkOf(honest);
    expect(link).toBeDefined();
    link!.open(null);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(connector.linkInfo().find((l) => l.id === honest)?.state).toBe('ready');
    // The attacker never held more than its share meanwhile.
    expect(halfOpen().attacker).toBeLessThanOrEqual(2);
    stop();
  });

  it('behavior: a connect that has not opened within the connect timeout is dropped, freeing its slot', async () => {
    const silent = laterPeer(1);
    server.peers.add(silent);
    start({ connectTimeoutMs: 4_000 });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(allLinks[0]!.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(allLinks[0]!.closed).toBe(true);
    expect(connector.linkInfo()).toHaveLength(0);
  });

  it('behavior: mesh introductions of ids that already left hold at most two half-open slots, each is tried once, and a real peer still links at once', async () => {
    start();
    await vi.advanceTimersByTimeAsync(100);
    const via = laterPeer(0xa);
    readyPeers.add(via);
    const gone = Array.from({ length: 64 }, (_, i) => laterPeer(0x100 + i));
    networkEvents.emit('peer-list', { from: via, peers: gone });
    let worst = 0;
    for (let second = 0; second < 120; second++) {
      if (second === 20) server.join(laterPeer(1));
      await vi.advanceTimersByTimeAsync(1_000);
      if (second === 20) expect(linkOf(laterPeer(1))).toBeDefined();
      worst = Math.max(worst, connector.linkInfo().filter((l) => gone.includes(l.id)).length);
    }
    expect(worst).toBe(2);
    const offers = new Map<PeerId, number>();
    for (const s of relayedSignals) if (s.data.type === 'offer') offers.set(s.to, (offers.get(s.to) ?? 0) + 1);
    expect(Math.max(...offers.values())).toBe(1);
  });

  it('behavior: when the introducer leaves, its introductions and the links still opening through it are dropped', async () => {
    start();
    await vi.advanceTimersByTimeAsync(100);
    const via = laterPeer(0xa);
    readyPeers.add(via);
    const introduced = [laterPeer(0x100), laterPeer(0x101), laterPeer(0x102)];
    networkEvents.emit('peer-list', { from: via, peers: introduced });
    await vi.advanceTimersByTimeAsync(100);
    // Two are tried at once (their share of the half-open budget; which two is random), the third waits.
    const waiting = introduced.filter((p) => !linkOf(p));
    expect(waiting).toHaveLength(1);
    readyPeers.delete(via);
    networkEvents.emit('peer-disconnected', { id: via });
    expect(connector.linkInfo()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(connector.linkInfo()).toHaveLength(0);
    expect(relayedSignals.filter((s) => s.to === waiting[0])).toHaveLength(0);
  });

  it('behavior: during a flood of fresh ids, peers this tab chooses are offered to beside their links (its own choices are not in the half-open budget), and one slot stays for a peer linked before', async () => {
    start({ me: '8'.repeat(32) });
    await vi.advanceTimersByTimeAsync(100);
    const honest = '1'.repeat(32);
    server.join(honest);
    server.say({ type: 'signal', from: honest, data: { type: 'offer', sdp: 'first' } });
    await vi.advanceTimersByTimeAsync(100);
    linkOf(honest)!.open(null);
    await vi.advanceTimersByTimeAsync(2_000);
    // Its link drops (a network change) while fresh ids flood this tab with offers: they hold
    // their two half-open slots, and this tab offers to the peer linked before (still in the room,
    // its backoff over) beside them: its own choices are not in the half-open budget.
    linkOf(honest)!.fail();
    const stop = floodOffers();
    await vi.advanceTimersByTimeAsync(6_000);
    expect(linkOf(honest)?.options.initiator).toBe(true);
    expect(halfOpen()).toEqual({ all: 3, attacker: 2 });
    // A new tab in the room (this tab chooses peers of any id) is offered to at once, the flood
    // still holding no more than its two slots.
    server.join(laterPeer(1));
    expect(linkOf(laterPeer(1))?.options.initiator).toBe(true);
    expect(halfOpen()).toEqual({ all: 4, attacker: 2 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(halfOpen()).toEqual({ all: 4, attacker: 2 });
    // The peer linked before offers too (the offers cross): its offer, of the lower id, wins and
    // takes the half-open slot the fresh ids cannot take.
    const ours = linkOf(honest)!;
    server.say({ type: 'signal', from: honest, data: { type: 'offer', sdp: 'again' } });
    expect(ours.closed).toBe(true);
    expect(linkOf(honest)!.options.initiator).toBe(false);
    expect(halfOpen()).toEqual({ all: 4, attacker: 2 });
    stop();
  });

  it('behavior: an offer to a peer that left the room before answering is dropped at once', async () => {
    start();
    await vi.advanceTimersByTimeAsync(100);
    server.join(laterPeer(1));
    await vi.advanceTimersByTimeAsync(100);
    expect(linkOf(laterPeer(1))).toBeDefined();
    server.leave(laterPeer(1));
    expect(linkOf(laterPeer(1))).toBeUndefined();
    expect(allLinks[0]!.closed).toBe(true);
  });

  it('behavior: with its inbound slots taken, a new offer evicts one ready inbound link by Bitcoin rules fed from the Network (not the fastest, not the last to bring a block or a tx, not the oldest; never an outbound one), at most one per interval', async () => {
    // 3 outbound links (its outbound slots, peers it chose at random of the 8 in the room it
    // joined: chosen among enough never to be chosen again) and 5 inbound (the others, offering),
    // opened a minute apart.
    const room = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => laterPeer(n));
    for (const p of room) server.peers.add(p);
    // No extra link (extra-outbound.ts) in these 6 minutes: it would offer to one of the peers
    // meant to offer here (its first draw at 0.9 of the random comes after 11 minutes, and no
    // block coming is not a stale tip for an hour).
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.9);
    start({ me: '8'.repeat(32), staleTipMs: 3_600_000 });
    random.mockRestore();
    // At most 2 links of peers not linked before open at once: each next one is made as one
    // before it is ready.
    for (let second = 0; second < 3; second++) {
      await vi.advanceTimersByTimeAsync(1_000);
      for (const p of room) if (linkOf(p) && !linkOf(p)!.isOpen) linkOf(p)!.open(null);
    }
    const outbound = room.filter((p) => linkOf(p));
    const inbound = room.filter((p) => !linkOf(p));
    expect(outbound).toHaveLength(3);
    expect(outbound.every((p) => linkOf(p)!.isOpen && linkOf(p)!.options.initiator)).toBe(true);
    for (const p of inbound) {
      server.say({ type: 'signal', from: p, data: { type: 'offer', sdp: p } });
      await vi.advanceTimersByTimeAsync(100);
      expect(linkOf(p)!.options.initiator).toBe(false);
      linkOf(p)!.open(null);
      await vi.advanceTimersByTimeAsync(60_000);
    }
    // The youngest is the fastest, the next brought the last block, the one before the last new
    // tx: each is protected. Of the two left the older is protected by uptime: the younger goes.
    peerLatency.set(inbound[4]!, 10).set(inbound[3]!, 300).set(inbound[2]!, 300).set(inbound[1]!, 300).set(inbound[0]!, 300);
    peerBlockAt.set(inbound[3]!, 1_000);
    peerTxAt.set(inbound[2]!, 2_000);
    for (const p of outbound) peerLatency.set(p, 500);
    expect(connector.linkInfo().filter((l) => l.state === 'ready')).toHaveLength(8);
    const newcomer = '6'.repeat(32);
    const second = '7'.repeat(32);
    server.join(newcomer);
    server.join(second);
    await vi.advanceTimersByTimeAsync(31_000);
    // Its outbound slots are taken: it offers to nobody new.
    expect(linkOf(newcomer)).toBeUndefined();
    server.say({ type: 'signal', from: newcomer, data: { type: 'offer', sdp: 'new' } });
    expect(linkOf(newcomer)).toBeDefined();
    expect(linkOf(inbound[1]!)).toBeUndefined();
    for (const p of [...outbound, inbound[0]!, inbound[2]!, inbound[3]!, inbound[4]!]) expect(linkOf(p)?.isOpen).toBe(true);
    // Another offer at once is refused: one eviction per interval.
    linkOf(newcomer)!.open(null);
    server.say({ type: 'signal', from: second, data: { type: 'offer', sdp: 'second' } });
    expect(linkOf(second)).toBeUndefined();
    expect(connector.linkInfo().filter((l) => l.state === 'ready')).toHaveLength(8);
  });
});

describe('PeerConnector: its own choices (issue 16, part 3, made to hold in the adversary spec)', () => {
  // Random draws fixed at 0.5: the first extra link (extra-outbound.ts, drawn at start with a mean
  // of 5 minutes) comes after 3.5 minutes, past these tests' own choices (a test may draw again).
  beforeEach(() => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
  });
  afterEach(() => {
    vi.mocked(Math.random).mockRestore();
  });

  /** Opens every link still connecting to one of `peers` (they answer and connect at once). */
  function openAll(peers: readonly PeerId[]): void {
    for (const p of peers) if (linkOf(p) && !linkOf(p)!.isOpen) linkOf(p)!.open(null);
  }

  it('behavior: an offer that wins a crossing with this tab\'s own choice is taken as that choice, though fresh ids flooding it hold the half-open share a stranger\'s offer would need', async () => {
    start({ me: '8'.repeat(32) });
    await vi.advanceTimersByTimeAsync(100);
    // Offers from made-up ids fill the share of half-open slots for ids with no history.
    let n = 0;
    const flood = setInterval(() => server.say({ type: 'signal', from: 'e' + (n++).toString(16).padStart(31, '0'), data: { type: 'offer', sdp: 'junk' } }), 250);
    await vi.advanceTimersByTimeAsync(5_000);
    // A new tab joins: this tab chooses it (the only peer in the room) and offers.
    const newcomer = '1'.repeat(32);
    server.join(newcomer);
    expect(linkOf(newcomer)?.options.initiator).toBe(true);
    // Its own offer crosses ours and wins (the lower id): it stands as this tab's choice.
    server.say({ type: 'signal', from: newcomer, data: { type: 'offer', sdp: 'theirs' } });
    expect(linkOf(newcomer)?.options.initiator).toBe(false);
    expect(linkOf(newcomer)!.received).toEqual([{ type: 'offer', sdp: 'theirs' }]);
    clearInterval(flood);
  });

  it('behavior: a peer in the room before this tab joined gets a link while fresh ids joining by the second spend the allowance for peers just joined (its offer crossing ours is taken)', async () => {
    const found = '1'.repeat(32);
    server.peers.add(found);
    start({ me: '8'.repeat(32) });
    await vi.advanceTimersByTimeAsync(100);
    expect(linksTo(found)).toBe(1);
    // Made-up ids join and leave, 10 a second: this tab chooses them as they come (its free slots).
    let n = 0;
    const flood = setInterval(() => {
      const id = 'e' + (n++).toString(16).padStart(31, '0');
      server.join(id);
      setTimeout(() => server.leave(id), 100);
    }, 100);
    // The peer found in the room does not answer at first; it is offered to again on its backoff,
    // and its own offer crosses ours (the lower id's wins): taken, though the flood's ids spent
    // every connection for peers that just joined.
    await vi.advanceTimersByTimeAsync(15_000);
    expect(linksTo(found)).toBe(2);
    server.say({ type: 'signal', from: found, data: { type: 'offer', sdp: 'theirs' } });
    expect(linkOf(found)?.options.initiator).toBe(false);
    clearInterval(flood);
  });

  it('behavior: an own choice nobody answered keeps its slot and is offered to again while its peer stays in the room, then its slot is chosen again', async () => {
    const silent = laterPeer(1);
    server.peers.add(silent);
    start();
    await vi.advanceTimersByTimeAsync(100);
    expect(linksTo(silent)).toBe(1);
    // Nobody answers: the connect is dropped after its timeout.
    await vi.advanceTimersByTimeAsync(10_500);
    expect(linkOf(silent)).toBeUndefined();
    // Four peers join: two take the slots left, the third slot stays the silent peer's.
    const others = [2, 3, 4, 5].map((i) => laterPeer(i));
    for (const p of others) server.join(p);
    openAll(others);
    expect(others.filter((p) => linkOf(p))).toHaveLength(2);
    // Offered to again as its backoff allows, the slot kept all along.
    for (let second = 0; second < 30; second++) {
      await vi.advanceTimersByTimeAsync(1_000);
      openAll(others);
      expect(others.filter((p) => linkOf(p))).toHaveLength(2);
    }
    expect(linksTo(silent)).toBeGreaterThanOrEqual(3);
    // Held long enough (CHOICE_HOLD_MS): its slot is chosen again, at random.
    for (let second = 0; second < 30; second++) {
      await vi.advanceTimersByTimeAsync(1_000);
      openAll(others);
    }
    expect(others.filter((p) => linkOf(p)?.isOpen).length + (linkOf(silent) ? 1 : 0)).toBe(3);
  });

  it('behavior: an own choice whose open link closed is made again while its peer stays in the room (its slot kept), one whose peer answered and no path worked is not held', async () => {
    const chosen = laterPeer(1);
    server.peers.add(chosen);
    start();
    await vi.advanceTimersByTimeAsync(100);
    openAll([chosen]);
    await vi.advanceTimersByTimeAsync(70_000);
    // The link drops (a network change, or the peer dropped it) while new peers join.
    linkOf(chosen)!.fail();
    const others = [2, 3, 4, 5].map((i) => laterPeer(i));
    for (const p of others) server.join(p);
    openAll(others);
    expect(others.filter((p) => linkOf(p))).toHaveLength(2);
    // Offered to again after its backoff (the minimum, after a good link), in its own slot.
    await vi.advanceTimersByTimeAsync(3_000);
    expect(linkOf(chosen)?.options.initiator).toBe(true);
    expect(linksTo(chosen)).toBe(2);
    // Answered this time, but no path works: its slot goes to another peer at once.
    server.say({ type: 'signal', from: chosen, data: { type: 'answer', sdp: 'y' } });
    linkOf(chosen)!.fail({ iceFailed: true });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(others.filter((p) => linkOf(p))).toHaveLength(3);
  });

  it('behavior: a choice made among few is made again before it is broken: the old link stays until the new one is ready, and stays if it never is', async () => {
    // One outbound slot (of 2), chosen while the room held one peer.
    const first = laterPeer(1);
    server.peers.add(first);
    start({ maxPeers: 2 });
    await vi.advanceTimersByTimeAsync(100);
    openAll([first]);
    // The room grows to three: the slot is taken, so the newcomers stay unlinked.
    const newcomers = [laterPeer(2), laterPeer(3)];
    for (const p of newcomers) server.join(p);
    await vi.advanceTimersByTimeAsync(100);
    expect(newcomers.filter((p) => linkOf(p))).toHaveLength(0);
    // The draw picks a newcomer (not the old choice) each time it is made.
    vi.mocked(Math.random).mockReturnValue(0);
    await vi.advanceTimersByTimeAsync(31_000);
    const next = newcomers.find((p) => linkOf(p));
    expect(next).toBeDefined();
    expect(linkOf(first)?.isOpen).toBe(true);
    // It never opens: the old link stays.
    await vi.advanceTimersByTimeAsync(15_000);
    expect(linkOf(next!)).toBeUndefined();
    expect(linkOf(first)?.isOpen).toBe(true);
    // Chosen again 30 s later, and this time it opens: then, and only then, the old one goes.
    await vi.advanceTimersByTimeAsync(20_000);
    const again = newcomers.find((p) => linkOf(p))!;
    expect(linkOf(first)?.isOpen).toBe(true);
    openAll([again]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(linkOf(first)).toBeUndefined();
    expect(linkOf(again)?.isOpen).toBe(true);
  });

  it('behavior: nothing is chosen again when every peer it could choose is linked already, nor the peer that brought the latest block; ids in the room and in the mesh count once', async () => {
    const first = laterPeer(1);
    server.peers.add(first);
    start({ maxPeers: 2 });
    await vi.advanceTimersByTimeAsync(100);
    openAll([first]);
    // A second peer offers and takes the inbound slot: everybody this tab could choose is linked.
    const second = laterPeer(2);
    server.join(second);
    server.say({ type: 'signal', from: second, data: { type: 'offer', sdp: 'x' } });
    openAll([second]);
    // Both list each other and this tab: the same ids, not more peers.
    networkEvents.emit('peer-list', { from: first, peers: [second, '0'.repeat(32)] });
    networkEvents.emit('peer-list', { from: second, peers: [first, '0'.repeat(32)] });
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect([linkOf(first)?.isOpen, linkOf(second)?.isOpen]).toEqual([true, true]);
    // A third joins: the first choice was made among 1 of 3 now, but it brought the latest block.
    peerBlockAt.set(first, performance.now());
    const third = laterPeer(3);
    server.join(third);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(linkOf(third)).toBeUndefined();
    expect(linkOf(first)?.isOpen).toBe(true);
  });

  it('behavior: a choice made again is drawn by source: a linked peer listing 64 ids does not get it for a draw that falls in the rooms\' half', async () => {
    const first = laterPeer(1);
    server.peers.add(first);
    start({ maxPeers: 2 });
    await vi.advanceTimersByTimeAsync(100);
    openAll([first]);
    // An inbound peer takes the other slot and lists 64 ids; two honest peers join the room.
    const lister = laterPeer(2);
    server.join(lister);
    server.say({ type: 'signal', from: lister, data: { type: 'offer', sdp: 'x' } });
    openAll([lister]);
    const listed = Array.from({ length: 64 }, (_, i) => 'e' + i.toString(16).padStart(31, '0'));
    networkEvents.emit('peer-list', { from: lister, peers: listed });
    const newcomers = [laterPeer(3), laterPeer(4)];
    for (const p of newcomers) server.join(p);
    // Each draw 0.3: the rooms' half. Drawn over ids (the room's two newcomers first, then the 64),
    // 0.3 would have picked the 20th: a listed id.
    vi.mocked(Math.random).mockReturnValue(0.3);
    await vi.advanceTimersByTimeAsync(31_000);
    expect(listed.filter((p) => linkOf(p))).toHaveLength(0);
    expect(newcomers.filter((p) => linkOf(p))).toHaveLength(1);
  });
});

describe('SignalingClient heartbeat in a hidden tab', () => {
  it('behavior: a timer that runs only once a minute (a hidden tab) does not take a live server for a dead one', async () => {
    server.iceServers = [];
    const statuses: string[] = [];
    const client = new SignalingClient({
      url: 'wss://signal.test/signal',
      room: bytesToHex(new Uint8Array(32)),
      identity: identity(),
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      // What a throttled tab's 10-second interval becomes.
      heartbeatInterval: 60_000,
      heartbeatTimeout: 25_000,
      onStatus: (status) => statuses.push(status),
      onPeers: () => {},
      onPeerJoined: () => {},
      onPeerLeft: () => {},
      onSignal: () => {},
    });
    client.start();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(server.sockets).toHaveLength(1);
    expect(statuses).toEqual(['connecting', 'online']);
    expect(server.socket!.sent.filter((t) => t === 'ping').length).toBeGreaterThanOrEqual(9);
    client.stop();
  });
});
