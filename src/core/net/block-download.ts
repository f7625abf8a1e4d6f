/**
 * @module Block download that cannot stall (docs/protocol.md, "Block download"), after Bitcoin
 * Core's net_processing.cpp:
 *
 * - **Ask a peer only for what it has.** Each peer's best known block (Core's
 *   `pindexBestKnownBlock`) comes from its `version` tip, its `inv` and the headers it sent; a
 *   peer is asked only for missing bodies on the path from our active chain to that block
 *   (Core's `FindNextBlocksToDownload`). So a header some other peer announced is never asked of
 *   a peer that cannot have it (the getdata/notfound storm between honest peers), and a branch
 *   whose bodies are withheld never keeps a node from downloading other peers' branches: the
 *   chain connects whatever has the most work among blocks with bodies.
 * - **In flight, with a deadline.** Each block is in flight from one peer at a time. A peer serves
 *   its queue in order, so only the head of its queue is timed, from when it became the head (its
 *   request, or the previous block's arrival), for `blockTimeout` plus the time the peer's
 *   measured speed needs for a typical block plus two round trips (capped).
 * - **Failures move the request.** A timeout or a `notfound` frees the request for other peers and
 *   records that this peer failed that block (it is not asked for it again until the retry);
 *   the caller counts a stall against the peer ({@link PeerConduct}).
 * - **Set aside, retried later.** A missing body that some peer failed and no ready peer can still
 *   be asked for is *set aside*: its branch no longer counts as the sync target, so the node keeps
 *   following the branches it can download. After `retryAfterMs` the failures are forgotten and
 *   the block is asked again; each time the same block fails again the wait doubles, up to
 *   `maxRetryAfterMs`, so a body nobody serves is not asked for every few minutes for ever (it
 *   costs a stall to some peer each round).
 *
 * Pure: the caller passes the time in milliseconds and the chain's read-only view.
 */
import type { BlockIndexEntry } from '../chain/block-index.ts';
import type { PeerId } from './peer-identity.ts';

/** What the download needs from the chain (read only). */
export interface DownloadChain {
  readonly tip: { readonly hash: string; readonly chainWork: bigint };
  entry(hash: string): Readonly<BlockIndexEntry> | undefined;
  isActive(hash: string): boolean;
  bestHeader(): Readonly<BlockIndexEntry>;
  tips(): readonly { readonly hash: string; readonly status: string }[];
}

export interface BlockDownloadOptions {
  /** Base time for the head of a peer's queue, ms. */
  readonly blockTimeout: number;
  /** Blocks in flight per peer. */
  readonly maxInFlightPerPeer: number;
  /** How far past the first missing block of a peer's path requests reach (Core: 1024). */
  readonly downloadWindow?: number;
  /** How long a failed block is not asked again of the peers that failed it, ms (first round). */
  readonly retryAfterMs?: number;
  /** The longest that wait grows to for a block that keeps failing, ms. */
  readonly maxRetryAfterMs?: number;
}

/** Core's BLOCK_DOWNLOAD_WINDOW. */
export const BLOCK_DOWNLOAD_WINDOW = 1024;
/** A failed block is asked again of everyone after this long. */
export const DEFAULT_RETRY_AFTER_MS = 5 * 60_000;
/** The wait before asking again doubles per failed round up to this (5, 10, 20, 40, 60 min). */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60 * 60_000;
/** Blocks whose failed rounds are remembered at most (oldest forgotten first). */
const ROUNDS_LIMIT = 4_096;
/** Speed assumed for a peer not yet measured: 50 kB/s, a slow relayed (TURN) link. */
const DEFAULT_BYTES_PER_MS = 50;
/** The head's allowance never exceeds this many blockTimeouts (a peer cannot buy unlimited time). */
const MAX_TIMEOUT_FACTOR = 5;

