/**
 * @module A hostile peer for the project's own tests (issue 11, part 7). It is the real core's
 * `Network` — so it handshakes, syncs, serves and relays exactly like a tab, in Node or over
 * `@roamhq/wrtc` — with a tap on every link that lets a test:
 *
 * - withhold blocks it would serve (answer `notfound`, or nothing at all);
 * - serve blocks, headers and txs its own node would never accept (invalid or orphan ones);
 * - send any message it likes, at any rate, outside the honest protocol;
 * - see what its victims ask of it (to assert a victim stopped asking, or never flooded).
 *
 * Whatever the tap does not change goes through unchanged, so between attacks the adversary
 * stays a well-behaved peer and the victims' judgement of it is tested, not assumed.
 */
import {
  Network,
  blockHash,
  decodeBlock,
  hashToHex,
  hexToHash,
  sha256d,
  regtestParams,
  type BlockHeader,
  type LinkHandle,
  type LinkPort,
  type PeerId,
} from '../../src/core/index.ts';
import { Reassembler, splitMessage } from '../../src/core/net/chunking.ts';
import { INV_BLOCK, INV_TX, type InvItem, type Message, type MessageType } from '../../src/core/net/messages.ts';
import { decodeMessage, encodeMessage } from '../../src/core/net/wire-codec.ts';

/** What the tap does to the traffic of every link. Tests change it between attacks. */
export interface TapPolicy {
  /** Blocks (display hex) never served: a getdata for one is answered `notfound`, or nothing when `silent`. */
  readonly withhold: Set<string>;
  /** Withheld blocks get no answer at all (the request times out) instead of `notfound`. */
  silent: boolean;
  /** Blocks served on getdata although the node does not have them (e.g. invalid ones), by display hex. */
  readonly blocks: Map<string, Uint8Array>;
  /** Txs served on getdata although the mempool does not hold them (e.g. orphans), by txid hex. */
  readonly txs: Map<string, Uint8Array>;
  /** When set, the answer to every getheaders instead of the node's own headers. */
  headers: readonly BlockHeader[] | undefined;
}

/** One link of the adversary, tapped. */
class TappedLink implements LinkPort {
  private readonly outgoing = new Reassembler();
  private readonly incoming = new Reassembler();
  private nextId = 1;
  handle: LinkHandle | undefined;
  /** False once either side closed the link (what it saw stays readable). */
  open = true;
  /** Messages the victim sent us, by type (what it asked and how much). */
  readonly received = new Map<MessageType, number>();
  /** Block hashes the victim asked us for (display hex), each time it asked. */
  readonly blockRequests: string[] = [];

  constructor(
    readonly remoteId: PeerId,
    private readonly raw: LinkPort,
    private readonly policy: TapPolicy,
  ) {}

  get buffered(): number | undefined {
    return this.raw.buffered;
  }

  /** What the honest network sends: reassembled, changed by the policy, sent again. */
  send(chunk: Uint8Array): void {
    const result = this.outgoing.push(chunk, Date.now());
    if (result.kind !== 'message') return;
    const message = decodeMessage(result.bytes);
    if (message.type === 'block') {
      const hash = blockHash(decodeBlock(message.block, regtestParams.limits).header);
      if (this.policy.withhold.has(hash)) {
        if (!this.policy.silent) this.inject({ type: 'notfound', items: [{ kind: INV_BLOCK, hash: sha256d(message.block.subarray(0, 80)) }] });
        return;
      }
    }
    // A withheld block is not pushed as a compact block either (its txs would give it away).
    if (message.type === 'cmpctblock' && this.policy.withhold.has(blockHash(message.header))) return;
    this.inject(message);
  }

  close(): void {
    this.raw.close();
  }

  /** Sends a message of the adversary's own making (bytes: a frame sent as is, even a malformed one). */
  inject(message: Message | Uint8Array): void {
    const bytes = message instanceof Uint8Array ? message : encodeMessage(message);
    for (const c of splitMessage(bytes, this.nextId)) this.raw.send(c);
    this.nextId = (this.nextId + 1) >>> 0 || 1;
  }

