/**
 * @module Sync scheduling: headers-first sync (locators, headers only in answer to a request and
 * only when they lead to more work), block bodies asked of the peers that have them
 * (block-download.ts), connected in batches of one store write, and the sync progress.
 *
 * Pure: the time comes from the {@link PeerHost}'s clock and `tick(now)`.
 */
import { HEADER_SIZE, headerHash, type BlockHeader } from '../primitives/header.ts';
import type { Block } from '../primitives/block.ts';
import { DecodeError } from '../encoding/decode-error.ts';
import { bytesEqual, hashToHex, hexToHash } from '../encoding/hex.ts';
import { workFromBits } from '../consensus/pow.ts';
import { sha256d } from '../crypto/hash.ts';
import { INV_BLOCK, INV_CMPCT_BLOCK, INV_TX, WIRE_LIMITS, type InvItem, type Message } from './messages.ts';
import { BlockDownload } from './block-download.ts';
import { antiDosWorkThreshold } from './header-work-threshold.ts';
import type { PeerId } from './peer-identity.ts';
import { ban, drop, readyPeers, remember, type Peer, type PeerHost } from './peer.ts';

export interface BlockSyncOptions {
  readonly blockTimeout: number;
  /** Block bodies requested from one peer at a time. */
  readonly maxInFlightPerPeer: number;
  /** Blocks connected per store write while syncing, at most. */
  readonly batchSize: number;
  /** Bytes of blocks connected per store write, at most (a batch of full blocks stays short). */
  readonly batchBytes: number;
  /** A block waits this long (ms) at most for its batch to fill. */
  readonly batchAge: number;
}

/**
 * A block body's hash, read without decoding it: the sha256d of its first 80 bytes (the header);
 * undefined when it is shorter than a header. Whether the rest belongs to it is the decoder's
 * and the validator's job.
 */
function bodyHash(bytes: Uint8Array): Uint8Array | undefined {
  return bytes.length >= HEADER_SIZE ? sha256d(bytes.subarray(0, HEADER_SIZE)) : undefined;
}

export class BlockSync {
  private readonly host: PeerHost;
  private readonly batchSize: number;
  private readonly batchBytes: number;
  private readonly batchAge: number;
  /**
   * Blocks that arrived and wait to be connected in a batch: only their wire bytes (up to the
   * download window of them), decoded once when their batch is connected and stored as those
   * bytes. The sender is kept itself, not its id, so a body found malformed then still gets it
   * banned after it left.
   */
  private arrived: { bytes: Uint8Array; from: Peer; hash: string }[] = [];
  /** Hashes in `arrived`: not to be asked for again while they wait. */
  private readonly arrivedHashes = new Set<string>();
  /** Bytes in `arrived`. */
  private arrivedBytes = 0;
  private processing: Promise<void> = Promise.resolve();
  /** When the oldest block in `arrived` came (the host's clock). */
  private firstArrivedAt = 0;
  private progress: { startHeight: number; total: number } | undefined;
  /** Blocks in flight per peer, what each peer has, failed and set-aside blocks. */
  private readonly download: BlockDownload;
  private readonly tickHandlers = new Set<() => void>();
  /** Blocks being rebuilt from compact blocks (compact-relay.ts): not asked for whole meanwhile. */
  private readonly compactHeld = new Set<string>();
  /** Told when a peer gave us a block new to us (the compact relay's high-bandwidth choice). */
  private readonly newBlockFrom: (p: Peer) => void;

  constructor(host: PeerHost, options: BlockSyncOptions, newBlockFrom: (p: Peer) => void = () => {}) {
    this.host = host;
    this.newBlockFrom = newBlockFrom;
    this.batchSize = options.batchSize;
    this.batchBytes = options.batchBytes;
    this.batchAge = options.batchAge;
    this.download = new BlockDownload({ blockTimeout: options.blockTimeout, maxInFlightPerPeer: options.maxInFlightPerPeer });
  }

  private get node(): PeerHost['node'] {
    return this.host.node;
  }

  // ---- Peers coming and going --------------------------------------------------------------------

  addPeer(id: PeerId): void {
    this.download.addPeer(id, this.host.now());
  }

