/**
 * @module The node's wiring, written once for every composition root (a tab, the headless node):
 * wallet keys → miner → signature verifier → Node → wallet service → timers → bans → peer identity → Network →
 * PeerConnector → events. What differs between them comes in: the stores (IndexedDB or LevelDB)
 * and a platform (miner workers, WebRTC and WebSocket implementations, clock, timers, where an
 * unencrypted phrase goes, how storage use is measured, where settings are kept). Nothing here touches `window`,
 * `document`, `location` or `localStorage`, so the same assembly can run in a Worker.
 */
import { BanList, Network, Node, type BanStore, type ChainStore, type Clock, type NetworkParams, type NodeIdentity, type PendingTxStore } from '../core/index.ts';
import type { SignalingStatus } from '../adapters/net/signaling-client.ts';
import { WorkerPoolMiner, type MinerWorkerFactory } from '../adapters/miner/worker-pool-miner.ts';
import { verifierWorkerCount, WorkerPoolVerifier, type VerifierWorkerFactory } from '../adapters/verifier/worker-pool-verifier.ts';
import type { TabSlot } from '../adapters/tab-slot.ts';
import type { Every } from '../adapters/system-timers.ts';
import { PeerConnector, type PeerConnectorOptions } from './peer-connector.ts';
import type { ConnectionBudgetView } from '../adapters/net/connection-budget.ts';
import { WalletKeys, type WalletKeysOptions, type WalletRecordStore } from './wallet-keys.ts';
import { WalletService } from './wallet-service.ts';
import { subscribeNodeEvents, watchSignaling, watchStorageFull, type NodeEventHandler, type NodeEventName } from './node-events.ts';
import { loadNodeIdentity } from './node-identity.ts';

export interface StorageStatus {
  slot: number;
  database: string;
  /** Bytes used by this origin (a tab: navigator.storage.estimate()) or the data directory (headless). */
  usage: number | null;
  quota: number | null;
  /** The browser promised not to evict this origin's data (always true on disk). */
  persisted: boolean;
  /** A write failed for lack of space; the node stays consistent but stops taking blocks. */
  full: boolean;
  /** What was found missing at start-up though this browser had it before ('chain', 'wallet'). */
  lost: string[];
}

/**
 * The miner with the worker count the user chose and whether it uses the GPU (kept by the
 * platform: localStorage in a tab).
 */
export type NodeMiner = WorkerPoolMiner & { workerCount(): number; setWorkerCount(n: number): void; usesGpu(): boolean; useGpu(on: boolean): void };

/**
 * Settings the user changes through the API that outlive the page, kept by the platform (a tab:
 * localStorage; headless: not kept), so neither the API nor the assembly needs a main-thread global.
 */
export interface NodeSettings {
  /** Keeps the user's own ICE servers for the next start (null: forgets them). Never throws: a list that cannot be kept holds until the page reloads. */
  saveIceServers(servers: readonly RTCIceServer[] | null): void;
}

export interface NodeServices {
  readonly node: Node;
  readonly network: Network;
  readonly connector: PeerConnector;
  readonly identity: NodeIdentity;
  signalingStatus(): SignalingStatus;
  readonly keys: WalletKeys;
  readonly wallet: WalletService;
  readonly miner: NodeMiner;
  readonly bans: BanList;
  readonly slot: TabSlot;
  readonly settings: NodeSettings;
  storageStatus(): Promise<StorageStatus>;
  subscribe<E extends NodeEventName>(event: E, handler: NodeEventHandler<E>): () => void;
}

/** Where the node keeps its data: one database's stores (IndexedDB in a tab, LevelDB headless). */
export interface NodeStores {
  readonly chain: ChainStore;
  readonly pending: PendingTxStore;
  readonly bans: BanStore;
  readonly wallets: WalletRecordStore;
  /** The node's peer key (hex), kept per chain so bans and peer lists mean the same node across restarts. */
  readonly nodeKey: { load(): Promise<string | undefined>; save(hex: string): Promise<unknown> };
}

