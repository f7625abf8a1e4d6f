/**
 * @module Compact block relay, after BIP152 (docs/protocol.md, "Compact block relay"): a new tip
 * block crosses as its header, the coinbase and 6-byte short ids of its other txs, and the
 * receiver rebuilds it from its mempool, asking only for the txs it lacks.
 *
 * - **Who speaks it.** Links of protocol version 3 on both sides. Each side sends `sendcmpct`
 *   (low bandwidth) once the handshake is done; a version 2 peer never sees any of it and gets
 *   `inv`s and full blocks as before.
 * - **High bandwidth.** A node asks the last {@link MAX_HIGH_BANDWIDTH} peers that gave it a new
 *   block first to push (`sendcmpct` with the flag): they send `cmpctblock` as soon as the block
 *   is connected, instead of an `inv`; the peer that drops out of the three is told to stop.
 *   Everyone else gets the `inv` and the headers-first path as before.
 * - **Receiving.** The header is judged before anything is rebuilt: not known invalid (ban), its
 *   own proof of work (ban), and only a block extending our tip is rebuilt; any other goes the
 *   headers-first way, like an `inv` (so the anti-DoS work threshold still guards the index).
 *   The header is filed, then the block is filled from the pool; missing positions are asked with
 *   `getblocktxn`, exactly those. A rebuilt block whose merkle root does not match (a short-id
 *   collision, or a sender that lied), a repeated short id, a `blocktxn` that does not come in
 *   time, all fall back to the full-block download, with no ban. The rebuilt block is handed to
 *   block-sync.ts, which connects it as any downloaded body: validation, fork choice and bans are
 *   the same.
 * - **Misbehaviour.** Banned: a compact block that breaks the protocol (no coinbase at position
 *   0, more txs than a block holds, a prefilled tx that does not decode), a header without its
 *   proof of work or known invalid, a `blocktxn` whose count does not match our request or whose
 *   txs do not decode, a `getblocktxn` for positions the block does not have. Ignored, as races an
 *   honest peer may cause: a `blocktxn` we no longer wait for, a compact block we already have.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { DecodeError } from '../encoding/decode-error.ts';
import { hashToHex, hexToHash } from '../encoding/hex.ts';
import { checkProofOfWork } from '../consensus/pow.ts';
import { encodeBlock, type Block } from '../primitives/block.ts';
import { headerHash } from '../primitives/header.ts';
import { encodeTx, txidBytes, type Transaction } from '../primitives/transaction.ts';
import type { ChainBlockEvent, ChainTip } from '../chain/chain-types.ts';
import { COMPACT_VERSION, INV_BLOCK, type Message } from './messages.ts';
import { speaksCompact } from './compact-codec.ts';
import { compactBlockOf, startReconstruction, type CompactBlockMessage, type KnownTx, type PartialBlock } from './compact-block.ts';
import type { BlockSync } from './block-sync.ts';
import type { PeerId } from './peer-identity.ts';
import { ban, drop, MAX_SEND_BACKLOG, remember, type Peer, type PeerHost } from './peer.ts';

/** Peers asked to push new blocks at once (BIP152: three). */
export const MAX_HIGH_BANDWIDTH = 3;
/** The protocol version compact blocks need on a link. */
export const COMPACT_PROTOCOL_VERSION = 3;
/** Recently connected blocks kept for pushes and `getblocktxn` without a store read. */
const RECENT_BLOCKS = 8;
/** A block asked as a compact block is sent as one only this close to the tip (Bitcoin: 5); deeper, whole. */
const MAX_COMPACT_DEPTH = 5;

type Of<T extends Message['type']> = Extract<Message, { type: T }>;

interface Pending {
  readonly peer: PeerId;
  readonly partial: PartialBlock;
  readonly since: number;
  /** The positions the `getblocktxn` asked. */
  readonly indexes: readonly number[];
  readonly asked: number;
}

/** (peer, block) pairs whose `getblocktxn` timed out, remembered to tell a late answer from a lie. */
const TIMED_OUT_KEPT = 64;
/**
 * `getblocktxn` is answered only for blocks this close to our tip (Bitcoin's MAX_BLOCKTXN_DEPTH):
 * an honest peer asks it of a block just announced; deeper, it can ask the block whole, which the
 * getdata path serves within its limits.
 */
const MAX_BLOCKTXN_DEPTH = 10;