interface PeerDownload {
  /** Block hash → when it was requested, in request order (the order the peer serves them). */
  readonly inFlight: Map<string, number>;
  /** When the head of the queue became the head. */
  headSince: number;
  bestKnown: Readonly<BlockIndexEntry> | undefined;
  /** An announced hash we had no header for yet (Core's hashLastUnknownBlock). */
  lastUnknown: string | undefined;
  /** Measured speed (moving average), bytes per ms. */
  bytesPerMs: number | undefined;
  latencyMs: number;
  /** Cached path of missing bodies, for this best known block and our tip. */
  path: { key: string; entries: Readonly<BlockIndexEntry>[] } | undefined;
}

/** A request that failed: the peer stalled or said `notfound`. */
export interface Failure {
  readonly peer: PeerId;
  readonly hash: string;
}

export class BlockDownload {
  private readonly peers = new Map<PeerId, PeerDownload>();
  /** Block hash → the peer it is in flight from. */
  private readonly owner = new Map<string, PeerId>();
  /** Block hash → the peers that failed it, and when they may be asked again. */
  private readonly failures = new Map<string, { peers: Set<PeerId>; until: number }>();
  /** Block hash → how many times its failures lapsed without it arriving (the wait doubles each). */
  private readonly failedRounds = new Map<string, number>();
  private readonly downloadWindow: number;
  private readonly retryAfterMs: number;
  private readonly maxRetryAfterMs: number;
  /** Moving average of received block sizes. */
  private typicalBlockBytes = 4_000;

  constructor(private readonly options: BlockDownloadOptions) {
    this.downloadWindow = options.downloadWindow ?? BLOCK_DOWNLOAD_WINDOW;
    this.retryAfterMs = options.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
    this.maxRetryAfterMs = Math.max(this.retryAfterMs, options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS);
  }

  addPeer(id: PeerId, now: number): void {
    this.peers.set(id, { inFlight: new Map(), headSince: now, bestKnown: undefined, lastUnknown: undefined, bytesPerMs: undefined, latencyMs: 0, path: undefined });
  }

  /** A peer left: what it owed goes back to the pool. */
  removePeer(id: PeerId): void {
    const p = this.peers.get(id);
    if (!p) return;
    for (const hash of p.inFlight.keys()) this.owner.delete(hash);
    this.peers.delete(id);
    for (const f of this.failures.values()) f.peers.delete(id);
  }

  setLatency(id: PeerId, latencyMs: number | null): void {
    const p = this.peers.get(id);
    if (p && latencyMs !== null) p.latencyMs = latencyMs;
  }

  /** The peer has `hash` (it announced it, sent its header or its version named it as its tip). */
  announced(id: PeerId, hash: string, chain: DownloadChain): void {
    const p = this.peers.get(id);
    if (!p) return;
    const entry = chain.entry(hash);
    if (!entry) {
      p.lastUnknown = hash;
      return;
    }
    if (entry.invalid) return;
    if (!p.bestKnown || entry.chainWork > p.bestKnown.chainWork) p.bestKnown = entry;
    // Someone (again) claims to have it: a block failed by others may be asked of this peer.
    if (p.lastUnknown === hash) p.lastUnknown = undefined;
  }

  bestKnown(id: PeerId): Readonly<BlockIndexEntry> | undefined {
    return this.peers.get(id)?.bestKnown;
  }

  inFlightFrom(id: PeerId): number {
    return this.peers.get(id)?.inFlight.size ?? 0;
  }

  isInFlightFrom(id: PeerId, hash: string): boolean {
    return this.owner.get(hash) === id;
  }

  totalInFlight(): number {
    return this.owner.size;
  }

