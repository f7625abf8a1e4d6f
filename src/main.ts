/**
 * Composition root: the only module that builds adapters and mounts the UI.
 * The node itself arrives in the next milestone; for now the shell shows the network it will join.
 */
import { mount } from 'svelte';
import App from './ui/App.svelte';
import { networks } from './core/index.ts';

const params = new URLSearchParams(location.search);
const network = params.get('network') === 'test' ? networks.test : networks.main;

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

mount(App, { target, props: { networkName: network.name, genesisHash: network.genesisHash } });
