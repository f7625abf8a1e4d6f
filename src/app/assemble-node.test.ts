import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBanStore, MemoryChainStore, MemoryPendingTxStore, regtestParams, type NetworkName } from '../core/index.ts';
import { ManualClock } from '../core/testing/chain-builder.ts';
import type { MinerWorker } from '../adapters/miner/worker-pool-miner.ts';
import type { StoredWallet } from '../adapters/wallet/stored-wallet.ts';
import { assembleNode, type AssembledNode, type NodePlatform, type NodeStores } from './assemble-node.ts';
import { createTabchainApi } from './tabchain-api.ts';
import { TabchainError } from './tabchain-error.ts';

/** A signaling socket that never opens: the assembly only has to start the connector on it. */
class IdleSocket {
  static opened: string[] = [];
  readyState = 0;
  onmessage: unknown = null;
  onclose: unknown = null;
  onerror: unknown = null;
  constructor(url: string) {
    IdleSocket.opened.push(url);
  }
  send(): void {}
  close(): void {
    this.readyState = 3;
  }
}

function memoryStores(): NodeStores & { saved: { nodeKey?: string } } {
  const wallets = new Map<NetworkName, StoredWallet>();
  const saved: { nodeKey?: string } = {};
  return {
    saved,
    chain: new MemoryChainStore(),
    pending: new MemoryPendingTxStore(),
    bans: new MemoryBanStore(),
    wallets: {
      get: async (_store, network) => wallets.get(network),
      put: async (_store, record, network) => wallets.set(network, record),
    },
    nodeKey: { load: async () => saved.nodeKey, save: async (hex) => (saved.nodeKey = hex) },
  };
}

/** A platform with nothing of a page in it (no window, localStorage, Worker or RTCPeerConnection): as a Worker would give it. */
function plainPlatform() {
  const timers: { ms: number; fn: () => void; stopped: boolean }[] = [];
  const phrases = new Map<NetworkName, string>();
  let workers = 2;
  const platform: NodePlatform = {
    params: regtestParams,
    clock: new ManualClock(regtestParams.genesis.header.time + 1000),
    every: (ms, fn) => {
      const timer = { ms, fn, stopped: false };
      timers.push(timer);
      return () => (timer.stopped = true);
    },
    slot: { slot: 3, databaseName: 'memory', release: () => undefined },
    miner: {
      createWorker: (): MinerWorker => ({ postMessage: () => undefined, terminate: () => undefined, onmessage: null, onerror: null }),
      workerCount: () => workers,
      setWorkerCount: (n) => (workers = n),
    },
    wallet: {
      plainStore: {
        read: async (network) => phrases.get(network),
        write: async (network, phrase) => void phrases.set(network, phrase),
        erase: async (network) => void phrases.delete(network),
      },
    },
    peers: {
      userAgent: 'tabchain-test/regtest',
      signalingUrl: 'ws://signal.invalid/signal',
      WebSocketImpl: IdleSocket as unknown as typeof WebSocket,
      // The signaling socket never opens, so no peer is ever offered a link.
      createLink: () => {
        throw new Error('no link is made in these tests');
      },
    },
    storage: async () => ({ usage: 1234, quota: null, persisted: true, lost: [] }),
  };
  return { platform, timers, phrases };
}

const started: AssembledNode[] = [];
afterEach(() => {
  for (const node of started.splice(0)) node.stop();
});

describe('assembleNode', () => {
  it('behavior: wires a whole node from the stores and a platform with no page in it: wallet, chain, peer key, connector, timer, storage status', async () => {
    const stores = memoryStores();
    const { platform, timers, phrases } = plainPlatform();
    const assembled = await assembleNode(stores, platform);
    started.push(assembled);
    const s = assembled.services;

    // regtest creates an unencrypted wallet, its phrase in the platform's plain-phrase store.
    expect(s.keys.exists).toBe(true);
    expect(phrases.get('regtest')?.split(' ')).toHaveLength(12);
    expect(s.node.tip.height).toBe(0);
    // The peer key was made once and kept, so the same stores give the same node.
    expect(stores.saved.nodeKey).toMatch(/^[0-9a-f]{64}$/);
    expect(IdleSocket.opened.at(-1)).toContain('ws://signal.invalid/signal');
    expect(s.signalingStatus()).toBe('connecting');
    // The miner's worker count is the platform's setting, both ways.
    expect(s.miner.workerCount()).toBe(2);
    s.miner.setWorkerCount(5);
    expect(platform.miner.workerCount()).toBe(5);
    // One repeating timer (template refresh), stopped with the node.
    expect(timers.map((t) => t.ms)).toEqual([5000]);
    expect(() => timers[0]!.fn()).not.toThrow();
    expect(await s.storageStatus()).toEqual({ slot: 3, database: 'memory', usage: 1234, quota: null, persisted: true, full: false, lost: [] });

    const second = await assembleNode(stores, plainPlatform().platform);
    started.push(second);
    expect(second.services.identity.peerId).toBe(s.identity.peerId);

    assembled.stop();
    expect(timers[0]!.stopped).toBe(true);
  });

  it('behavior: checkWallet stops the assembly before a node or a connector starts', async () => {
    const { platform, timers } = plainPlatform();
    const before = IdleSocket.opened.length;
    const refusal = new Error('no wallet here');
    await expect(
      assembleNode(memoryStores(), {
        ...platform,
        checkWallet: () => {
          throw refusal;
        },
      }),
    ).rejects.toBe(refusal);
    expect(timers).toEqual([]);
    expect(IdleSocket.opened.length).toBe(before);
  });
});

