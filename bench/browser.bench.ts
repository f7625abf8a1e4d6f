/**
 * The node in a real browser: the built app (dist/) served by `startStaticServer` and driven in
 * headless Chromium by Playwright, each case in a fresh browser context (its own IndexedDB).
 *
 * 1. Mining (browser-mining.ts): the page's miner with 1 and 2 Web Workers against native
 *    sha256d and the kernels in Node, in Chromium and stock Firefox where one starts.
 * 2. Import: 2,000 empty regtest blocks through `chain.submitBlocks` in batches of 200
 *    (decode, validation, one IndexedDB transaction over six stores per batch) against raw
 *    IndexedDB puts of the same bytes, 200 per readwrite transaction into one object store of a
 *    separate database, in the same page. Timed in the page with `performance.now()`; the hex
 *    is in the page before timing starts. The two alternate per batch (store first in even
 *    batches, raw first in odd ones); the ratio is the median of the per-batch ratios.
 * 3. Start-up: a reload of a page whose chain holds 10,000 blocks against a reload of an empty
 *    chain, from navigation start to `window.tabchain.ready()` resolving (an init script records
 *    `performance.now()` when it resolves), and to an interactive wallet (the balance shown and
 *    the send form's "Pay to" field enabled, seen at the first animation frame). Both are
 *    reloads (warm HTTP cache, service worker installed), so only the chain differs; a few
 *    reloads each, median. Then, on the same page, the address reads (browser-address.ts): an
 *    address page and the wallet's history from the address index.
 *
 * Test network blocks from `ChainBuilder` are 2 s apart from the genesis time. When the last one
 * would be more than the network's future limit ahead of now (a machine clock close to the
 * genesis date), an init script shifts the page's `Date.now()` (only that: the node's clock is
 * `Date.now()`, and `performance.now()` stays real) so that no block is too new. It prints so.
 *
 * Prints, never asserts speed; throws only when the set-up is wrong (a block not connected, a
 * chain of the wrong height after a reload, a miner with the wrong worker count).
 */
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { chromiumPath } from '../scripts/chromium.ts';
import { dist, ensureBuilt } from './built-app.ts';
import { startStaticServer } from '../signaling-server/static-files.ts';
import { bytesToHex, encodeAddress, encodeBlock, regtestParams } from '../src/core/index.ts';
import { ChainBuilder, testKey } from '../src/core/testing/chain-builder.ts';
import { formatNumber, formatRatio, isMain, median, pairedRatio, printTable } from './harness.ts';
import { fromRates, newContext, openNode, type BenchWindow, type Session, launchBenchChromium } from './browser-session.ts';
import { benchMining } from './browser-mining.ts';
import { benchAddressReads } from './browser-address.ts';

const IMPORT_BLOCKS = 2000;
const IMPORT_BATCH = 200;
const STARTUP_BLOCKS = 10_000;
const STARTUP_BATCH = 500;
const RELOADS = 5;
/** ChainBuilder's coinbases pay testKey(1); testKey(7) is never used. */
const BENCH_ADDRESSES = { used: encodeAddress(testKey(1).publicKey, regtestParams.addressPrefix), unused: encodeAddress(testKey(7).publicKey, regtestParams.addressPrefix) };

// ---------------------------------------------------------------------------------------------
// 2. Import

interface ImportResult {
  storeMs: number[];
  rawMs: number[];
  problems: string[];
  height: number;
}

