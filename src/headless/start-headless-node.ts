/**
 * @module The headless node's composition root: the same core, app services and peer protocol
 * as a browser tab, with Node adapters: LevelDB for storage, worker_threads for mining,
 * `@roamhq/wrtc` for WebRTC and `ws` for the signaling socket. The result is the same
 * `NodeServices` a tab builds, so `createTabchainApi` (and so the REST API) works unchanged.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { BanList, Network, Node, networks, type NetworkName } from '../core/index.ts';
import { LevelChainStore } from '../adapters/level/level-chain-store.ts';
import { LevelBanStore, LevelPendingTxStore, LevelSettings, LevelWalletRecords } from '../adapters/level/level-small-stores.ts';
import { openNodeDatabase, type NodeDatabase } from '../adapters/level/node-database.ts';
import { createNodeMinerWorker } from '../adapters/miner/node-miner-worker.ts';
import { WorkerPoolMiner } from '../adapters/miner/worker-pool-miner.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { PeerConnector } from '../app/peer-connector.ts';
import { subscribeNodeEvents, watchSignaling, watchStorageFull } from '../app/node-events.ts';
import { loadNodeIdentity } from '../app/node-identity.ts';
import type { NodeServices } from '../app/start-node.ts';
import type { StoredWallet } from '../adapters/idb/wallet-database.ts';
import { WalletKeys } from '../app/wallet-keys.ts';
import { filePlainPhraseStore } from '../adapters/wallet/file-plain-phrase.ts';
import { WalletService } from '../app/wallet-service.ts';

export interface HeadlessOptions {
  readonly network: NetworkName;
  /** Directory for the node's data; the chain of each network goes in its own subdirectory. */
  readonly dataDir: string;
  /** ws:// URL of the signaling endpoint to find peers through (the node's own, usually). */
  readonly signalingUrl: string;
  readonly maxPeers?: number;
  /** Mining threads (default: every core but one). */
  readonly workers?: number;
  readonly iceServers?: RTCIceServer[];
  /**
   * The wallet's passphrase (`--passphrase-file`): a new wallet is created sealed under it, a
   * sealed one unlocked with it, an unencrypted one sealed under it (its clear file deleted).
   */
  readonly passphrase?: string;
  /** Let a main-network wallet be created unencrypted (`--insecure-plain-wallet`). */
  readonly insecurePlainWallet?: boolean;
}

/** Starting on main with no wallet and no passphrase to create one under. */
export class WalletPassphraseRequired extends Error {
  override readonly name = 'WalletPassphraseRequired';
}

export interface HeadlessNode {
  readonly services: NodeServices;
  readonly dataDir: string;
  /** Stops mining, peers and timers, and closes the database. */
  close(): Promise<void>;
}

/** Bytes of every file under `dir` (what the node's data takes on disk). */
function diskUsage(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? diskUsage(path) : statSync(path).size;
  }
  return total;
}

export async function startHeadlessNode(options: HeadlessOptions): Promise<HeadlessNode> {
  const params = networks[options.network];
  const dir = join(options.dataDir, params.name);
  mkdirSync(dir, { recursive: true });
  const db: NodeDatabase = await openNodeDatabase(dir);
  const settings = new LevelSettings(db);

  // An unencrypted phrase goes to a file of its own (deleted when a passphrase is set), never
  // into LevelDB, whose log and table files would keep it after the record is sealed.
  let keys: WalletKeys;
  try {
    keys = await WalletKeys.open(new LevelWalletRecords<StoredWallet>(db), params, {
      now: systemClock.now(),
      plainStore: filePlainPhraseStore(dir),
      ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
      ...(options.insecurePlainWallet ? { allowPlain: true } : {}),
    });
    if (!keys.exists) {
      throw new WalletPassphraseRequired(
        `the ${params.name} network's wallet is always encrypted: give its passphrase with --passphrase-file FILE (or TABCHAIN_PASSPHRASE_FILE=FILE), or start with --insecure-plain-wallet to keep the recovery phrase unencrypted in ${dir}`,
      );
    }
  } catch (error) {
    await db.close();
    throw error;
  }
  let workers = options.workers ?? Math.max(1, availableParallelism() - 1);
  const miner = Object.assign(new WorkerPoolMiner({ createWorker: createNodeMinerWorker, workers }), {
    workerCount: () => workers,
    setWorkerCount: (n: number) => {
      workers = n;
    },
  });
  const node = await Node.open({
    params,
    chainStore: new LevelChainStore(db),
    pendingStore: new LevelPendingTxStore(db),
    clock: systemClock,
    miner,
    coinbaseKey: () => keys.receiveKey(),
  });
  const wallet = new WalletService(node, keys);
  const staleTimer = setInterval(() => node.refreshStaleTemplate(), 5000);
  const bans = await BanList.open(new LevelBanStore(db), systemClock);

  const identity = await loadNodeIdentity(
    () => settings.get('node-key'),
    (hex) => settings.set('node-key', hex),
  );
  const network = new Network({ node, identity, bans, userAgent: `tabchain-node/${params.name}` });
  const signaling = watchSignaling();
  const connector = new PeerConnector({
    network,
    identity,
    signalingUrl: options.signalingUrl,
    room: params.genesisHash,
    wrtc,
    WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    ...(options.iceServers ? { iceServers: options.iceServers } : {}),
    ...(options.maxPeers !== undefined ? { maxPeers: options.maxPeers } : {}),
    onStatus: signaling.onStatus,
  });
  connector.start();

  const storageFull = watchStorageFull(node);

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
    slot: { slot: 0, databaseName: dir, release: () => undefined },
    async storageStatus() {
      return { slot: 0, database: dir, usage: diskUsage(dir), quota: null, persisted: true, full: storageFull.isFull(), lost: [] };
    },
    subscribe: (event, handler) => subscribeNodeEvents({ node, network, statusHandlers: signaling.handlers, fullHandlers: storageFull.handlers }, event, handler),
  };

  let closed = false;
  return {
    services,
    dataDir: dir,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(staleTimer);
      node.stopMining();
      miner.dispose();
      connector.stop();
      await db.close();
    },
  };
}
