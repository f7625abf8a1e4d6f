/**
 * Issue 6: "kill -9 during sync, restart: the node resumes from its stored tip". A node process
 * (`npm run node`) syncs a few thousand blocks from an in-process peer; it is killed with SIGKILL
 * half way, started again on the same data directory, and must come back at least at the last
 * height it reported (every write it acknowledged is on disk), finish the sync, and hold a coin
 * set that matches a rebuild from its stored blocks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToHex, encodeBlock, regtestParams } from '../core/index.ts';
import { ChainBuilder } from '../core/testing/chain-builder.ts';
import { startServer } from '../../signaling-server/server.ts';
import { createTabchainApi } from '../app/tabchain-api.ts';
import { startHeadlessNode, type HeadlessNode } from './start-headless-node.ts';

const root = resolve(import.meta.dirname, '../..');
const BLOCKS = 3000;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
}, 30_000);

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

function startNodeProcess(port: number, dataDir: string, signal: string): { child: ChildProcess; output: () => string; exited: Promise<unknown> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/headless/cli.ts', '--network', 'regtest', '--port', String(port), '--data', dataDir, '--signal', signal, '--workers', '1'], {
    cwd: root,
    env: { ...process.env, TABCHAIN_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, output: () => output, exited };
}

async function height(port: number): Promise<number | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    if (!res.ok) return null;
    return ((await res.json()) as { height: number }).height;
  } catch {
    return null;
  }
}

async function until<T>(what: string, fn: () => Promise<T | null | false>, timeoutMs = 60_000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== null && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe('headless node: crash safety', () => {
  it('behavior: killed with SIGKILL during a sync, it restarts at or above the last height it reported and finishes the sync', async () => {
    const server = await startServer({ port: 0, host: '127.0.0.1', signaling: { logger: null, allowMissingOrigin: true } });
    cleanups.push(() => server.close());

    // The peer it syncs from: an in-process node holding BLOCKS blocks (times a minute behind now).
    const firstBlockTime = Math.floor(Date.now() / 1000) - 60 - BLOCKS * regtestParams.targetSpacing;
    const builder = new ChainBuilder(regtestParams, { firstBlockTime });
    const hexes = builder.extend(builder.genesis, BLOCKS).map((b) => bytesToHex(encodeBlock(b.block)));
    const sourceDir = mkdtempSync(join(tmpdir(), 'tabchain-crash-src-'));
    cleanups.push(() => rmSync(sourceDir, { recursive: true, force: true }));
    const source: HeadlessNode = await startHeadlessNode({ network: 'regtest', dataDir: sourceDir, signalingUrl: server.signalUrl, workers: 1 });
    cleanups.push(() => source.close());
    const sourceApi = createTabchainApi('regtest', Promise.resolve(source.services));
    for (let i = 0; i < hexes.length; i += 500) {
      const outcomes = await sourceApi.chain.submitBlocks(hexes.slice(i, i + 500));
      expect(outcomes.every((o) => o.status === 'connected')).toBe(true);
    }
    const target = await sourceApi.chain.tip();
    expect(target.height).toBe(BLOCKS);

    const dataDir = mkdtempSync(join(tmpdir(), 'tabchain-crash-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const first = startNodeProcess(port, dataDir, server.signalUrl);
    // Kill it once it is well into the sync, but not done.
    const reported = await until('the sync to get going', async () => {
      const h = await height(port);
      return h !== null && h >= 300 ? h : null;
    });
    first.child.kill('SIGKILL');
    await first.exited;
    expect(reported).toBeLessThan(BLOCKS);

    const second = startNodeProcess(port, dataDir, server.signalUrl);
    const restarted = await until('the restarted node', () => height(port));
    expect(restarted).toBeGreaterThanOrEqual(reported);
    await until('the sync to finish', async () => (await height(port)) === BLOCKS, 60_000, 100);
    const tip = (await (await fetch(`http://127.0.0.1:${port}/blocks/${BLOCKS}`)).json()) as { hash: string };
    expect(tip.hash).toBe(target.hash);
    second.child.kill('SIGTERM');
    await second.exited;

    // The stored coin set matches a rebuild from the stored blocks.
    const reopened = await startHeadlessNode({ network: 'regtest', dataDir, signalingUrl: 'ws://127.0.0.1:9/none', workers: 1 });
    try {
      const check = await createTabchainApi('regtest', Promise.resolve(reopened.services)).chain.verify();
      expect(check.problems).toEqual([]);
      expect(check).toMatchObject({ ok: true, height: BLOCKS });
    } finally {
      await reopened.close();
    }
  }, 120_000);
});