export class CompactRelay {
  /** Peers we asked to push (high bandwidth), most recent first. */
  private readonly highBandwidth: PeerId[] = [];
  /** Blocks (display hex) waiting for a `blocktxn`. */
  private readonly pending = new Map<string, Pending>();
  /** Blocks whose compact form is being judged (its header filed): a second copy is ignored. */
  private readonly starting = new Set<string>();
  private readonly recent = new Map<string, Block>();
  /** Positions of recent blocks we had to fetch with `getblocktxn`: prefilled when we relay them. */
  private readonly fetched = new Map<string, ReadonlySet<number>>();
  /** See {@link TIMED_OUT_KEPT}. */
  private readonly timedOut = new Set<string>();

  constructor(
    private readonly host: PeerHost,
    private readonly sync: BlockSync,
    /** Milliseconds a `getblocktxn` waits before the block is fetched whole. */
    private readonly timeout: number,
  ) {}

  private get node(): PeerHost['node'] {
    return this.host.node;
  }

  /** Peers asked to push, most recent first (for tests and the simulator). */
  highBandwidthPeers(): readonly PeerId[] {
    return this.highBandwidth;
  }

  /** The handshake is done: a version 3 link learns we take compact blocks (low bandwidth first). */
  peerReady(p: Peer): void {
    if (p.version >= COMPACT_PROTOCOL_VERSION) this.host.send(p, { type: 'sendcmpct', highBandwidth: false, version: COMPACT_VERSION });
  }

  onSendCmpct(p: Peer, m: Of<'sendcmpct'>): void {
    if (p.version < COMPACT_PROTOCOL_VERSION) return;
    // Another compact version is ignored (BIP152): we keep announcing to it as before.
    p.compactTo = speaksCompact(m) ? { highBandwidth: m.highBandwidth } : undefined;
  }

  /**
   * A peer gave us a block new to us (block-sync.ts): it joins the high-bandwidth peers, in front,
   * and the one that falls out of the three is told to stop pushing. Only peers that said they
   * take compact blocks are asked.
   */
  newBlockFrom(p: Peer): void {
    if (p.state !== 'ready' || p.version < COMPACT_PROTOCOL_VERSION || !p.compactTo) return;
    const at = this.highBandwidth.indexOf(p.id);
    if (at === 0) return;
    if (at > 0) {
      this.highBandwidth.splice(at, 1);
      this.highBandwidth.unshift(p.id);
      return;
    }
    this.highBandwidth.unshift(p.id);
    this.host.send(p, { type: 'sendcmpct', highBandwidth: true, version: COMPACT_VERSION });
    while (this.highBandwidth.length > MAX_HIGH_BANDWIDTH) {
      const out = this.host.peers.get(this.highBandwidth.pop()!);
      if (out) this.host.send(out, { type: 'sendcmpct', highBandwidth: false, version: COMPACT_VERSION });
    }
  }

  /** A peer left: it is no longer asked to push, and blocks it owed txs for are fetched whole. */
  removePeer(id: PeerId): void {
    const at = this.highBandwidth.indexOf(id);
    if (at >= 0) this.highBandwidth.splice(at, 1);
    // Their in-flight requests went back to the download when it left (block-sync.ts).
    for (const [hash, pending] of [...this.pending]) if (pending.peer === id) this.fallBack(hash, undefined);
  }

  blockConnected(e: ChainBlockEvent): void {
    this.recent.set(e.hash, e.block);
    if (this.recent.size > RECENT_BLOCKS) this.recent.delete(this.recent.keys().next().value!);
  }

  /**
   * A new tip: pushed as a compact block to the peers that asked for high bandwidth and lack it
   * (they are then skipped by the `inv` that relay.ts sends the others). One nonce per block.
   */
  announceTip(tip: ChainTip): void {
    const block = this.recent.get(tip.hash);
    if (!block) return;
    const key = tip.hash;
    let message: CompactBlockMessage | undefined;
    for (const p of this.host.peers.values()) {
      if (p.state !== 'ready' || p.version < COMPACT_PROTOCOL_VERSION || !p.compactTo?.highBandwidth || p.known.has(key)) continue;
      message ??= compactBlockOf(block, new DataView(randomBytes(8).buffer).getBigUint64(0, true), this.fetched.get(tip.hash));
      remember(p.known, key);
      this.host.send(p, message);
    }
  }

  /**
   * Whether a message answers our request: a `blocktxn` we wait for, or the `cmpctblock` of a block
   * we asked of this peer. A pushed `cmpctblock` is not one (a block every few seconds fits any
   * budget; free, it would let a high-bandwidth peer flood).
   */
  requested(p: Peer, m: Message): boolean {
    if (m.type === 'cmpctblock') return this.sync.isInFlightFrom(p.id, hashToHex(headerHash(m.header)));
    return m.type === 'blocktxn' && this.pending.get(hashToHex(m.blockHash))?.peer === p.id;
  }

