/**
 * Composition root: picks the network, starts this tab's node, exposes it as `window.tabchain`
 * and mounts the UI. The only module (with app/start-node.ts) that builds adapters.
 */
import { mount } from 'svelte';
import App from './ui/App.svelte';
import './ui/theme.css';
import './ui/controls.css';
import './ui/tables.css';
import { networks } from './core/index.ts';
import { chooseNetwork } from './app/choose-network.ts';
import { startNode } from './app/start-node.ts';
import { createTabchainApi, type TabchainApi } from './app/tabchain-api.ts';
import { NodeState } from './ui/node-state.svelte.ts';

/**
 * Where to find peers: `?signal=` (a ws:// or wss:// URL), else the saved setting, else this
 * page's own /signal. ICE servers come from the saved setting (none by default).
 */
function peerSettings(): { signalingUrl?: string; iceServers?: RTCIceServer[]; maxPeers?: number } {
  const settings: { signalingUrl?: string; iceServers?: RTCIceServer[]; maxPeers?: number } = {};
  const query = new URLSearchParams(location.search);
  const asked = query.get('signal');
  const maxPeers = Number(query.get('maxPeers') ?? NaN);
  if (Number.isInteger(maxPeers) && maxPeers >= 0 && maxPeers <= 64) settings.maxPeers = maxPeers;
  let saved: string | null = null;
  let ice: string | null = null;
  try {
    saved = localStorage.getItem('tabchain-signal-url');
    ice = localStorage.getItem('tabchain-ice-servers');
  } catch {
    // No storage: defaults.
  }
  const url = asked ?? saved;
  if (url && /^wss?:\/\//.test(url)) settings.signalingUrl = url;
  try {
    const servers = ice ? (JSON.parse(ice) as unknown) : undefined;
    if (Array.isArray(servers)) settings.iceServers = servers as RTCIceServer[];
  } catch {
    // A malformed setting is ignored.
  }
  return settings;
}

declare global {
  interface Window {
    tabchain: TabchainApi;
  }
}

const network = chooseNetwork(location.search, globalThis.sessionStorage);
const params = networks[network];
// Set once the state exists; a version change can only come after the node has started.
const onVersionChange = { handler: () => {} };
const services = startNode(params, { onVersionChange: () => onVersionChange.handler(), ...peerSettings() });
const api = createTabchainApi(network, services, { debug: new URLSearchParams(location.search).has('debug') });
window.tabchain = api;
const state = new NodeState(api);
onVersionChange.handler = () => (state.outdated = true);

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target, props: { node: state, networkName: params.name, genesisHash: params.genesisHash } });
