/**
 * @module In-memory links that behave like WebRTC data channels, made by the real PeerConnector
 * through its `createLink` option. Set-up: the initiator's offer and the answer travel through the
 * real signaling paths (the simulated server, or a peer relaying); once the answer is in, the
 * link opens after a few round trips (ICE checks, DTLS, SCTP). Open links are ordered and
 * reliable: one-way latency with jitter (order kept), the sender's uplink bandwidth (chunks
 * serialise one after another, queued, shared by all its links), and loss as retransmission
 * delay (a lost chunk arrives one round trip later and holds back those behind it).
 *
 * Chunks due within COALESCE_MS of each other on one link are handed over in one event, and one
 * delivery event at most is pending per link: a thousand nodes with eight links each would
 * otherwise need an event per chunk.
 */
import type { SignalData } from '../core/index.ts';
import type { IceDiagnostics, WebRtcLinkOptions } from '../adapters/net/webrtc-link.ts';
import type { LinkPath } from '../adapters/net/link-path.ts';
import type { ConnectorLink } from '../app/peer-connector.ts';
import type { HostRunner, SimHost } from './sim-host.ts';
import type { SeededRandom } from './seeded-random.ts';
import { chunkType, type Traffic } from './traffic.ts';

export interface LinkModel {
  /** Mean one-way latency (ms); each link's own is drawn in latency ± jitter. */
  readonly latencyMs: number;
  /** Spread of link latencies around the mean, and up to a fifth of it per chunk (ms). */
  readonly jitterMs: number;
  /** Fraction of chunks lost once (each arrives one round trip late). */
  readonly loss: number;
  /** Each node's uplink, megabits per second (0: unlimited). */
  readonly bandwidthMbit: number;
  /** Round trips from the answer to an open channel. */
  readonly setupRoundTrips: number;
}

/** Chunks arriving this close together on one link are delivered in one event (ms). */
const COALESCE_MS = 1;

/** What the links share: the runner, randomness, traffic counters and the ends by id. */
export class LinkFabric {
  private nextId = 1;
  private readonly offers = new Map<string, SimLinkEnd>();
  /** Each host's uplink: virtual time until which it is sending. */
  private readonly uplinkFreeAt = new Map<SimHost, number>();
  linksOpened = 0;
  /** Cuts between one side and the rest, each until a virtual time (scenario hooks). */
  private readonly cuts: { side: ReadonlySet<SimHost>; from: number; until: number }[] = [];

  constructor(
    readonly runner: HostRunner,
    readonly model: LinkModel,
    readonly random: SeededRandom,
    readonly traffic: Traffic,
  ) {}

  /** The `createLink` of one host's PeerConnector. */
  factory(host: SimHost): (options: WebRtcLinkOptions) => ConnectorLink {
    return (options) => new SimLinkEnd(this, host, options, `sim:${this.nextId++}`);
  }

  register(end: SimLinkEnd): void {
    this.offers.set(end.id, end);
  }

  take(id: string): SimLinkEnd | undefined {
    const end = this.offers.get(id);
    this.offers.delete(id);
    return end;
  }

  /** A new link's one-way latency (ms). */
  drawLatency(): number {
    const { latencyMs, jitterMs } = this.model;
    return Math.max(0.5, this.random.between(latencyMs - jitterMs, latencyMs + jitterMs));
  }

  /** When a chunk of `bytes` sent by `host` at `at` is on the wire (its uplink queue). */
  serialise(host: SimHost, at: number, bytes: number): number {
    const mbit = this.model.bandwidthMbit;
    if (mbit <= 0) return at;
    const start = Math.max(at, this.uplinkFreeAt.get(host) ?? 0);
    const done = start + (bytes * 8) / (mbit * 1000);
    this.uplinkFreeAt.set(host, done);
    return done;
  }

  forget(host: SimHost): void {
    this.uplinkFreeAt.delete(host);
  }

  /**
   * Cuts every path between `side` and the other hosts from now until `until` (virtual ms): a
   * partition. Chunks sent across wait and arrive after it heals (a reliable channel retransmits
   * until then; the peers' own ping timeouts decide whether the link survives), and no new link
   * across opens while it lasts.
   */
  partition(side: ReadonlySet<SimHost>, until: number): void {
    this.cuts.push({ side, from: this.runner.scheduler.now, until });
  }

  /** Until when the path between `a` and `b` is cut at `at` (0: it is not). */
  cutUntil(a: SimHost, b: SimHost, at: number): number {
    let until = 0;
    for (const cut of this.cuts) if (at >= cut.from && at < cut.until && cut.side.has(a) !== cut.side.has(b)) until = Math.max(until, cut.until);
    return until;
  }
}

/** One side of a simulated data channel. */
export class SimLinkEnd implements ConnectorLink {
  isOpen = false;
  readonly buffered = 0;
  private remote: SimLinkEnd | undefined;
  private closed = false;
  /** One-way latency of the pair (ms), set when paired. */
  private latency = 0;
  /** Chunks on their way to this end, oldest first, with their arrival times. */
  private readonly inbound: { at: number; chunk: Uint8Array }[] = [];
  private deliveryPending = false;
  /** Arrival time of the last chunk sent on this end (order is kept). */
  private lastArrival = 0;
  /** Type of the message whose chunks this end is sending. */
  private sendingType = 'unknown';