  /**
   * A `getdata` asked a block as a compact block (low bandwidth): sent as one when it is within
   * {@link MAX_COMPACT_DEPTH} of our tip; false (the caller sends it whole) otherwise.
   */
  async serveCompact(p: Peer, hash: string): Promise<boolean> {
    const entry = this.node.chain.entry(hash);
    if (p.version < COMPACT_PROTOCOL_VERSION || !entry?.hasData || !this.node.chain.isActive(hash) || this.node.tip.height - entry.height >= MAX_COMPACT_DEPTH) return false;
    const block = this.recent.get(hash) ?? (await this.node.chain.getBlock(hash));
    if (!block) return false;
    this.host.send(p, compactBlockOf(block, new DataView(randomBytes(8).buffer).getBigUint64(0, true), this.fetched.get(hash)));
    return true;
  }

  async onCmpctBlock(p: Peer, m: CompactBlockMessage): Promise<void> {
    if (p.version < COMPACT_PROTOCOL_VERSION) return;
    const hashBytes = headerHash(m.header);
    const hash = hashToHex(hashBytes);
    const chain = this.node.chain;
    remember(p.known, hash);
    const invalid = chain.invalidity(hash);
    if (invalid) return this.host.close(p, ban(`announced an invalid block: ${invalid.code}`));
    if (!checkProofOfWork(m.header, hashBytes)) return this.host.close(p, ban('compact block header without its proof of work'));
    const known = chain.entry(hash);
    if (known?.hasData || this.pending.has(hash) || this.starting.has(hash)) {
      if (known) p.height = Math.max(p.height, known.height);
      // Our request to it crossed another peer's push: answered all the same (else its deadline
      // would run out and count a stall against an honest peer).
      this.sync.answered(p, hash);
      return;
    }
    // Only a block on our tip is rebuilt from the pool; anything else is announced as an inv
    // would be, and goes the headers-first way (with its anti-DoS work threshold).
    const parent = chain.entry(hashToHex(m.header.prevHash));
    if (!parent || parent.hash !== this.node.tip.hash) {
      // Asked of it as a compact block while our tip moved: asked again whole.
      if (this.sync.isInFlightFrom(p.id, hash)) return this.askWhole(p.id, hash);
      if (this.sync.blockAnnounced(p, hashBytes) && !p.headersRequested && p.state === 'ready') this.sync.requestHeaders(p);
      return;
    }
    this.starting.add(hash);
    this.sync.holdForCompact(hash);
    try {
      const [outcome] = await chain.processHeaders([m.header]);
      if (outcome?.status === 'rejected') {
        this.sync.releaseCompact(hash);
        if (outcome.rejection.punish) this.host.close(p, ban(`invalid header: ${outcome.rejection.code}`));
        return;
      }
      // It has the block: the full-block download may ask it, should rebuilding fail.
      this.sync.blockAnnounced(p, hashBytes);
      const result = startReconstruction(m, this.node.params.limits, this.poolTxs(), this.node.decoder);
      if (result.kind === 'invalid') {
        this.sync.releaseCompact(hash);
        return this.host.close(p, ban(`invalid compact block: ${result.reason}`));
      }
      if (result.kind === 'collision') return this.fallBack(hash, p.id);
      const missing = result.partial.missing();
      if (missing.length === 0) return this.finish(p, hash, result.partial);
      if (p.state === 'closed') return this.sync.releaseCompact(hash);
      // One rebuild waiting per peer (BIP152 keeps one partial block per peer): an older one
      // from it is fetched whole instead, so a peer cannot pile up half-built blocks.
      for (const [other, waiting] of [...this.pending]) if (waiting.peer === p.id) this.fallBack(other, p.id);
      this.pending.set(hash, { peer: p.id, partial: result.partial, since: this.host.now(), indexes: missing, asked: missing.length });
      this.host.send(p, { type: 'getblocktxn', blockHash: hashBytes, indexes: missing });
    } catch (error) {
      // A store that failed to file the header: the block may still be fetched whole.
      this.sync.releaseCompact(hash);
      throw error;
    } finally {
      this.starting.delete(hash);
    }
  }