async function benchImport(session: Session, hexes: readonly string[], hashes: readonly string[], dateOffsetMs: number): Promise<void> {
  const context = await newContext(session, dateOffsetMs);
  try {
    const page = await openNode(context, '/?network=regtest');
    await page.evaluate(
      (blocks) => ((window as unknown as BenchWindow).__benchBlocks = blocks),
      { hexes: hexes.slice(0, IMPORT_BLOCKS), hashes: hashes.slice(0, IMPORT_BLOCKS) },
    );
    const result: ImportResult = await page.evaluate(async (batch) => {
      const { hexes, hashes } = (window as unknown as BenchWindow).__benchBlocks!;
      // Decoded before timing: the raw case writes bytes, as the store's bodies are.
      const bytes = hexes.map((hex) => {
        const out = new Uint8Array(hex.length / 2);
        for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
        return out;
      });
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('bench-raw-puts', 1);
        request.onupgradeneeded = () => request.result.createObjectStore('bodies');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const storeMs: number[] = [];
      const rawMs: number[] = [];
      const problems: string[] = [];
      for (let from = 0, k = 0; from < hexes.length; from += batch, k++) {
        const to = Math.min(from + batch, hexes.length);
        for (const which of k % 2 === 0 ? ['store', 'raw'] : ['raw', 'store']) {
          if (which === 'store') {
            const t0 = performance.now();
            const outcomes = await window.tabchain.chain.submitBlocks(hexes.slice(from, to));
            storeMs.push(performance.now() - t0);
            for (const o of outcomes) if (o.status !== 'connected') problems.push(`${o.hash}: ${o.status} ${o.code ?? ''} ${o.message ?? ''}`);
          } else {
            const t0 = performance.now();
            await new Promise<void>((resolve, reject) => {
              const tx = db.transaction('bodies', 'readwrite');
              const store = tx.objectStore('bodies');
              for (let i = from; i < to; i++) store.put(bytes[i]!, hashes[i]!);
              tx.oncomplete = () => resolve();
              tx.onerror = () => reject(tx.error);
              tx.onabort = () => reject(tx.error);
            });
            rawMs.push(performance.now() - t0);
          }
        }
      }
      db.close();
      const height = (await window.tabchain.chain.tip()).height;
      return { storeMs, rawMs, problems: problems.slice(0, 5), height };
    }, IMPORT_BATCH);
    if (result.problems.length) throw new Error(`benchmark blocks were not connected: ${result.problems.join('; ')}`);
    if (result.height !== IMPORT_BLOCKS) throw new Error(`the chain reached height ${result.height}, not ${IMPORT_BLOCKS}`);

    const sizes = result.storeMs.map((_, i) => Math.min(IMPORT_BATCH, IMPORT_BLOCKS - i * IMPORT_BATCH));
    const total = (ms: number[]): number => ms.reduce((a, b) => a + b, 0);
    const store = fromRates(`submitBlocks, batches of ${IMPORT_BATCH}`, 'block', result.storeMs.map((ms, i) => (sizes[i]! / ms) * 1000), IMPORT_BLOCKS, total(result.storeMs));
    const raw = fromRates(`raw IndexedDB puts, ${IMPORT_BATCH} per tx`, 'block', result.rawMs.map((ms, i) => (sizes[i]! / ms) * 1000), IMPORT_BLOCKS, total(result.rawMs));
    const bytesPerBlock = hexes.slice(0, IMPORT_BLOCKS).reduce((a, h) => a + h.length / 2, 0) / IMPORT_BLOCKS;
    printTable(
      `browser import: ${IMPORT_BLOCKS} empty regtest blocks (${formatNumber(bytesPerBlock)} bytes each) into IndexedDB, Chromium`,
      [store, raw],
      [
        `submitBlocks / raw puts = ${formatRatio(pairedRatio(store, raw))}  (median of per-batch ratios; 1 would mean the node costs no more than storing the bytes)`,
        `overall: ${formatNumber((IMPORT_BLOCKS / total(result.storeMs)) * 1000)} vs ${formatNumber((IMPORT_BLOCKS / total(result.rawMs)) * 1000)} block/s; per batch of ${IMPORT_BATCH}: ${formatNumber(median(result.storeMs))} ms vs ${formatNumber(median(result.rawMs))} ms (medians)`,
      ],
      [
        'rounds are the batches: the chain grows from 0 to 2,000 blocks as they go; submitBlocks includes hex decoding, block decoding, validation and one write over index, bodies, undo, coins, txindex and meta',
        ...(dateOffsetMs > 0 ? [`the page's Date.now() runs ${formatNumber(dateOffsetMs / 1000)} s ahead so that no block is too new (see the module comment)`] : []),
      ],
    );
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Start-up

interface StartUp {
  /** ms from navigation start to ready() resolving (in the page). */
  readyMs: number;
  /** ms around page.reload() + ready() (in Node). */
  wallMs: number;
  /** ms from navigation start to DOMContentLoaded's end. */
  domMs: number;
  /** ms from navigation start to an interactive wallet: the balance shown and the send form's "Pay to" field enabled. */
  walletMs: number;
}

/**
 * In the page: performance.now() at the first animation frame where the wallet view shows its
 * confirmed balance and an enabled "Pay to" field (so up to one frame, ~16 ms, late).
 */
async function walletInteractiveAt(page: Page): Promise<number> {
  const handle = await page.waitForFunction(
    () => {
      const balance = document.querySelector('[data-testid="balance-confirmed"]');
      const label = [...document.querySelectorAll('label')].find((l) => l.textContent?.includes('Pay to'));
      const field = label?.control ?? (label?.htmlFor ? document.getElementById(label.htmlFor) : null);
      const ready = balance?.textContent?.trim() && field instanceof HTMLInputElement && !field.disabled;
      return ready ? performance.now() : false;
    },
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  return (await handle.jsonValue()) as number;
}

async function reloadTimed(page: Page, expectHeight: number): Promise<StartUp> {
  const t0 = performance.now();
  await page.reload();
  await page.evaluate(() => window.tabchain.ready());
  const wallMs = performance.now() - t0;
  const walletMs = await walletInteractiveAt(page);
  const got = await page.evaluate(async () => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return {
      readyAt: (window as unknown as BenchWindow).__benchReadyAt,
      domMs: nav?.domContentLoadedEventEnd ?? NaN,
      height: (await window.tabchain.chain.tip()).height,
      slot: (await window.tabchain.storage()).slot,
    };
  });
  if (got.readyAt === undefined) throw new Error('the ready() probe did not fire');
  if (got.height !== expectHeight || got.slot !== 0) throw new Error(`after the reload the node has slot ${got.slot} at height ${got.height}, not slot 0 at ${expectHeight}`);
  return { readyMs: got.readyAt, wallMs, domMs: got.domMs, walletMs };
}

async function firstLoad(page: Page): Promise<number> {
  const at = await page.evaluate(() => (window as unknown as BenchWindow).__benchReadyAt);
  if (at === undefined) throw new Error('the ready() probe did not fire');
  return at;
}

async function benchStartup(session: Session, hexes: readonly string[], dateOffsetMs: number): Promise<void> {
  const empty: StartUp[] = [];
  let emptyFirst: number;
  const emptyContext = await newContext(session, dateOffsetMs);
  try {
    const page = await openNode(emptyContext, '/?network=regtest');
    emptyFirst = await firstLoad(page);
    for (let i = 0; i < RELOADS; i++) empty.push(await reloadTimed(page, 0));
  } finally {
    await emptyContext.close();
  }

  const full: StartUp[] = [];
  let importMs = 0;
  let usage: number | null;
  const context = await newContext(session, dateOffsetMs);
  try {
    const page = await openNode(context, '/?network=regtest');
    for (let from = 0; from < STARTUP_BLOCKS; from += STARTUP_BATCH) {
      const { ms, bad } = await page.evaluate(async (batch) => {
        const t0 = performance.now();
        const outcomes = await window.tabchain.chain.submitBlocks(batch);
        const ms = performance.now() - t0;
        return { ms, bad: outcomes.filter((o) => o.status !== 'connected').map((o) => `${o.hash}: ${o.status} ${o.code ?? ''} ${o.message ?? ''}`) };
      }, hexes.slice(from, from + STARTUP_BATCH));
      if (bad.length) throw new Error(`benchmark blocks were not connected: ${bad.slice(0, 3).join('; ')}`);
      importMs += ms;
    }
    usage = (await page.evaluate(() => window.tabchain.storage())).usage;
    for (let i = 0; i < RELOADS; i++) full.push(await reloadTimed(page, STARTUP_BLOCKS));
    // After the last reload: the address reads (issue 15, part 5) on the same 10,000 blocks.
    await benchAddressReads(page, BENCH_ADDRESSES, STARTUP_BLOCKS);
  } finally {
    await context.close();
  }

  const med = (runs: StartUp[], key: keyof StartUp): number => median(runs.map((r) => r[key]));
  const list = (runs: StartUp[]): string => runs.map((r) => formatNumber(r.readyMs)).join(', ');
  const fullReady = med(full, 'readyMs');
  const emptyReady = med(empty, 'readyMs');
  console.log(`\n== browser start-up: reload to window.tabchain.ready(), ${STARTUP_BLOCKS.toLocaleString('en-US')} stored blocks vs an empty chain, Chromium`);
  console.log(`  ${STARTUP_BLOCKS.toLocaleString('en-US')} blocks: ready ${formatNumber(fullReady)} ms after navigation start (median of ${RELOADS} reloads: ${list(full)}); DOMContentLoaded ${formatNumber(med(full, 'domMs'))} ms; reload + ready() from Node ${formatNumber(med(full, 'wallMs'))} ms`);
  console.log(`  ${STARTUP_BLOCKS.toLocaleString('en-US')} blocks: interactive wallet (balance shown, "Pay to" enabled) ${formatNumber(med(full, 'walletMs'))} ms after navigation start (median; each up to one frame late)`);
  console.log(`  empty chain:   interactive wallet ${formatNumber(med(empty, 'walletMs'))} ms after navigation start (median)`);
  console.log(`  empty chain:   ready ${formatNumber(emptyReady)} ms after navigation start (median of ${RELOADS} reloads: ${list(empty)}); DOMContentLoaded ${formatNumber(med(empty, 'domMs'))} ms; reload + ready() from Node ${formatNumber(med(empty, 'wallMs'))} ms`);
  console.log('');
  console.log(`  ${STARTUP_BLOCKS.toLocaleString('en-US')} blocks / empty = ${formatRatio(fullReady / emptyReady)}  (ready times; ${formatNumber(fullReady - emptyReady)} ms more, ${formatNumber(((fullReady - emptyReady) / STARTUP_BLOCKS) * 1000)} µs per stored block)`);
  console.log(`  note: both are reloads (warm HTTP cache, service worker installed); a first visit of an empty chain took ${formatNumber(emptyFirst)} ms to ready`);
  console.log(`  note: filling the chain: ${STARTUP_BLOCKS.toLocaleString('en-US')} blocks in batches of ${STARTUP_BATCH} took ${formatNumber(importMs / 1000)} s in submitBlocks (${formatNumber((STARTUP_BLOCKS / importMs) * 1000)} block/s)${usage !== null ? `; origin storage then ${formatNumber(usage / 2 ** 20)} MiB` : ''}`);
}

// ---------------------------------------------------------------------------------------------

export async function run(): Promise<void> {
  const notes = ensureBuilt();
  const started = performance.now();
  const server = await startStaticServer({ root: dist, port: 0, host: '127.0.0.1' });
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closeServer = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  const executablePath = chromiumPath();
  const browser = await launchBenchChromium('browser benchmarks');
  if (!browser) {
    await closeServer();
    return;
  }
  try {
    console.log(`\nbrowser benchmarks: Chromium ${browser.version()}${executablePath ? ` (${executablePath})` : ''}, app from ${dist} on ${baseURL}`);
    for (const n of notes) console.log(`  note: ${n}`);
    const session: Session = { browser, baseURL };
    await benchMining(session);

    // Test network blocks, built and encoded once in Node (the import uses the first 2,000).
    // The chain ends a minute before now (so no block is too new for the page's real clock),
    // unless that would put block 1 before genesis.
    const count = Math.max(IMPORT_BLOCKS, STARTUP_BLOCKS);
    const firstBlockTime = Math.max(regtestParams.genesis.header.time + 1, Math.floor(Date.now() / 1000) - 60 - count * regtestParams.targetSpacing);
    const builder = new ChainBuilder(regtestParams, { firstBlockTime });
    const built = builder.extend(builder.genesis, count);
    const hexes = built.map((b) => bytesToHex(encodeBlock(b.block)));
    const hashes = built.map((b) => b.hash);
    // A minute of slack beyond the last block's time; zero once the real clock is past it.
    const dateOffsetMs = Math.max(0, (built[built.length - 1]!.block.header.time + 60) * 1000 - Date.now());
    await benchImport(session, hexes, hashes, dateOffsetMs);
    await benchStartup(session, hexes, dateOffsetMs);
  } finally {
    await browser.close();
    await closeServer();
  }
  console.log(`  (browser benchmarks: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

if (isMain(import.meta.url)) await run();
