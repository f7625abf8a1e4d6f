/**
 * @module Starts this tab's node: claims a chain slot, opens its database and the shared wallet,
 * hands the browser's stores and platform (IndexedDB, module Web Workers, the page's WebSocket
 * and WebRTC, localStorage for settings) to {@link assembleNode}, keeps the tabs' wallet views in
 * step, and asks the browser to keep the data. The one place (with main.ts) that builds the
 * browser's adapters.
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
import { ICE_SERVERS_KEY } from './ice-server-list.ts';

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

/** Keeps the user's own ICE servers (set in the Network view) for the next start; main.ts reads them back. */
function saveIceServers(servers: readonly RTCIceServer[] | null): void {
  try {
    if (servers) localStorage.setItem(ICE_SERVERS_KEY, JSON.stringify(servers));
    else localStorage.removeItem(ICE_SERVERS_KEY);
  } catch {
    // No storage (a private mode): the list holds until the page reloads.
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
  const slot = await claimTabSlot(params.storageName);
  const chainDb = await openChainDatabase(slot.databaseName, options.onVersionChange ? { onVersionChange: options.onVersionChange } : {});
  const walletDb = await openWalletDatabase(undefined, options.onVersionChange);

  // G.42: data this browser had is gone (cleared or evicted): say so rather than start silently.
  const had = markers();
  const lost: string[] = [];
  const chainKey = `chain:${slot.databaseName}`;
  const walletKey = `wallet:${params.name}`;
  if (had[chainKey] && (await chainDb.count('index')) === 0) lost.push('chain');
  if (had[walletKey] && !(await walletDb.get('wallets', params.name))) lost.push('wallet');

  // The shared wallet's unencrypted phrase (test network) goes to the origin-private file system.
  const plainStore = opfsPlainPhraseStore();
  let persisted = false;
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
      miner: { workerCount: () => savedWorkerCount() ?? defaultWorkerCount(), setWorkerCount: saveWorkerCount },
      ...(plainStore ? { wallet: { plainStore } } : {}),
      settings: { saveIceServers },
      peers: {
        userAgent: `tabchain/${params.name}`,
        signalingUrl: options.signalingUrl ?? defaultSignalingUrl(),
        ...(options.iceServers ? { iceServers: options.iceServers } : {}),
        ...(options.maxPeers !== undefined ? { maxPeers: options.maxPeers } : {}),
      },
      async storage() {
        const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
        return { usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, persisted, lost };
      },
    },
  );
  setMarker(chainKey);
  setMarker(walletKey);
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

  // Ask the browser to keep the data, without waiting for the answer: Firefox shows a permission
  // prompt and resolves only when the user answers it (the node would never start). The footer
  // shows the answer once it comes; `persisted()` reads the state without prompting anywhere.
  void navigator.storage?.persisted?.().then(
    (granted) => (persisted ||= granted),
    () => {},
  );
  void navigator.storage?.persist?.().then(
    (granted) => (persisted ||= granted),
    () => {},
  );

  return services;
}