  onBlockTxn(p: Peer, m: Of<'blocktxn'>): void {
    const hash = hashToHex(m.blockHash);
    const pending = this.pending.get(hash);
    // Not asked, or given up on (timed out, fetched whole): a race, not misbehaviour.
    if (!pending || pending.peer !== p.id) return;
    const txs: Transaction[] = [];
    for (const bytes of m.txs) {
      try {
        txs.push(this.node.decoder.tx(bytes, this.node.params.limits));
      } catch (error) {
        if (error instanceof DecodeError) return this.host.close(p, ban(`malformed tx in blocktxn: ${error.message}`));
        throw error;
      }
    }
    if (txs.length !== pending.asked && this.timedOut.has(`${p.id} ${hash}`)) {
      // A late answer to an earlier request of ours that timed out (a slow peer, then asked
      // again for fewer txs): a race, so the block is fetched whole, without a ban.
      return this.fallBack(hash, p.id);
    }
    if (!pending.partial.fill(txs)) return this.host.close(p, ban(`blocktxn of ${txs.length} txs does not match the request`));
    // What we lacked, the next hop likely lacks too (it came with the block, not ahead of it):
    // sent whole in our own compact block of it (BIP152's prefilling).
    this.fetched.set(hash, new Set(pending.indexes));
    if (this.fetched.size > RECENT_BLOCKS) this.fetched.delete(this.fetched.keys().next().value!);
    this.finish(p, hash, pending.partial);
  }

  /** Serves the txs a peer lacks of a block we have (any block we hold: a getdata could ask it whole). */
  async onGetBlockTxn(p: Peer, m: Of<'getblocktxn'>): Promise<void> {
    const hash = hashToHex(m.blockHash);
    const entry = this.node.chain.entry(hash);
    // A block we never had: we never announced it, so nobody honest asks. One deeper than
    // MAX_BLOCKTXN_DEPTH, or a peer not taking what it was sent: not served (it may ask the block
    // whole), so repeated requests cannot make us read and queue old blocks without bound.
    if (!entry?.hasData || this.node.tip.height - entry.height >= MAX_BLOCKTXN_DEPTH || (p.link.buffered ?? 0) > MAX_SEND_BACKLOG) return;
    const block = this.recent.get(hash) ?? (await this.node.chain.getBlock(hash));
    if (!block) return;
    if (m.indexes[m.indexes.length - 1]! >= block.txs.length) return this.host.close(p, ban(`getblocktxn for positions a block of ${block.txs.length} txs does not have`));
    this.host.send(p, { type: 'blocktxn', blockHash: m.blockHash, txs: m.indexes.map((i) => encodeTx(block.txs[i]!)) });
  }

  /** A `getblocktxn` not answered in time: a stall for the peer, and the block is fetched whole. */
  tick(now: number): void {
    for (const [hash, pending] of [...this.pending]) {
      if (now - pending.since <= this.timeout) continue;
      this.timedOut.add(`${pending.peer} ${hash}`);
      if (this.timedOut.size > TIMED_OUT_KEPT) this.timedOut.delete(this.timedOut.values().next().value!);
      this.fallBack(hash, pending.peer);
      const p = this.host.peers.get(pending.peer);
      if (p && p.conduct.stall(now) === 'disconnect') this.host.close(p, drop('stalling compact block'));
    }
  }

  /** Every position filled: the block goes to block-sync if its merkle root matches, else it is fetched whole. */
  private finish(p: Peer, hash: string, partial: PartialBlock): void {
    this.pending.delete(hash);
    const block = partial.block();
    if (block === 'mismatch') return this.fallBack(hash, p.id);
    void this.sync.submitRebuilt(p, block, encodeBlock(block));
  }

  /** The block is fetched whole: by the download, or of `from` if we asked it of that peer. */
  private fallBack(hash: string, from: PeerId | undefined): void {
    this.pending.delete(hash);
    this.sync.releaseCompact(hash);
    if (from !== undefined) this.askWhole(from, hash);
  }

  /**
   * A block in flight from this peer (asked as a compact block) is asked again whole of the same
   * peer, which stays its owner in the download (so its deadline still holds).
   */
  private askWhole(id: PeerId, hash: string): void {
    const p = this.host.peers.get(id);
    if (p && this.sync.isInFlightFrom(id, hash)) this.host.send(p, { type: 'getdata', items: [{ kind: INV_BLOCK, hash: hexToHash(hash) }] });
  }

  /** The pool's txs with their ids (memoised per tx object), for matching short ids. */
  private *poolTxs(): Iterable<KnownTx> {
    for (const entry of this.node.mempool.values()) yield { tx: entry.tx, txid: txidBytes(entry.tx) };
  }
}
