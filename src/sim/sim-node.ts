/**
 * @module One simulated node: the real core `Node` (in-memory chain and pending-tx stores), the
 * real `Network` (handshake with keys, wire codec, chunking) and the app's real `PeerConnector`,
 * given the simulator's clock, timers and seeded randomness, a WebSocket bound to the simulated
 * signaling server and simulated links. Its CPU is a {@link SimHost}: every timer and delivery is
 * an event of that host.
 */
import {
  BanList,
  generateSecretKey,
  MemoryBanStore,
  MemoryChainStore,
  MemoryPendingTxStore,
  Network,
  Node,
  peerIdOf,
  publicKeyOf,
  type Clock,
  type NetworkParams,
  type NodeIdentity,
} from '../core/index.ts';
import type { HostTimers } from '../adapters/host-timers.ts';
import { ConnectionBudget } from '../adapters/net/connection-budget.ts';
import type { WebRtcLinkOptions } from '../adapters/net/webrtc-link.ts';
import { PeerConnector, type ConnectorLink } from '../app/peer-connector.ts';
import { LayeredChainStore } from './layered-chain-store.ts';
import type { HostRunner } from './sim-host.ts';
import { SimHost } from './sim-host.ts';
import type { LinkFabric } from './sim-links.ts';
import type { SharedVerdicts } from './shared-verifier.ts';
import type { SharedDecoder } from './shared-decoder.ts';
import type { SimSignalingServer } from './sim-signaling.ts';
import type { SeededRandom } from './seeded-random.ts';

/** What every node of a simulation shares. */
export interface SimWorld {
  readonly params: NetworkParams;
  readonly runner: HostRunner;
  readonly fabric: LinkFabric;
  readonly verdicts: SharedVerdicts;
  /** One decoded tx or block per distinct encoding, handed to every node (shared-decoder.ts). */
  readonly decoder: SharedDecoder;
  readonly server: SimSignalingServer;
  readonly random: SeededRandom;
  /** Unix seconds at virtual time 0. */
  readonly startUnix: number;
  /** The protocol version every node speaks (sim-options.ts `protocol`). */
  readonly protocol: number;
  /** Each node's max peers (the connector's maxPeers). */
  readonly degree: number;
  /** The page's connection budget (connections made and not yet collected), as the connector counts it. */
  readonly connectionBudget: number;
  /** Errors the nodes reported (none in a sound run). */
  readonly errors: string[];
}

export class SimNode {
  readonly host: SimHost;
  readonly node: Node;
  readonly network: Network;
  readonly connector: PeerConnector;
  readonly identity: NodeIdentity;
  /** Virtual ms the node started. */
  readonly startedAt: number;

  private constructor(host: SimHost, node: Node, network: Network, connector: PeerConnector, identity: NodeIdentity, startedAt: number) {
    this.host = host;
    this.node = node;
    this.network = network;
    this.connector = connector;
    this.identity = identity;
    this.startedAt = startedAt;
  }

  /** Makes a node whose chain starts as `base` holds it (the set-up blocks, shared by every node). */
  static async create(world: SimWorld, index: number, base: MemoryChainStore): Promise<SimNode> {
    const { runner, params } = world;
    const secretKey = generateSecretKey();
    const publicKey = publicKeyOf(secretKey);
    const identity: NodeIdentity = { secretKey, publicKey, peerId: peerIdOf(publicKey) };
    const host = new SimHost(index, identity.peerId.slice(0, 8));
    const clock: Clock = { now: () => world.startUnix + Math.floor(runner.scheduler.now / 1000) };
    const node = await Node.open({
      params,
      chainStore: new LayeredChainStore(base),
      pendingStore: new MemoryPendingTxStore(),
      clock,
      signatureVerifier: world.verdicts.verifierFor(host, runner),
      decoder: world.decoder,
    });
    const bans = await BanList.open(new MemoryBanStore(), clock);
    const network = new Network({ node, identity, bans, userAgent: 'tabchain-sim', protocolVersion: world.protocol });
    const timers: HostTimers = {
      now: () => runner.scheduler.now,
      after: (ms, fn) => runner.after(host, ms, fn),
      every: (ms, fn) => {
        let cancel = (): void => {};
        const again = (): void => {
          cancel = runner.after(host, ms, () => {
            again();
            fn();
          });
        };
        again();
        return () => cancel();
      },
      random: () => world.random.next(),
    };
    const { budget, createLink } = simBudget(world.connectionBudget, runner, world.fabric.factory(host));
    const connector = new PeerConnector({
      network,
      identity,
      signalingUrl: 'ws://sim/signal',
      room: params.genesisHash,
      maxPeers: world.degree,
      budget,
      createLink,
      WebSocketImpl: world.server.socketClassFor(host),
      timers,
    });
    // Failures nobody awaits (a store write after an event) would be lost: the report lists them.
    node.on('error', ({ error }) => world.errors.push(`node ${index}: ${error instanceof Error ? error.message : String(error)}`));
    return new SimNode(host, node, network, connector, identity, runner.scheduler.now);
  }

  /** Joins the signaling server and starts the connector's timer (as a tab's start does). */
  start(): void {
    this.connector.start();
  }

  /** Leaves: links closed, the signaling socket closed, no more events (churn). Timers end with the host. */
  stop(): void {
    this.connector.stop();
    this.network.dispose();
    this.host.alive = false;
  }
}

/**
 * A page's `RTCPeerConnection`s stay alive after close until Chromium's collector takes them
 * (connection-budget.ts); the simulation lets it take a closed link this long after (virtual ms).
 * A guess: the collector runs when it likes, and a tab that churns links keeps a backlog of them.
 */
const COLLECTED_AFTER_MS = 30_000;

/**
 * The page's connection budget as the tab has it: the real ConnectionBudget (limit below
 * Chromium's 500 live connections), each link counted when made and given back only once
 * "collected", COLLECTED_AFTER_MS after it closed; and the `createLink` that counts them.
 */
function simBudget(
  limit: number,
  runner: HostRunner,
  make: (options: WebRtcLinkOptions) => ConnectorLink,
): { budget: ConnectionBudget; createLink: (options: WebRtcLinkOptions) => ConnectorLink } {
  let collected: (held: null) => void = () => {};
  // Plays FinalizationRegistry: the budget's cleanup callback, called when the timer below says.
  class CollectedAfterClose {
    constructor(cleanup: (held: null) => void) {
      collected = cleanup;
    }
    register(): void {}
    unregister(): boolean {
      return false;
    }
  }
  const budget = new ConnectionBudget(limit, CollectedAfterClose as unknown as typeof FinalizationRegistry);
  const createLink = (options: WebRtcLinkOptions): ConnectorLink => {
    const link = make({
      ...options,
      onClose: (reason) => {
        runner.scheduler.after(COLLECTED_AFTER_MS, () => collected(null));
        options.onClose(reason);
      },
    });
    budget.track(link);
    return link;
  };
  return { budget, createLink };
}
