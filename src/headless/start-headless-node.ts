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
import {
  BanList,
  Network,
  Node,
  bytesToHex,
  generateSecretKey,
  hexToBytes,
  isValidSecretKey,
  networks,
  peerIdOf,
  publicKeyOf,
  type NetworkName,
  type NodeIdentity,
} from '../core/index.ts';
import type { SignalingStatus } from '../adapters/net/signaling-client.ts';
import { StorageFullError } from '../adapters/idb/storage-errors.ts';
import { LevelChainStore } from '../adapters/level/level-chain-store.ts';
import { LevelBanStore, LevelPendingTxStore, LevelSettings, LevelWalletRecords } from '../adapters/level/level-small-stores.ts';
import { openNodeDatabase, type NodeDatabase } from '../adapters/level/node-database.ts';
import { createNodeMinerWorker } from '../adapters/miner/node-miner-worker.ts';
import { WorkerPoolMiner } from '../adapters/miner/worker-pool-miner.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { PeerConnector } from '../app/peer-connector.ts';
import { subscribeNodeEvents } from '../app/node-events.ts';
import type { NodeServices } from '../app/start-node.ts';
import type { StoredWallet } from '../adapters/idb/wallet-database.ts';
import { WalletKeys } from '../app/wallet-keys.ts';
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

async function nodeIdentity(settings: LevelSettings): Promise<NodeIdentity> {
  let hex = await settings.get('node-key');
  if (!hex || !/^[0-9a-f]{64}$/.test(hex) || !isValidSecretKey(hexToBytes(hex))) {
    hex = bytesToHex(generateSecretKey());
    await settings.set('node-key', hex);
  }
  const secretKey = hexToBytes(hex);
  const publicKey = publicKeyOf(secretKey);
  return { secretKey, publicKey, peerId: peerIdOf(publicKey) };
}

export async function startHeadlessNode(options: HeadlessOptions): Promise<HeadlessNode> {
  const params = networks[options.network];
  const dir = join(options.dataDir, params.name);
  mkdirSync(dir, { recursive: true });
  const db: NodeDatabase = await openNodeDatabase(dir);
  const settings = new LevelSettings(db);

  const keys = await WalletKeys.open(new LevelWalletRecords<StoredWallet>(db), params, { now: systemClock.now() });
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

  const identity = await nodeIdentity(settings);
  const network = new Network({ node, identity, bans, userAgent: `tabchain-node/${params.name}` });
  let signalingStatus: SignalingStatus = 'offline';
  const statusHandlers = new Set<(payload: unknown) => void>();
  const connector = new PeerConnector({
    network,
    identity,
    signalingUrl: options.signalingUrl,
    room: params.genesisHash,
    wrtc,
    WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    ...(options.iceServers ? { iceServers: options.iceServers } : {}),
    ...(options.maxPeers !== undefined ? { maxPeers: options.maxPeers } : {}),
    onStatus: (status) => {
      signalingStatus = status;
      for (const h of statusHandlers) h({ status });
    },
  });
  connector.start();

  let full = false;
  const fullHandlers = new Set<(payload: unknown) => void>();
  node.on('error', ({ error }) => {
    if (error instanceof StorageFullError && !full) {
      full = true;
      node.stopMining();
      for (const h of fullHandlers) h({ message: error.message });
    }
  });

  const services: NodeServices = {
    node,
    network,
    connector,
    identity,
    signalingStatus: () => signalingStatus,
    keys,
    wallet,
    miner,
    bans,
    slot: { slot: 0, databaseName: dir, release: () => undefined },
    async storageStatus() {
      return { slot: 0, database: dir, usage: diskUsage(dir), quota: null, persisted: true, full, lost: [] };
    },
    subscribe: (event, handler) => subscribeNodeEvents({ node, network, statusHandlers, fullHandlers }, event, handler),
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
