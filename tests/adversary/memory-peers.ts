/**
 * @module Honest and hostile peers of the real core linked in memory (tests only): links deliver
 * chunks asynchronously and in order, like a data channel, and every network is ticked on a
 * clock the test drives, so stalls and timeouts happen in a few hundred rounds, not minutes.
 */
import { BanList, MemoryBanStore, MemoryChainStore, MemoryPendingTxStore, Network, Node, regtestParams, type LinkHandle, type LinkPort, type NodeIdentity } from '../../src/core/index.ts';
import { generateSecretKey, publicKeyOf } from '../../src/core/crypto/keys.ts';
import { peerIdOf } from '../../src/core/net/peer-identity.ts';
import { ManualClock } from '../../src/core/testing/chain-builder.ts';
import { AdversaryNetwork } from './adversary-network.ts';

export interface TestPeer<N extends Network = Network> {
  readonly name: string;
  readonly node: Node;
  readonly network: N;
  readonly identity: NodeIdentity;
  readonly bans: BanList;
  readonly pending: MemoryPendingTxStore;
  /** The node's clock (unix seconds, from the real time so relayed signals are fresh); often shared. */
  readonly clock: ManualClock;
}

export function newIdentity(): NodeIdentity {
  const secretKey = generateSecretKey();
  const publicKey = publicKeyOf(secretKey);
  return { secretKey, publicKey, peerId: peerIdOf(publicKey) };
}

async function makePeer<N extends Network>(name: string, make: (options: ConstructorParameters<typeof Network>[0]) => N, clock: ManualClock): Promise<TestPeer<N>> {
  const pending = new MemoryPendingTxStore();
  const node = await Node.open({ params: regtestParams, chainStore: new MemoryChainStore(), pendingStore: pending, clock });
  const bans = await BanList.open(new MemoryBanStore(), clock);
  const identity = newIdentity();
  return { name, node, network: make({ node, identity, bans }), identity, bans, pending, clock };
}

/** A clock for a set of peers that share one notion of now (unix seconds, from the real time). */
export function sharedClock(): ManualClock {
  return new ManualClock(Math.floor(Date.now() / 1000));
}

export function honestPeer(name: string, clock = sharedClock(), options: Partial<ConstructorParameters<typeof Network>[0]> = {}): Promise<TestPeer> {
  return makePeer(name, (o) => new Network({ ...o, ...options }), clock);
}

export function adversaryPeer(name: string, clock = sharedClock()): Promise<TestPeer<AdversaryNetwork>> {
  return makePeer(name, (o) => new AdversaryNetwork(o), clock);
}

/** One side of an in-memory data channel: chunks arrive later (a macrotask), in order. */
export class MemoryLink implements LinkPort {
  other!: MemoryLink;
  handle: LinkHandle | undefined;
  closed = false;
  /** Every chunk this side put on the wire. */
  readonly sent: Uint8Array[] = [];
  send(chunk: Uint8Array): void {
    if (!this.closed) this.deliver(chunk);
  }
  /** Puts a chunk on the wire to the other side (subclasses that drop or rewrite call this). */
  protected deliver(chunk: Uint8Array): void {
    this.sent.push(chunk);
    const other = this.other;
    setTimeout(() => {
      if (!other.closed) other.handle?.receive(chunk);
    }, 0);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const other = this.other;
    setTimeout(() => {
      this.handle?.closed();
      if (!other.closed) {
        other.closed = true;
        other.handle?.closed();
      }
    }, 0);
  }
}

/** What linking needs of a peer: its network and its id. */
interface Linkable {
  readonly network: Network;
  readonly identity: NodeIdentity;
}

/**
 * Links two peers (`a` initiates), as an opened data channel would; returns both ends (`ab` is
 * a's). `makeLink` makes each end (a subclass that drops or rewrites chunks, in some tests).
 */
export function link<L extends MemoryLink = MemoryLink>(a: Linkable, b: Linkable, makeLink: () => L = () => new MemoryLink() as L): { ab: L; ba: L } {
  const ab = makeLink();
  const ba = makeLink();
  ab.other = ba;
  ba.other = ab;
  ab.handle = a.network.addLink(b.identity.peerId, ab, false);
  ba.handle = b.network.addLink(a.identity.peerId, ba, true);
  return { ab, ba };
}

/** The shared tick clock (ms, like performance.now()). */
let tickMs = 1_000_000;

/** Lets async work run and ticks every network `stepMs` forward, `rounds` times. */
export async function settle(peers: readonly TestPeer[], rounds = 40, stepMs = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => setTimeout(r, 0));
    tickMs += stepMs + 0.37;
    for (const p of peers) p.network.tick(tickMs);
  }
}

/** Settles until `done()` holds, failing with `what` after `maxRounds` (never a fixed wait). */
export async function settleUntil(peers: readonly TestPeer[], done: () => boolean, what: string, maxRounds = 3_000, stepMs = 10): Promise<void> {
  for (let i = 0; i < maxRounds; i += 10) {
    if (done()) return;
    await settle(peers, 10, stepMs);
  }
  if (!done()) throw new Error(`not reached within ${maxRounds} rounds: ${what}`);
}

/** Whether `a` sees `b` as a ready peer. */
export function linked(a: TestPeer, b: TestPeer): boolean {
  return a.network.peerInfo().some((p) => p.id === b.identity.peerId && p.state === 'ready');
}