  /** Blocks it owed us go back to the pool of work for other peers. */
  removePeer(id: PeerId): void {
    this.download.removePeer(id);
  }

  /** Its version named this tip (of our network): it has that block. */
  tipAnnounced(p: Peer, tipHash: Uint8Array): void {
    this.download.announced(p.id, hashToHex(tipHash), this.node.chain);
  }

  setLatency(id: PeerId, latencyMs: number): void {
    this.download.setLatency(id, latencyMs);
  }

  /** Whether a message answers our request to this peer (headers, or a block in flight from it). */
  requested(p: Peer, m: Message): boolean {
    if (m.type === 'headers') return p.headersRequested;
    if (m.type === 'block') {
      const hash = bodyHash(m.block);
      return hash !== undefined && this.download.isInFlightFrom(p.id, hashToHex(hash));
    }
    return false;
  }

  /** Whether a block is in flight from this peer (a `notfound` for it answers our request). */
  isInFlightFrom(id: PeerId, hash: string): boolean {
    return this.download.isInFlightFrom(id, hash);
  }

  // ---- Headers -----------------------------------------------------------------------------------

  serveHeaders(p: Peer, m: Extract<Message, { type: 'getheaders' }>): void {
    this.host.send(p, {
      type: 'headers',
      headers: this.node.chain.headersAfter(m.locator.map(hashToHex), isZero(m.stopHash) ? undefined : hashToHex(m.stopHash), WIRE_LIMITS.maxHeaders),
    });
  }

  requestHeaders(p: Peer): void {
    p.headersRequested = true;
    // From the best header we can still download (not a branch set aside, download.ts).
    const from = this.download.syncTarget(this.node.chain, this.host.now());
    this.host.send(p, { type: 'getheaders', locator: this.node.chain.locator(from.hash).map(hexToHash), stopHash: new Uint8Array(32) });
  }

  /**
   * A peer announced a block: returns whether it is new to us. A block known invalid for good is
   * never asked for again, whoever announces it, and its announcer is banned: a node announces
   * only blocks it connected, so it follows rules this node does not (Bitcoin Core punishes
   * headers of a block cached as invalid the same way). Descendants we do not know yet are
   * asked for as headers, which get their sender banned in onHeaders (bad-prevblk).
   */
  blockAnnounced(p: Peer, hash: Uint8Array): boolean {
    const invalid = this.node.chain.invalidity(hashToHex(hash));
    if (invalid) {
      this.host.close(p, ban(`announced an invalid block: ${invalid.code}`));
      return false;
    }
    const known = this.node.chain.entry(hashToHex(hash));
    // The peer has this block: its height is at least that (shown in peers()).
    if (known) p.height = Math.max(p.height, known.height);
    this.download.announced(p.id, hashToHex(hash), this.node.chain);
    return !known;
  }

  /**
   * Headers-first sync: headers must answer our request and form one continuous chain; they
   * are filed only when the chain they reach (their parent's work and theirs) has more work than
   * our tip (a flood of low-work headers downloads no bodies, test-plan C.21) and at least the
   * anti-DoS work threshold (header-work-threshold.ts): the tip lags the best header while
   * bodies download, so a syncing node would otherwise store batch after batch of cheap headers
   * forking near genesis. New headers below the threshold are unhelpful, not invalid (a peer on
   * a stale fork may send them): a stall, so a peer that keeps sending them is dropped.
   */
  async onHeaders(p: Peer, headers: readonly BlockHeader[]): Promise<void> {
    if (!p.headersRequested) return; // Unsolicited: ignored.
    p.headersRequested = false;
    if (headers.length === 0) return this.requestBlocks();
    const hashes = headers.map((h) => headerHash(h));
    for (let i = 1; i < headers.length; i++) {
      if (!bytesEqual(headers[i]!.prevHash, hashes[i - 1]!)) return this.host.close(p, ban('headers are not a continuous chain'));
    }
    const parent = this.node.chain.entry(hashToHex(headers[0]!.prevHash));
    if (!parent) return; // Our locator did not reach its fork: nothing to attach it to yet.
    let work = parent.chainWork;
    for (const h of headers) work += workFromBits(h.bits);
    // Headers we all have already store nothing: judged by the tip alone, as an answer from a
    // peer that is behind our best header but ahead of our tip (it has those blocks to serve).
    const adds = !this.node.chain.entry(hashToHex(hashes[hashes.length - 1]!));
    if (adds && work < antiDosWorkThreshold(this.download.syncTarget(this.node.chain, this.host.now()), this.node.params.minimumChainWork)) {
      if (p.conduct.stall(this.host.now()) === 'disconnect') this.host.close(p, drop('headers below the anti-DoS work threshold'));
      return;
    }
    // A branch with less work than the tip, even a long one, is not followed (see docs).
    if (work <= this.node.tip.chainWork) return;
    // One chain operation and one store write for the whole message.
    for (const outcome of await this.node.chain.processHeaders(headers)) {
      if (outcome.status === 'rejected') {
        if (outcome.rejection.punish) return this.host.close(p, ban(`invalid header: ${outcome.rejection.code}`));
        break;
      }
    }
    const last = this.node.chain.entry(hashToHex(hashes[hashes.length - 1]!));
    if (last) p.height = Math.max(p.height, last.height);
    // It sent these headers: it has these blocks (what it may be asked for).
    if (last) this.download.announced(p.id, last.hash, this.node.chain);
    if (headers.length === WIRE_LIMITS.maxHeaders) this.requestHeaders(p);
    this.startSync();
    this.requestBlocks();
  }

