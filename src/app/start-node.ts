/**
 * @module Starts this tab's node: claims a chain slot, opens its database and the shared wallet,
 * starts the miner's workers, and asks the browser to keep the data. The one place (with
 * main.ts) that builds adapters.
 */
import { BanList, Network, Node, type NetworkParams, type NodeIdentity } from '../core/index.ts';
import type { SignalingStatus } from '../adapters/net/signaling-client.ts';
import { PeerConnector } from './peer-connector.ts';
import { IdbBanStore } from '../adapters/idb/idb-ban-store.ts';
import { openChainDatabase } from '../adapters/idb/chain-database.ts';
import { IdbChainStore } from '../adapters/idb/idb-chain-store.ts';
import { IdbPendingTxStore } from '../adapters/idb/idb-pending-tx-store.ts';
import { openWalletDatabase } from '../adapters/idb/wallet-database.ts';
import { opfsPlainPhraseStore } from '../adapters/wallet/opfs-plain-phrase.ts';
import { WorkerPoolMiner, defaultWorkerCount } from '../adapters/miner/worker-pool-miner.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { claimTabSlot, type TabSlot } from '../adapters/tab-slot.ts';
import { WalletKeys } from './wallet-keys.ts';
import { WalletService } from './wallet-service.ts';
import { subscribeNodeEvents, watchSignaling, watchStorageFull } from './node-events.ts';
import { loadNodeIdentity } from './node-identity.ts';

export interface StorageStatus {
  slot: number;
  database: string;
  /** Bytes used by this origin, from navigator.storage.estimate(). */
  usage: number | null;
  quota: number | null;
  /** The browser promised not to evict this origin's data. */
  persisted: boolean;
  /** A write failed for lack of space; the node stays consistent but stops taking blocks. */
  full: boolean;
  /** What was found missing at start-up though this browser had it before ('chain', 'wallet'). */
  lost: string[];
}

export interface NodeServices {
  readonly node: Node;
  readonly network: Network;
  readonly connector: PeerConnector;
  readonly identity: NodeIdentity;
  signalingStatus(): SignalingStatus;
  readonly keys: WalletKeys;
  readonly wallet: WalletService;
  readonly miner: WorkerPoolMiner & { workerCount(): number; setWorkerCount(n: number): void };
  readonly bans: BanList;
  readonly slot: TabSlot;
  storageStatus(): Promise<StorageStatus>;
  subscribe(event: string, handler: (payload: unknown) => void): () => void;
}

const MARKER = 'tabchain-had-data';
const WORKERS = 'tabchain-miner-workers';

/** The miner's worker count as the user last set it (a setting shared by the origin's tabs). */
function savedWorkerCount(): number | undefined {
  try {
    const n = Number(localStorage.getItem(WORKERS));
    return Number.isInteger(n) && n >= 1 && n <= 64 ? n : undefined;
  } catch {
    return undefined;
  }
}

function saveWorkerCount(n: number): void {
  try {
    localStorage.setItem(WORKERS, String(n));
  } catch {
    // Not remembered; the default applies next time.
  }
}

/** What this browser held before (kept in localStorage, which outlives an IndexedDB eviction rarely but a manual clear of one store often). */
function markers(): Record<string, boolean> {
  try {
    return JSON.parse(localStorage.getItem(MARKER) ?? '{}') as Record<string, boolean>;
  } catch {
    return {};
  }
}

function setMarker(key: string): void {
  try {
    localStorage.setItem(MARKER, JSON.stringify({ ...markers(), [key]: true }));
  } catch {
    // Storage may be unavailable (private mode): the markers are only a convenience.
  }
}

export interface StartOptions {
  readonly onVersionChange?: () => void;
  /** ws:// URL of the signaling endpoint; default: this page's origin, path /signal. */
  readonly signalingUrl?: string;
  /** ICE servers (none by default: LAN and same-machine links need none). */
  readonly iceServers?: RTCIceServer[];
  /** Links kept at most (default 8). */
  readonly maxPeers?: number;
}

