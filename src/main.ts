/**
 * Composition root: picks the network, starts this tab's node, exposes it as `window.tabchain`
 * and mounts the UI. The only module (with app/start-node.ts) that builds adapters.
 */
import { mount, unmount } from 'svelte';
import App from './ui/App.svelte';
import Unsupported from './ui/Unsupported.svelte';
import './ui/theme.css';
import './ui/controls.css';
import './ui/tables.css';
import { networks } from './core/index.ts';
import { chooseNetwork } from './app/choose-network.ts';
import { startNodeWorker } from './app/node-worker-client.ts';
import nodeWorkerUrl from './node.worker.ts?worker&url';
import type { TabchainApi } from './app/tabchain-api.ts';
import { startAutoLock } from './ui/wallet/auto-lock.ts';
import { NodeState } from './ui/node-state.svelte.ts';
import { missingFeatures, type UnsupportedReport } from './app/environment-check.ts';
import { loadIceServerList } from './app/ice-server-list.ts';
import { rememberSignalChoice, signalRequest } from './app/signal-choice.ts';
import SignalConsent from './ui/SignalConsent.svelte';

/** localStorage, or null where touching it throws (some private modes). */
function storageOrNull(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null;
  }
}

/**
 * The signaling server used without a `?signal=`: the saved setting, else the one the build names
 * (VITE_SIGNAL_URL, for a static host), else this page's own /signal.
 */
function defaultSignalingUrl(): string {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem('tabchain-signal-url');
  } catch {
    // No storage: defaults.
  }
  const built = (import.meta.env.VITE_SIGNAL_URL as string | undefined) || null;
  for (const url of [saved, built]) if (url && /^wss?:\/\//.test(url)) return url;
  const own = new URL('/signal', location.href);
  own.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return own.href;
}

/**
 * Where to find peers: `signal` (the address's `?signal=`, once allowed: app/signal-choice.ts),
 * else {@link defaultSignalingUrl}. ICE servers: the user's own list when saved (Network view),
 * else those the signaling server hands out.
 */
function peerSettings(signal: string | null): { signalingUrl: string; iceServers?: RTCIceServer[]; maxPeers?: number } {
  const settings: { signalingUrl: string; iceServers?: RTCIceServer[]; maxPeers?: number } = { signalingUrl: signal ?? defaultSignalingUrl() };
  const query = new URLSearchParams(location.search);
  const maxPeers = Number(query.get('maxPeers') ?? NaN);
  if (Number.isInteger(maxPeers) && maxPeers >= 0 && maxPeers <= 64) settings.maxPeers = maxPeers;
  // A malformed saved list is ignored (the server's are used), never handed to RTCPeerConnection.
  let servers: RTCIceServer[] | null = null;
  try {
    servers = loadIceServerList(localStorage);
  } catch {
    // No storage at all (the getter throws in some private modes).
  }
  if (servers) settings.iceServers = servers;
  return settings;
}

declare global {
  interface Window {
    /** Absent where the node cannot run; `tabchainUnsupported` says why instead. */
    tabchain: TabchainApi;
    tabchainUnsupported?: UnsupportedReport;
  }
}

/** Starts this tab's node and mounts the app on `target`. */
function startApp(target: HTMLElement, signal: string | null): void {
  const network = chooseNetwork(location.search, globalThis.sessionStorage);
  const params = networks[network];
  // Set once the state exists; a version change can only come after the node has started.
  const onVersionChange = { handler: () => {} };
  // The node runs in a worker of its own (app/node-worker-client.ts): the page only draws.
  const api = startNodeWorker({
    workerUrl: nodeWorkerUrl,
    network,
    ...peerSettings(signal),
    debug: new URLSearchParams(location.search).has('debug'),
    onVersionChange: () => onVersionChange.handler(),
  });
  window.tabchain = api;
  const state = new NodeState(api);
  onVersionChange.handler = () => (state.outdated = true);
  // The wallet locks itself after the chosen idle time (a timer of the page, not of the core).
  startAutoLock(api.wallet, window);

  mount(App, { target, props: { node: state, networkName: params.name, genesisHash: params.genesisHash } });
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
// A page that cannot run a node (plain http from another host, WebRTC or IndexedDB turned off)
// explains why instead of failing half-way through start-up. `window.tabchain` stays absent
// there, so a script cannot mistake it for a node; `window.tabchainUnsupported` says what is missing.
const missing = missingFeatures(globalThis);
if (missing.length > 0) {
  window.tabchainUnsupported = { missing };
  mount(Unsupported, { target, props: { missing, location } });
} else {
  // A `?signal=` of another origin is used only once the user agreed (asked once per URL).
  const storage = storageOrNull();
  const request = signalRequest(location.search, location.origin, storage);
  if (request.kind === 'ask') {
    const consent = mount(SignalConsent, {
      target,
      props: {
        url: request.url,
        ownUrl: defaultSignalingUrl(),
        onchoose: (allowed: boolean) => {
          rememberSignalChoice(storage, request.url, allowed);
          void unmount(consent).then(() => startApp(target, allowed ? request.url : null));
        },
      },
    });
  } else {
    startApp(target, request.kind === 'use' ? request.url : null);
  }
}