  // ---- Bodies ------------------------------------------------------------------------------------

  /**
   * `notfound` answers our getdata: a block we asked this peer for is asked of another peer, and
   * the peer is marked a staller (one stall per message; dropped after repeated stalls, never
   * banned: an honest peer may lack a block or be too busy to serve it).
   */
  onNotFound(p: Peer, items: readonly InvItem[]): void {
    const now = this.host.now();
    let failed = false;
    for (const item of items) {
      if (item.kind !== INV_TX && this.download.notFound(p.id, hashToHex(item.hash), now)) failed = true;
    }
    if (failed && p.conduct.stall(now) === 'disconnect') return this.host.close(p, drop('stalling block download'));
    this.requestBlocks();
  }

  /**
   * A block body: its hash is its first 80 bytes' (the header's), so it waits as bytes only. A
   * body we did not ask this peer for is decoded at once only to judge it (a malformed one gets
   * the peer banned, as a waiting one does when its batch decodes it), then ignored.
   */
  onBlock(p: Peer, bytes: Uint8Array): void {
    const hashBytes = bodyHash(bytes);
    const hash = hashBytes && hashToHex(hashBytes);
    if (!hashBytes || !hash || !this.download.received(p.id, hash, bytes.length, this.host.now())) {
      const judged = this.decode(bytes);
      if (judged instanceof DecodeError) this.host.punish(p, `malformed block: ${judged.message}`);
      return;
    }
    remember(p.known, hash);
    // A block that would take the batch past its byte bound starts the next batch.
    if (this.arrived.length > 0 && this.arrivedBytes + bytes.length > this.batchBytes) this.flushArrived();
    if (this.arrived.length === 0) this.firstArrivedAt = this.host.now();
    this.arrived.push({ bytes, from: p, hash });
    this.arrivedBytes += bytes.length;
    this.arrivedHashes.add(hash);
    this.requestBlocks();
    // A batch is bounded in count and in bytes (so full blocks are connected a few at a time and
    // the height moves with the download), and in age (tick). Downloads go on while it connects.
    if (this.arrived.length >= this.batchSize || this.arrivedBytes >= this.batchBytes || this.download.totalInFlight() === 0) this.flushArrived();
  }

  /**
   * A `cmpctblock` answering our request to this peer came when the block was had or being
   * rebuilt from another's push: the request is answered (no deadline runs out on the peer).
   */
  answered(p: Peer, hash: string): void {
    if (this.download.isInFlightFrom(p.id, hash)) this.download.cancel(hash, this.host.now());
  }

  /** A block being rebuilt from a compact block is not asked for whole until it is released. */
  holdForCompact(hash: string): void {
    this.compactHeld.add(hash);
  }