  /**
   * A block arrived from `id`: true when it was in flight from that peer (anything else is
   * ignored by the caller). Measures the peer's speed.
   */
  received(id: PeerId, hash: string, bytes: number, now: number): boolean {
    const p = this.peers.get(id);
    if (!p || this.owner.get(hash) !== id) return false;
    const requestedAt = p.inFlight.get(hash)!;
    const wasHead = p.inFlight.keys().next().value === hash;
    const elapsed = Math.max(1, now - Math.max(requestedAt, p.headSince));
    const sample = bytes / elapsed;
    p.bytesPerMs = p.bytesPerMs === undefined ? sample : p.bytesPerMs * 0.7 + sample * 0.3;
    this.typicalBlockBytes = this.typicalBlockBytes * 0.9 + bytes * 0.1;
    this.take(p, hash);
    if (wasHead) p.headSince = now;
    this.failures.delete(hash);
    this.failedRounds.delete(hash);
    return true;
  }

  /** `notfound` for `hash` from `id`: true when it answers our request (a failure, not a flood). */
  notFound(id: PeerId, hash: string, now: number): boolean {
    const p = this.peers.get(id);
    if (!p || this.owner.get(hash) !== id) return false;
    const wasHead = p.inFlight.keys().next().value === hash;
    this.take(p, hash);
    if (wasHead) p.headSince = now;
    this.fail(id, hash, now);
    return true;
  }

  /**
   * Peers whose head request is past its deadline. Each such request is failed; the rest of that
   * peer's queue (which it serves in order, after the head) goes back to the pool.
   */
  expire(now: number): Failure[] {
    const failed: Failure[] = [];
    for (const [id, p] of this.peers) {
      const head = p.inFlight.keys().next().value;
      if (head === undefined) continue;
      const allowance = Math.min(
        this.options.blockTimeout * MAX_TIMEOUT_FACTOR,
        this.options.blockTimeout + 2 * p.latencyMs + this.typicalBlockBytes / (p.bytesPerMs ?? DEFAULT_BYTES_PER_MS),
      );
      if (now - Math.max(p.headSince, p.inFlight.get(head)!) <= allowance) continue;
      for (const hash of [...p.inFlight.keys()]) this.take(p, hash);
      p.headSince = now;
      this.fail(id, head, now);
      failed.push({ peer: id, hash: head });
    }
    return failed;
  }

  /** After a long gap between ticks (a throttled tab), every deadline starts again. */
  restartTimers(now: number): void {
    for (const p of this.peers.values()) {
      p.headSince = now;
      for (const hash of p.inFlight.keys()) p.inFlight.set(hash, now);
    }
  }

  /**
   * New requests: for each peer (in the order given: best first), missing bodies on the path to
   * its best known block, not in flight, not excluded (arrived and waiting), not failed by it.
   * A peer gets more work only once it is down to half its maxInFlightPerPeer, all of it in one getdata.
   */
  assign(order: readonly PeerId[], chain: DownloadChain, exclude: ReadonlySet<string>, now: number): Map<PeerId, string[]> {
    this.expireFailures(now);
    const max = this.options.maxInFlightPerPeer;
    const out = new Map<PeerId, string[]>();
    for (const id of order) {
      const p = this.peers.get(id);
      if (!p || p.inFlight.size > max / 2) continue;
      if (p.lastUnknown !== undefined && chain.entry(p.lastUnknown)) this.announced(id, p.lastUnknown, chain);
      const target = p.bestKnown;
      if (!target || target.invalid || target.chainWork <= chain.tip.chainWork) continue;
      const hashes: string[] = [];
      for (const e of this.pathOf(p, chain)) {
        if (p.inFlight.size + hashes.length >= max) break;
        if (e.hasData || e.invalid || this.owner.has(e.hash) || exclude.has(e.hash) || this.failures.get(e.hash)?.peers.has(id)) continue;
        hashes.push(e.hash);
      }
      if (hashes.length === 0) continue;
      if (p.inFlight.size === 0) p.headSince = now;
      for (const hash of hashes) {
        p.inFlight.set(hash, now);
        this.owner.set(hash, id);
      }
      out.set(id, hashes);
    }
    return out;
  }

