/**
 * @module Starts this tab's node, in the tab's node worker (src/node.worker.ts): claims a chain
 * slot, opens its database and the shared wallet, hands the browser's stores and platform
 * (IndexedDB, module Web Workers for mining, WebSocket for signaling, the page's WebRTC through
 * remote links, the page's localStorage for settings) to {@link assembleNode}, and keeps the tabs'
 * wallet views in step. The one place (with node.worker.ts) that builds the browser's adapters
 * for the node.
 */
import type { NetworkParams } from '../core/index.ts';
import { IdbBanStore } from '../adapters/idb/idb-ban-store.ts';
import { openChainDatabase } from '../adapters/idb/chain-database.ts';
import { IdbChainStore } from '../adapters/idb/idb-chain-store.ts';
import { IdbPendingTxStore } from '../adapters/idb/idb-pending-tx-store.ts';
import { openWalletDatabase } from '../adapters/idb/wallet-database.ts';
import { opfsPlainPhraseStore } from '../adapters/wallet/opfs-plain-phrase.ts';
import { defaultWorkerCount } from '../adapters/miner/worker-pool-miner.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { systemEvery } from '../adapters/system-timers.ts';
import { claimTabSlot } from '../adapters/tab-slot.ts';
import { assembleNode, type NodeServices } from './assemble-node.ts';
import type { RemoteLinks } from '../adapters/net/remote-links.ts';
import type { StartRequest } from './worker-protocol.ts';

/**
 * What the page does for the node worker: keeps settings in its localStorage (a worker has none)
 * and runs the WebRTC links (no `RTCPeerConnection` in workers). See worker-protocol.ts.
 */
export interface TabHost {
  /** The settings the page read from its localStorage at start. */
  readonly saved: StartRequest['saved'];
  saveWorkerCount(n: number): void;
  saveMinerGpu(on: boolean): void;
  /** Keeps the user's own ICE servers (set in the Network view) for the next start. */
  saveIceServers(servers: readonly RTCIceServer[] | null): void;
  /** Notes that this browser holds `key` (see `lost` in the storage status). */
  setMarker(key: string): void;
  /** The browser promised to keep the data (the page asks; `persist()` is the window's). */
  persisted(): boolean;
  /** Another tab opened a newer version of a database: this one must reload. */
  onVersionChange(): void;
  readonly links: RemoteLinks;
}

export interface StartOptions {
  /** ws:// URL of the signaling endpoint. */
  readonly signalingUrl: string;
  /** The user's own ICE servers (else those the signaling server hands out). */
  readonly iceServers?: RTCIceServer[];
  /** Links kept at most (default 8). */
  readonly maxPeers?: number;
}

export async function startNode(params: NetworkParams, options: StartOptions, host: TabHost): Promise<NodeServices> {
  let workerCount = host.saved.workerCount ?? defaultWorkerCount();
  let minerGpu = host.saved.minerGpu ?? false;
  const slot = await claimTabSlot(params.storageName);
  const chainDb = await openChainDatabase(slot.databaseName, { onVersionChange: () => host.onVersionChange() });
  const walletDb = await openWalletDatabase(undefined, () => host.onVersionChange());

  // G.42: data this browser had is gone (cleared or evicted): say so rather than start silently.
  const had = host.saved.markers;
  const lost: string[] = [];
  const chainKey = `chain:${slot.databaseName}`;
  const walletKey = `wallet:${params.name}`;
  if (had[chainKey] && (await chainDb.count('index')) === 0) lost.push('chain');
  if (had[walletKey] && !(await walletDb.get('wallets', params.name))) lost.push('wallet');

  // The shared wallet's unencrypted phrase (test network) goes to the origin-private file system.
  const plainStore = opfsPlainPhraseStore();
  const { services } = await assembleNode(
    {
      chain: new IdbChainStore(chainDb),
      pending: new IdbPendingTxStore(chainDb),
      bans: new IdbBanStore(chainDb),
      wallets: walletDb,
      // This node's peer key, per chain slot: bans and peer lists mean the same node across reloads.
      nodeKey: { load: () => chainDb.get('meta', 'node-key'), save: (hex) => chainDb.put('meta', hex, 'node-key') },
    },
    {
      params,
      clock: systemClock,
      every: systemEvery,
      slot,
      miner: {
        workerCount: () => workerCount,
        setWorkerCount: (n) => {
          workerCount = n;
          host.saveWorkerCount(n);
        },
        gpu: () => minerGpu,
        setGpu: (on) => {
          minerGpu = on;
          host.saveMinerGpu(on);
        },
      },
      signatures: { cores: () => navigator.hardwareConcurrency || 2 },
      ...(plainStore ? { wallet: { plainStore } } : {}),
      settings: { saveIceServers: (servers) => host.saveIceServers(servers) },
      peers: {
        userAgent: `tabchain/${params.name}`,
        signalingUrl: options.signalingUrl,
        createLink: (linkOptions) => host.links.create(linkOptions),
        budget: host.links.budget,
        ...(options.iceServers ? { iceServers: options.iceServers } : {}),
        ...(options.maxPeers !== undefined ? { maxPeers: options.maxPeers } : {}),
      },
      async storage() {
        const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
        return { usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, persisted: host.persisted(), lost };
      },
    },
  );
  host.setMarker(chainKey);
  host.setMarker(walletKey);
  const { keys } = services;

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

  return services;
}