export interface NodePlatform {
  readonly params: NetworkParams;
  readonly clock: Clock;
  /** Repeats a function (systemEvery: setInterval). */
  readonly every: Every;
  /** The chain slot (a tab's claim on one chain database; the data directory headless). */
  readonly slot: TabSlot;
  readonly miner: {
    /** Creates one mining worker (default: the module Web Worker). */
    readonly createWorker?: MinerWorkerFactory;
    workerCount(): number;
    setWorkerCount(n: number): void;
    /** Whether the miner uses the GPU where a worker has a WebGPU adapter (default: never). */
    gpu?(): boolean;
    setGpu?(on: boolean): void;
  };
  /**
   * Signature verification on every core (default: none, signatures are verified in the node's own
   * thread). The pool runs {@link verifierWorkerCount} workers: the cores the miner leaves.
   */
  readonly signatures?: {
    /** Creates one verification worker (default: the module Web Worker). */
    readonly createWorker?: VerifierWorkerFactory;
    /** Logical cores: navigator.hardwareConcurrency in a tab, os.availableParallelism headless. */
    cores(): number;
  };
  /** How the wallet opens: where an unencrypted phrase goes, a passphrase given at start. */
  readonly wallet?: Pick<WalletKeysOptions, 'plainStore' | 'passphrase' | 'allowPlain'>;
  /** Checks the opened wallet before anything else starts (headless: main needs a passphrase); throws to stop. */
  readonly checkWallet?: (keys: WalletKeys) => void;
  readonly peers: {
    readonly userAgent: string;
    /** ws:// URL of the signaling endpoint. */
    readonly signalingUrl: string;
    readonly iceServers?: RTCIceServer[];
    readonly maxPeers?: number;
    /** A WebRTC implementation where the platform has none (`@roamhq/wrtc` under Node). */
    readonly wrtc?: unknown;
    /** Makes a link to a peer (a WebRtcLink headless; a link to the page's WebRTC in a tab's node worker). */
    readonly createLink: PeerConnectorOptions['createLink'];
    /** The connection budget links count against (default: the process's one). */
    readonly budget?: ConnectionBudgetView;
    /** A WebSocket class where the platform has none (`ws` under Node). */
    readonly WebSocketImpl?: typeof WebSocket;
  };
  /** Where the API's settings are kept (default: nowhere, they hold until the node stops). */
  readonly settings?: NodeSettings;
  /** What the platform measures of its storage; the assembly adds the slot and "full". */
  storage(): Promise<Pick<StorageStatus, 'usage' | 'quota' | 'persisted' | 'lost'>>;
}

export interface AssembledNode {
  readonly services: NodeServices;
  /** Stops the timers, mining and peers (the stores are the caller's to close). */
  stop(): void;
}

/** Template refreshes: templates go stale (new txs, the clock) and the core has no timers. */
const STALE_TEMPLATE_MS = 5000;

export async function assembleNode(stores: NodeStores, platform: NodePlatform): Promise<AssembledNode> {
  const { params, clock } = platform;
  const keys = await WalletKeys.open(stores.wallets, params, { now: clock.now(), ...platform.wallet });
  platform.checkWallet?.(keys);
  const minerSettings = platform.miner;
  const miner: NodeMiner = Object.assign(
    new WorkerPoolMiner({ workers: minerSettings.workerCount(), gpu: minerSettings.gpu?.() ?? false, ...(minerSettings.createWorker ? { createWorker: minerSettings.createWorker } : {}) }),
    {
      workerCount: () => minerSettings.workerCount(),
      setWorkerCount: (n: number) => minerSettings.setWorkerCount(n),
      usesGpu: () => minerSettings.gpu?.() ?? false,
      useGpu(on: boolean) {
        minerSettings.setGpu?.(on);
        miner.setGpu(on);
      },
    },
  );
  const signatureSettings = platform.signatures;
  const verifier =
    signatureSettings &&
    new WorkerPoolVerifier({
      ...(signatureSettings.createWorker ? { createWorker: signatureSettings.createWorker } : {}),
      workers: () => {
        const mining = miner.status();
        return verifierWorkerCount(signatureSettings.cores(), mining.running ? mining.workers : 0);
      },
    });
  const node = await Node.open({
    params,
    ...(verifier ? { signatureVerifier: verifier } : {}),
    chainStore: stores.chain,
    pendingStore: stores.pending,
    clock,
    miner,
    coinbaseKey: () => keys.receiveKey(),
  });
  const wallet = new WalletService(node, keys);
  const stopStaleTimer = platform.every(STALE_TEMPLATE_MS, () => node.refreshStaleTemplate());
  const bans = await BanList.open(stores.bans, clock);

  const identity = await loadNodeIdentity(
    () => stores.nodeKey.load(),
    (hex) => stores.nodeKey.save(hex),
  );
  const network = new Network({ node, identity, bans, userAgent: platform.peers.userAgent });
  const signaling = watchSignaling();
  const { signalingUrl, iceServers, maxPeers, wrtc, WebSocketImpl, createLink, budget } = platform.peers;
  const connector = new PeerConnector({
    network,
    identity,
    signalingUrl,
    room: params.genesisHash,
    createLink,
    ...(budget ? { budget } : {}),
    ...(wrtc !== undefined ? { wrtc } : {}),
    ...(WebSocketImpl ? { WebSocketImpl } : {}),
    ...(iceServers ? { iceServers } : {}),
    ...(maxPeers !== undefined ? { maxPeers } : {}),
    onStatus: signaling.onStatus,
  });
  connector.start();

  const storageFull = watchStorageFull(node);
  const { slot } = platform;
  const services: NodeServices = {
    node,
    network,
    connector,
    identity,
    signalingStatus: signaling.status,
    keys,
    wallet,
    miner,
    bans,
    slot,
    settings: platform.settings ?? { saveIceServers: () => {} },
    async storageStatus() {
      return { slot: slot.slot, database: slot.databaseName, ...(await platform.storage()), full: storageFull.isFull() };
    },
    subscribe: (event, handler) => subscribeNodeEvents({ node, network, statusHandlers: signaling.handlers, fullHandlers: storageFull.handlers }, event, handler),
  };
  return {
    services,
    stop() {
      stopStaleTimer();
      node.stopMining();
      miner.dispose();
      verifier?.dispose();
      connector.stop();
    },
  };
}