  constructor(
    private readonly fabric: LinkFabric,
    readonly host: SimHost,
    private readonly options: WebRtcLinkOptions,
    readonly id: string,
  ) {
    host.links++;
    if (options.initiator) {
      fabric.register(this);
      // As WebRTC does: the offer comes out at once (within the host's current event).
      queueMicrotask(() => !this.closed && options.onSignal({ type: 'offer', sdp: id }));
    }
  }

  signal(data: SignalData): void {
    if (this.closed) return;
    const sdp = typeof data.sdp === 'string' ? data.sdp : '';
    if (data.type === 'offer' && !this.options.initiator && !this.remote) {
      const offerer = this.fabric.take(sdp);
      if (!offerer || offerer.closed) return;
      this.pair(offerer);
      queueMicrotask(() => !this.closed && this.options.onSignal({ type: 'answer', sdp: this.id }));
      return;
    }
    if (data.type === 'answer' && this.options.initiator && this.remote?.id === sdp && !this.isOpen) this.connect();
  }

  private pair(offerer: SimLinkEnd): void {
    const latency = this.fabric.drawLatency();
    this.remote = offerer;
    offerer.remote = this;
    this.latency = offerer.latency = latency;
  }

  /** The answer reached the initiator: the channel opens after the set-up round trips, the answerer's side half a trip sooner. */
  private connect(): void {
    const remote = this.remote!;
    const runner = this.fabric.runner;
    // Across a partition the checks never succeed: the connector's timeout closes the attempt.
    if (this.fabric.cutUntil(this.host, remote.host, runner.scheduler.now) > 0) return;
    const openAt = runner.scheduler.now + this.fabric.model.setupRoundTrips * 2 * this.latency;
    runner.at(remote.host, openAt - this.latency, () => remote.open());
    runner.at(this.host, openAt, () => this.open());
  }

  private open(): void {
    if (this.closed || this.remote?.closed !== false) return;
    this.isOpen = true;
    this.fabric.linksOpened++;
    this.options.onOpen();
  }

  send(chunk: Uint8Array): void {
    const remote = this.remote;
    if (!this.isOpen || !remote) return;
    const type = chunkType(chunk);
    if (type) this.sendingType = type;
    this.fabric.traffic.count(this.host.index, this.sendingType, chunk.length, type !== undefined);
    // Sent while its host handles an event: it leaves when the handling ends.
    const runner = this.fabric.runner;
    if (runner.active === this.host) this.host.departures.push((at) => this.transmit(chunk, at));
    else this.transmit(chunk, runner.scheduler.now);
  }

  private transmit(chunk: Uint8Array, at: number): void {
    const remote = this.remote;
    if (!remote || this.closed) return;
    const { model, random } = this.fabric;
    const onWire = this.fabric.serialise(this.host, at, chunk.length);
    let arrival = onWire + this.latency + (model.jitterMs > 0 ? random.next() * (model.jitterMs / 5) : 0);
    if (model.loss > 0 && random.next() < model.loss) arrival += 2 * this.latency;
    const healed = this.fabric.cutUntil(this.host, remote.host, onWire);
    if (healed > 0) arrival = Math.max(arrival, healed + this.latency);
    arrival = Math.max(arrival, this.lastArrival);
    this.lastArrival = arrival;
    remote.arrive(arrival, chunk);
  }

  private arrive(at: number, chunk: Uint8Array): void {
    this.inbound.push({ at, chunk });
    if (!this.deliveryPending) this.scheduleDelivery();
  }

  private scheduleDelivery(): void {
    const head = this.inbound[0];
    if (!head) return;
    this.deliveryPending = true;
    this.fabric.runner.at(this.host, head.at, () => this.deliver());
  }

  private deliver(): void {
    this.deliveryPending = false;
    if (this.closed) return;
    const now = this.fabric.runner.scheduler.now;
    let n = 0;
    while (this.inbound.length > 0 && this.inbound[0]!.at <= now + COALESCE_MS) {
      const { chunk } = this.inbound.shift()!;
      n++;
      this.options.onData(chunk);
      if (this.closed) return;
    }
    // The first chunk is in the event's base cost; each further one costs as much.
    if (n > 1) this.fabric.runner.charge((n - 1) * this.fabric.runner.costs.messageMs);
    this.scheduleDelivery();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.isOpen = false;
    this.host.links--;
    this.inbound.length = 0;
    if (this.options.initiator) this.fabric.take(this.id);
    const remote = this.remote;
    // The other side learns it after one trip (an SCTP abort), as an event of its own host.
    if (remote && !remote.closed) {
      const now = this.fabric.runner.scheduler.now;
      const at = Math.max(now, this.fabric.cutUntil(this.host, remote.host, now)) + this.latency;
      this.fabric.runner.at(remote.host, at, () => remote.close());
    }
    this.options.onClose('closed');
  }

  diagnostics(): IceDiagnostics {
    return { gathered: ['host'], serverErrors: [], iceFailed: false };
  }

  async path(): Promise<LinkPath | null> {
    return this.isOpen ? { local: 'host', remote: 'host', protocol: 'udp', rttMs: 2 * this.latency } : null;
  }
}