describe('window.tabchain over an assembled node with no page in it', () => {
  async function assembledApi(settings?: NodePlatform['settings']) {
    const { platform } = plainPlatform();
    const assembled = await assembleNode(memoryStores(), { ...platform, ...(settings ? { settings } : {}) });
    started.push(assembled);
    return { api: createTabchainApi('regtest', Promise.resolve(assembled.services)), services: assembled.services, platform };
  }

  it('behavior: setIceServers keeps the list through the platform settings port (no localStorage), and a bad list keeps nothing', async () => {
    const kept: (readonly RTCIceServer[] | null)[] = [];
    const { api } = await assembledApi({ saveIceServers: (servers) => kept.push(servers) });
    const stun = [{ urls: ['stun:stun.example.org:3478'] }];
    expect(await api.setIceServers('stun:stun.example.org:3478')).toEqual(stun);
    expect(kept).toEqual([stun]);
    expect(await api.iceServers()).toEqual(stun);
    const malformed = await api.setIceServers('ftp://nowhere').then(() => null, (error: unknown) => error);
    expect(TabchainError.is(malformed, 'IceServerListError')).toBe(true);
    expect(kept).toHaveLength(1);
    expect(await api.setIceServers('')).toBeNull();
    expect(kept).toEqual([stun, null]);
    // Without a settings port (the headless node) the list holds for this run only.
    const unkept = await assembledApi();
    expect(await unkept.api.setIceServers('stun:stun.example.org:3478')).toHaveLength(1);
    expect(await unkept.api.iceServers()).toHaveLength(1);
  });

  it('error: bad input is an InputError (code invalid-input, the field named) and changes nothing', async () => {
    const kept: (readonly RTCIceServer[] | null)[] = [];
    const { api, services, platform } = await assembledApi({ saveIceServers: (servers) => kept.push(servers) });
    const maxPeers = services.connector.maxPeerCount;
    const refusal = (call: () => Promise<unknown>) => call().then(() => null, (error: unknown) => error);
    const cases: [() => Promise<unknown>, string][] = [
      [() => api.setMaxPeers(65), 'maxPeers'],
      [() => api.setMaxPeers(1.5), 'maxPeers'],
      [() => api.miner.start({ workers: 0 }), 'workers'],
      [() => api.mine(0), 'n'],
      [() => api.ban('not-a-peer-id'), 'peerId'],
      [() => api.chain.submitBlocks('00' as unknown as string[]), 'hexes'],
      [() => api.chain.headers(0, -1), 'count'],
      [() => api.setIceServers(42 as unknown as string), 'list'],
      [() => api.send(null as unknown as { to: string; amount: string }), 'request'],
      [() => api.wallet.restore(Array(12).fill('abandon').join(' ').replace(/abandon$/, 'about'), { keys: 0 }), 'keys'],
      // `on` answers at once (it returns the unsubscribe function), so its refusal is thrown.
      [async () => api.on('nope' as 'tip', () => {}), 'event'],
      [async () => api.on('tip', 'not a function' as unknown as () => void), 'handler'],
    ];
    for (const [call, field] of cases) {
      const error = await refusal(call);
      expect(TabchainError.is(error, 'InputError'), field).toBe(true);
      if (!TabchainError.is(error, 'InputError')) continue;
      const code: 'invalid-input' = error.code;
      expect(code).toBe('invalid-input');
      expect(error.field).toBe(field);
      expect(error.message).toMatch(/\w/);
      expect(TabchainError.fromJSON(structuredClone(error.toJSON()))?.toJSON()).toEqual(error.toJSON());
    }
    expect(services.connector.maxPeerCount).toBe(maxPeers);
    expect(platform.miner.workerCount()).toBe(2);
    expect(services.node.minerStatus().running).toBe(false);
    expect(services.node.tip.height).toBe(0);
    expect(await api.bans()).toEqual([]);
    expect(kept).toEqual([]);
  });
});