  /** Rebuilding ended (the block came, or it is to be fetched whole): the download may ask for it. */
  releaseCompact(hash: string): void {
    if (this.compactHeld.delete(hash)) this.requestBlocks();
  }

  /**
   * A block rebuilt from a compact block (its merkle root checked): connected at once through the
   * same path as a downloaded body, so validation, fork choice and bans are the same. A request
   * for it in flight from this peer counts as answered.
   */
  submitRebuilt(p: Peer, block: Block, bytes: Uint8Array): Promise<void> {
    const hashBytes = bodyHash(bytes)!;
    const hash = hashToHex(hashBytes);
    // Asked of this peer: answered. Asked of another (a low-bandwidth getdata while a
    // high-bandwidth peer pushed it): that peer owes it no more either.
    if (!this.download.received(p.id, hash, bytes.length, this.host.now())) this.download.cancel(hash, this.host.now());
    remember(p.known, hash);
    this.arrivedHashes.add(hash);
    this.compactHeld.delete(hash);
    return this.connect([{ block, bytes, from: p.id }], [hash]);
  }

  private decode(bytes: Uint8Array): Block | DecodeError {
    try {
      return this.node.decoder.block(bytes, this.node.params.limits);
    } catch (error) {
      if (error instanceof DecodeError) return error;
      throw error;
    }
  }

  /**
   * Connects the blocks that arrived, in one store write, each decoded here, once. The sender of
   * a malformed one is banned (even if it has left since) and the block is asked of another
   * peer; senders of invalid ones are banned.
   */
  private flushArrived(): void {
    if (this.arrived.length === 0) return;
    const waiting = this.arrived;
    this.arrived = [];
    this.arrivedBytes = 0;
    const batch: { block: Block; bytes: Uint8Array; from: PeerId }[] = [];
    void this.connect(batch, waiting.map((b) => b.hash), () => {
      const malformed: { from: Peer; error: DecodeError }[] = [];
      for (const b of waiting) {
        const decoded = this.decode(b.bytes);
        if (decoded instanceof DecodeError) malformed.push({ from: b.from, error: decoded });
        else batch.push({ block: decoded, bytes: b.bytes, from: b.from.id });
      }
      for (const m of malformed) this.host.punish(m.from, `malformed block: ${m.error.message}`);
    });
  }

  /**
   * Connects a batch in one store write, in the chain's turn (after `prepare`, which may fill the
   * batch then); senders of invalid blocks are banned. `hashes` are not asked for again until it
   * is done.
   */
  private connect(batch: { block: Block; bytes: Uint8Array; from: PeerId }[], hashes: readonly string[], prepare: () => void = () => {}): Promise<void> {
    const done = (this.processing = this.processing.then(async () => {
      prepare();
      // Stored as the bytes they came in (never encoded again).
      const outcomes = await this.node.chain.processBlocks(
        batch.map((b) => b.block),
        batch.map((b) => b.bytes),
      );
      outcomes.forEach((o, i) => {
        const sender = this.host.peers.get(batch[i]!.from);
        if (o.status === 'rejected' && o.rejection.punish) {
          if (sender) this.host.close(sender, ban(`invalid block: ${o.rejection.code}`));
        } else if (sender && (o.status === 'connected' || o.status === 'side-chain')) {
          sender.lastBlockAt = this.host.now();
          // A new block relayed to us, not a batch of a sync: only then is its sender a candidate
          // to push the next ones (Bitcoin Core picks no high-bandwidth peers while catching up).
          if (o.status === 'connected' && batch.length === 1) this.newBlockFrom(sender);
        }
      });
      // Not asked for again while the batch waits its turn in the chain's queue or connects.
      for (const hash of hashes) this.arrivedHashes.delete(hash);
      this.reportSync();
      this.requestBlocks();
    }).catch(() => {
      // A failed write (storage) leaves the chain as it was; the blocks are asked for again.
      for (const hash of hashes) this.arrivedHashes.delete(hash);
      this.requestBlocks();
    }));
    return done;
  }

  private startSync(): void {
    const best = this.download.syncTarget(this.node.chain, this.host.now());
    const tip = this.node.tip;
    if (best.chainWork <= tip.chainWork) return;
    if (!this.progress) this.progress = { startHeight: tip.height, total: 0 };
    this.progress.total = Math.max(this.progress.total, best.height - this.progress.startHeight);
    this.reportSync();
  }