function defaultSignalingUrl(): string {
  const url = new URL('/signal', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

export async function startNode(params: NetworkParams, options: StartOptions = {}): Promise<NodeServices> {
  const slot = await claimTabSlot(params.name);
  const chainDb = await openChainDatabase(slot.databaseName, options.onVersionChange ? { onVersionChange: options.onVersionChange } : {});
  const walletDb = await openWalletDatabase(undefined, options.onVersionChange);

  // G.42: data this browser had is gone (cleared or evicted): say so rather than start silently.
  const had = markers();
  const lost: string[] = [];
  const chainKey = `chain:${slot.databaseName}`;
  const walletKey = `wallet:${params.name}`;
  if (had[chainKey] && (await chainDb.count('index')) === 0) lost.push('chain');
  if (had[walletKey] && !(await walletDb.get('wallets', params.name))) lost.push('wallet');

  const plainStore = opfsPlainPhraseStore();
  const keys = await WalletKeys.open(walletDb, params, { now: systemClock.now(), ...(plainStore ? { plainStore } : {}) });
  const miner = Object.assign(new WorkerPoolMiner({ workers: savedWorkerCount() ?? defaultWorkerCount() }), {
    workerCount: () => savedWorkerCount() ?? defaultWorkerCount(),
    setWorkerCount: saveWorkerCount,
  });
  const node = await Node.open({
    params,
    chainStore: new IdbChainStore(chainDb),
    pendingStore: new IdbPendingTxStore(chainDb),
    clock: systemClock,
    miner,
    coinbaseKey: () => keys.receiveKey(),
  });
  setMarker(chainKey);
  setMarker(walletKey);
  const wallet = new WalletService(node, keys);
  // Templates go stale (new txs, the clock): the core has no timers, so the page ticks it.
  setInterval(() => node.refreshStaleTemplate(), 5000);
  const bans = await BanList.open(new IdbBanStore(chainDb), systemClock);

  // Peers: this node's key (per chain slot, so bans and peer lists mean the same node across
  // reloads), the peer-to-peer network, and the links that feed it.
  const identity = await loadNodeIdentity(
    () => chainDb.get('meta', 'node-key'),
    (hex) => chainDb.put('meta', hex, 'node-key'),
  );
  const network = new Network({ node, identity, bans, userAgent: `tabchain/${params.name}` });
  const signalingUrl = options.signalingUrl ?? defaultSignalingUrl();
  const signaling = watchSignaling();
  const connector = new PeerConnector({
    network,
    identity,
    signalingUrl,
    room: params.genesisHash,
    ...(options.iceServers ? { iceServers: options.iceServers } : {}),
    ...(options.maxPeers !== undefined ? { maxPeers: options.maxPeers } : {}),
    onStatus: signaling.onStatus,
  });
  connector.start();

  const storageFull = watchStorageFull(node);

  // Another tab changed the shared wallet (a new address, a passphrase): read it again. Another
  // tab locked it ("Lock now", auto-lock): lock here too, so no tab of the wallet stays open.
  if (typeof BroadcastChannel !== 'undefined') {
    const channel = new BroadcastChannel(`tabchain-wallet-${params.name}`);
    channel.onmessage = (event: MessageEvent) => {
      if (event.data === 'locked') {
        if (keys.hasPassphrase) keys.lock({ fromElsewhere: true });
      } else void keys.reload();
    };
    keys.onChange(() => channel.postMessage('changed'));
    keys.onLock(() => channel.postMessage('locked'));
  }

  // Ask the browser to keep the data, without waiting for the answer: Firefox shows a permission
  // prompt and resolves only when the user answers it (the node would never start). The footer
  // shows the answer once it comes; `persisted()` reads the state without prompting anywhere.
  let persisted = false;
  void navigator.storage?.persisted?.().then(
    (granted) => (persisted ||= granted),
    () => {},
  );
  void navigator.storage?.persist?.().then(
    (granted) => (persisted ||= granted),
    () => {},
  );

  return {
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
    async storageStatus() {
      const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
      return {
        slot: slot.slot,
        database: slot.databaseName,
        usage: estimate?.usage ?? null,
        quota: estimate?.quota ?? null,
        persisted,
        full: storageFull.isFull(),
        lost,
      };
    },
    subscribe: (event, handler) => subscribeNodeEvents({ node, network, statusHandlers: signaling.handlers, fullHandlers: storageFull.handlers }, event, handler),
  };
}
