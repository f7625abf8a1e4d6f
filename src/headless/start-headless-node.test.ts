import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../signaling-server/server.ts';
import { createTabchainApi } from '../app/tabchain-api.ts';
import { testParams } from '../core/index.ts';
import { startHeadlessNode, type HeadlessNode } from './start-headless-node.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function signaling(): Promise<RunningServer> {
  const server = await startServer({ port: 0, host: '127.0.0.1', signaling: { logger: null, allowMissingOrigin: true } });
  cleanup.push(() => server.close());
  return server;
}

async function headless(signalingUrl: string, dataDir = mkdtempSync(join(tmpdir(), 'tabchain-node-'))): Promise<HeadlessNode> {
  const node = await startHeadlessNode({ network: 'regtest', dataDir, signalingUrl, workers: 1 });
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanup.push(() => node.close());
  return node;
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('headless node', () => {
  it('behavior: a data folder holding the old test network\'s chain (now regtest\'s genesis) does not keep the new test network from starting', async () => {
    const server = await signaling();
    const dataDir = mkdtempSync(join(tmpdir(), 'tabchain-node-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // Before issue 13 the test network stored its chain in <data>/test, with what is regtest's genesis now.
    const old = await startHeadlessNode({ network: 'regtest', dataDir, signalingUrl: server.signalUrl, workers: 1 });
    await createTabchainApi('regtest', Promise.resolve(old.services)).mine(2);
    await old.close();
    renameSync(join(dataDir, 'regtest'), join(dataDir, 'test'));
    const node = await startHeadlessNode({ network: 'test', dataDir, signalingUrl: server.signalUrl, workers: 1 });
    cleanup.push(() => node.close());
    const api = createTabchainApi('test', Promise.resolve(node.services));
    expect(await api.chain.tip()).toMatchObject({ height: 0, hash: testParams.genesisHash });
    // The old chain is left where it was, not deleted.
    expect(existsSync(join(dataDir, 'test'))).toBe(true);
  });

  it('behavior: two headless nodes link over WebRTC, sync blocks and a payment, and keep their chain across a restart', async () => {
    const server = await signaling();
    const dirA = mkdtempSync(join(tmpdir(), 'tabchain-node-'));
    let a = await headless(server.signalUrl, dirA);
    const b = await headless(server.signalUrl);
    let apiA = createTabchainApi('regtest', Promise.resolve(a.services));
    const apiB = createTabchainApi('regtest', Promise.resolve(b.services));
    await until(async () => (await apiA.peers()).some((p) => p.state === 'ready'));

    await apiA.mine(6);
    const tip = await apiA.chain.tip();
    await until(async () => (await apiB.chain.tip()).hash === tip.hash);
    const to = await apiB.wallet.address();
    const { txid } = await apiA.send({ to, amount: '150000000', memo: 'headless' });
    await until(async () => (await apiB.mempool()).some((e) => (e as { txid: string }).txid === txid));
    await apiA.mine(1);
    await until(async () => (await apiB.wallet.balance()).confirmed === '150000000');

    // A restarts from its directory: same tip, same wallet, no replay.
    const address = await apiA.wallet.address();
    const tipBefore = await apiA.chain.tip();
    await a.close();
    a = await headless(server.signalUrl, dirA);
    apiA = createTabchainApi('regtest', Promise.resolve(a.services));
    expect(await apiA.chain.tip()).toEqual(tipBefore);
    expect(await apiA.wallet.address()).toBe(address);
    expect((await apiA.chain.verify()).ok).toBe(true);
  }, 60_000);
});