  private reportSync(): void {
    if (!this.progress) return;
    const done = Math.min(this.progress.total, Math.max(0, this.node.tip.height - this.progress.startHeight));
    const complete = this.download.syncTarget(this.node.chain, this.host.now()).chainWork <= this.node.tip.chainWork;
    this.host.events.emit('sync', { done: complete ? this.progress.total : done, total: this.progress.total });
    if (complete) this.progress = undefined;
  }

  /**
   * Asks ready peers for missing bodies they have (block-download.ts), those with fewer recent
   * stalls first, then the least loaded.
   */
  requestBlocks(): void {
    const now = this.host.now();
    const ready = readyPeers(this.host);
    if (ready.length === 0) return;
    const rank = new Map(ready.map((p) => [p, p.conduct.stallCount(now) * 1_000 + this.download.inFlightFrom(p.id)]));
    ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
    const exclude = this.compactHeld.size ? new Set([...this.arrivedHashes, ...this.compactHeld]) : this.arrivedHashes;
    const batches = this.download.assign(ready.map((p) => p.id), this.node.chain, exclude, now);
    // A node one block behind the best header asks that block as a compact block of a peer that
    // takes them (BIP152's low-bandwidth mode: rebuilt from the pool, compact-relay.ts); a node
    // further behind is syncing, and asks whole blocks.
    const best = this.node.chain.bestHeader();
    const next = best.parent?.hash === this.node.tip.hash ? best.hash : undefined;
    for (const [id, hashes] of batches) {
      const p = this.host.peers.get(id)!;
      const compact = (h: string) => h === next && p.compactTo !== undefined;
      // All of it in one getdata: a message per block would look like a flood to the serving side.
      this.host.send(p, { type: 'getdata', items: hashes.map((h) => ({ kind: compact(h) ? INV_CMPCT_BLOCK : INV_BLOCK, hash: hexToHash(h) })) });
    }
  }

  /**
   * Syncs with every ready peer now (the tutorials' `/nodes/resolve`): asks each for headers
   * and resolves once no request is outstanding (or after `timeoutMs` of ticks).
   */
  async resolve(timeoutMs: number): Promise<{ replaced: boolean; tip: { height: number; hash: string } }> {
    const before = this.node.tip.hash;
    for (const p of readyPeers(this.host)) this.requestHeaders(p);
    const started = this.host.now();
    await new Promise<void>((resolve) => {
      const check = (): void => {
        const busy = [...this.host.peers.values()].some((p) => p.headersRequested) || this.download.totalInFlight() > 0 || this.arrived.length > 0;
        if (!busy || this.host.now() - started > timeoutMs) {
          off();
          void this.processing.then(() => resolve());
        }
      };
      const off = this.onTick(check);
      check();
    });
    const tip = this.node.tip;
    return { replaced: tip.hash !== before, tip: { height: tip.height, hash: tip.hash } };
  }

  // ---- Time --------------------------------------------------------------------------------------

  private onTick(handler: () => void): () => void {
    this.tickHandlers.add(handler);
    return () => this.tickHandlers.delete(handler);
  }

  /** After a long gap between ticks (a hidden, throttled tab): deadlines start again from now. */
  restartTimers(now: number): void {
    this.download.restartTimers(now);
  }

  /** Block requests that timed out go to other peers; what arrived and waits is connected. */
  tick(now: number): void {
    // A peer that has not delivered the head of its queue in time stalls: its requests go to
    // other peers; after repeated stalls it is dropped (no ban: it may just be slow).
    for (const failure of this.download.expire(now)) {
      const p = this.host.peers.get(failure.peer);
      if (p && p.conduct.stall(now) === 'disconnect') this.host.close(p, drop('stalling block download'));
    }
    if (this.arrived.length && (this.download.totalInFlight() === 0 || now - this.firstArrivedAt >= this.batchAge)) this.flushArrived();
    this.requestBlocks();
    for (const handler of [...this.tickHandlers]) handler();
  }
}

function isZero(hash: Uint8Array): boolean {
  return hash.every((b) => b === 0);
}