  /** What the victim sent: counted, answered by the policy where it says so, the rest to the network. */
  receive(chunk: Uint8Array, now?: number): void {
    const result = this.incoming.push(chunk, Date.now());
    if (result.kind !== 'message') return;
    let message: Message;
    try {
      message = decodeMessage(result.bytes);
    } catch {
      return this.pass(result.bytes, now);
    }
    this.received.set(message.type, (this.received.get(message.type) ?? 0) + 1);
    if (message.type === 'getheaders' && this.policy.headers) {
      this.inject({ type: 'headers', headers: this.policy.headers });
      return;
    }
    if (message.type === 'getdata') {
      const rest: InvItem[] = [];
      for (const item of message.items) {
        const key = hashToHex(item.hash);
        if (item.kind === INV_BLOCK) this.blockRequests.push(key);
        const forged = item.kind === INV_BLOCK ? this.policy.blocks.get(key) : this.policy.txs.get(key);
        if (forged) this.inject(item.kind === INV_BLOCK ? { type: 'block', block: forged } : { type: 'tx', tx: forged });
        else rest.push(item);
      }
      if (rest.length === 0) return;
      if (rest.length !== message.items.length) return this.pass(encodeMessage({ type: 'getdata', items: rest }), now);
    }
    this.pass(result.bytes, now);
  }

  private pass(bytes: Uint8Array, now: number | undefined): void {
    for (const c of splitMessage(bytes, this.nextId)) this.handle?.receive(c, now);
    this.nextId = (this.nextId + 1) >>> 0 || 1;
  }
}

/** The honest core network, every link tapped (see the module comment). */
export class AdversaryNetwork extends Network {
  readonly policy: TapPolicy = { withhold: new Set(), silent: false, blocks: new Map(), txs: new Map(), headers: undefined };
  private readonly tapped = new Map<PeerId, TappedLink>();

  override addLink(remoteId: PeerId, link: LinkPort, inbound: boolean): LinkHandle | undefined {
    const tap = new TappedLink(remoteId, link, this.policy);
    const handle = super.addLink(remoteId, tap, inbound);
    if (!handle) return undefined;
    tap.handle = handle;
    this.tapped.set(remoteId, tap);
    return {
      receive: (chunk, now) => tap.receive(chunk, now),
      closed: () => {
        tap.open = false;
        handle.closed();
      },
    };
  }

  /** The last tapped link to a peer, open or closed (throws when there was none: the test expected one). */
  link(peerId: PeerId): TappedLink {
    const tap = this.tapped.get(peerId);
    if (!tap) throw new Error(`the adversary has no link to ${peerId}`);
    return tap;
  }

  /** Whether a link to the peer is up (not closed by either side). */
  linked(peerId: PeerId): boolean {
    return this.tapped.get(peerId)?.open === true;
  }

  /** Sends a message of its own making to a peer. */
  inject(peerId: PeerId, message: Message | Uint8Array): void {
    this.link(peerId).inject(message);
  }

  /** Announces blocks (display hex) to a peer, whether or not its node has them. */
  announceBlocks(peerId: PeerId, hashes: readonly string[]): void {
    this.inject(peerId, { type: 'inv', items: hashes.map((h) => ({ kind: INV_BLOCK, hash: hexToHash(h) })) });
  }

  /** Offers txs (encoded) to a peer: announced by inv and served when it asks (it never asks twice). */
  offerTxs(peerId: PeerId, txs: readonly Uint8Array[]): void {
    const items: InvItem[] = [];
    for (const tx of txs) {
      const id = sha256d(tx);
      this.policy.txs.set(hashToHex(id), tx);
      items.push({ kind: INV_TX, hash: id });
    }
    for (let i = 0; i < items.length; i += 1000) this.inject(peerId, { type: 'inv', items: items.slice(i, i + 1000) });
  }
}
