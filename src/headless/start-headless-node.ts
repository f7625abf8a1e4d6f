/**
 * @module The headless node's composition root: the same core, app services and peer protocol
 * as a browser tab, with Node adapters: LevelDB for storage, worker_threads for mining,
 * `@roamhq/wrtc` for WebRTC and `ws` for the signaling socket, handed to the same
 * {@link assembleNode} a tab uses. The result is the same `NodeServices` a tab builds, so `createTabchainApi` (and so the REST API) works unchanged.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { networks, type NetworkName } from '../core/index.ts';
import { LevelChainStore } from '../adapters/level/level-chain-store.ts';
import { LevelBanStore, LevelPendingTxStore, LevelSettings, LevelWalletRecords } from '../adapters/level/level-small-stores.ts';
import { openNodeDatabase } from '../adapters/level/node-database.ts';
import { createNodeMinerWorker } from '../adapters/miner/node-miner-worker.ts';
import { createNodeVerifierWorker } from '../adapters/verifier/node-verifier-worker.ts';
import { WebRtcLink } from '../adapters/net/webrtc-link.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { systemEvery } from '../adapters/system-timers.ts';
import type { StoredWallet } from '../adapters/wallet/stored-wallet.ts';
import { filePlainPhraseStore } from '../adapters/wallet/file-plain-phrase.ts';
import { assembleNode, type AssembledNode, type NodeServices } from '../app/assemble-node.ts';

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
  /** Named settings in the node's database (the REST API keeps its registered nodes there). */
  readonly settings: LevelSettings;
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
  const dir = join(options.dataDir, params.storageName);
  mkdirSync(dir, { recursive: true });
  const db = await openNodeDatabase(dir);
  const settings = new LevelSettings(db);
  let workers = options.workers ?? Math.max(1, availableParallelism() - 1);

  let assembled: AssembledNode;
  try {
    assembled = await assembleNode(
      {
        chain: new LevelChainStore(db),
        pending: new LevelPendingTxStore(db),
        bans: new LevelBanStore(db),
        wallets: new LevelWalletRecords<StoredWallet>(db),
        nodeKey: { load: () => settings.get('node-key'), save: (hex) => settings.set('node-key', hex) },
      },
      {
        params,
        clock: systemClock,
        every: systemEvery,
        slot: { slot: 0, databaseName: dir, release: () => undefined },
        miner: {
          createWorker: createNodeMinerWorker,
          workerCount: () => workers,
          setWorkerCount: (n) => {
            workers = n;
          },
        },
        signatures: { createWorker: createNodeVerifierWorker, cores: () => availableParallelism() },
        // An unencrypted phrase goes to a file of its own (deleted when a passphrase is set), never
        // into LevelDB, whose log and table files would keep it after the record is sealed.
        wallet: {
          plainStore: filePlainPhraseStore(dir),
          ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
          ...(options.insecurePlainWallet ? { allowPlain: true } : {}),
        },
        checkWallet: (keys) => {
          if (!keys.exists) {
            throw new WalletPassphraseRequired(
              `the ${params.name} network's wallet is always encrypted: give its passphrase with --passphrase-file FILE (or TABCHAIN_PASSPHRASE_FILE=FILE), or start with --insecure-plain-wallet to keep the recovery phrase unencrypted in ${dir}`,
            );
          }
        },
        peers: {
          userAgent: `tabchain-node/${params.name}`,
          signalingUrl: options.signalingUrl,
          wrtc,
          createLink: (linkOptions) => new WebRtcLink(linkOptions),
          WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
          ...(options.iceServers ? { iceServers: options.iceServers } : {}),
          ...(options.maxPeers !== undefined ? { maxPeers: options.maxPeers } : {}),
        },
        storage: async () => ({ usage: diskUsage(dir), quota: null, persisted: true, lost: [] }),
      },
    );
  } catch (error) {
    await db.close();
    throw error;
  }

  let closed = false;
  return {
    services: assembled.services,
    dataDir: dir,
    settings,
    async close() {
      if (closed) return;
      closed = true;
      assembled.stop();
      await db.close();
    },
  };
}