  /**
   * The header sync heads for: the most-work header whose path holds no set-aside block (a
   * missing body some peer failed and no ready peer can still be asked for). Without failures
   * that is the chain's best header.
   */
  syncTarget(chain: DownloadChain, now: number): Readonly<BlockIndexEntry> {
    this.expireFailures(now);
    const best = chain.bestHeader();
    if (this.failures.size === 0) return best;
    let target = chain.entry(chain.tip.hash)!;
    for (const tip of chain.tips()) {
      if (tip.status !== 'headers-only' && tip.status !== 'valid-fork') continue;
      let candidate = chain.entry(tip.hash);
      for (let e = candidate; e && !chain.isActive(e.hash); e = e.parent) if (this.isSetAside(e)) candidate = e.parent;
      if (candidate && candidate.chainWork > target.chainWork) target = candidate;
    }
    return target;
  }

  /** Set aside: some peer failed it, and no peer that has it is left to ask. */
  isSetAside(entry: Readonly<BlockIndexEntry>): boolean {
    const f = this.failures.get(entry.hash);
    if (!f || entry.hasData) return false;
    for (const [id, p] of this.peers) {
      if (f.peers.has(id) || !p.bestKnown) continue;
      let e: Readonly<BlockIndexEntry> | undefined = p.bestKnown;
      while (e && e.height > entry.height) e = e.parent;
      if (e === entry) return false;
    }
    return true;
  }

  /**
   * `hash` came by another way (a compact block rebuilt from another peer's push): whoever it was
   * asked of owes it no more, so no deadline of theirs runs out on it.
   */
  cancel(hash: string, now: number): void {
    const owner = this.owner.get(hash);
    const p = owner === undefined ? undefined : this.peers.get(owner);
    if (!p) return void this.owner.delete(hash);
    const wasHead = p.inFlight.keys().next().value === hash;
    this.take(p, hash);
    // The next request's deadline counts from now, as after an answer.
    if (wasHead) p.headSince = now;
  }

  private take(p: PeerDownload, hash: string): void {
    p.inFlight.delete(hash);
    this.owner.delete(hash);
  }

  private fail(id: PeerId, hash: string, now: number): void {
    const f = this.failures.get(hash) ?? { peers: new Set<PeerId>(), until: now + this.retryDelay(hash) };
    f.peers.add(id);
    this.failures.set(hash, f);
  }

  /** How long a block failed now waits before it is asked again: doubled per earlier round, capped. */
  retryDelay(hash: string): number {
    const rounds = Math.min(this.failedRounds.get(hash) ?? 0, 30);
    return Math.min(this.maxRetryAfterMs, this.retryAfterMs * 2 ** rounds);
  }

  private expireFailures(now: number): void {
    for (const [hash, f] of this.failures) {
      if (now < f.until) continue;
      this.failures.delete(hash);
      // One more round failed: the next failure of this block waits twice as long.
      const rounds = (this.failedRounds.get(hash) ?? 0) + 1;
      this.failedRounds.delete(hash);
      this.failedRounds.set(hash, rounds);
      if (this.failedRounds.size > ROUNDS_LIMIT) this.failedRounds.delete(this.failedRounds.keys().next().value!);
    }
  }

  /** Missing bodies from the fork with our active chain up to the peer's best known block, lowest first, at most downloadWindow blocks past the fork. */
  private pathOf(p: PeerDownload, chain: DownloadChain): readonly Readonly<BlockIndexEntry>[] {
    const target = p.bestKnown!;
    const key = `${target.hash}:${chain.tip.hash}`;
    if (p.path?.key === key) return p.path.entries;
    const entries: Readonly<BlockIndexEntry>[] = [];
    let fork: Readonly<BlockIndexEntry> | undefined = target;
    while (fork && !chain.isActive(fork.hash)) {
      if (!fork.hasData) entries.push(fork);
      fork = fork.parent;
    }
    entries.reverse();
    const limit = (fork?.height ?? 0) + this.downloadWindow;
    const within = entries.filter((e) => e.height <= limit);
    p.path = { key, entries: within };
    return within;
  }
}
