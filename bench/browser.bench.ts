/**
 * The node in a real browser: the built app (dist/) served by `startStaticServer` and driven in
 * headless Chromium by Playwright, each case in a fresh browser context (its own IndexedDB).
 *
 * 1. Mining: `window.tabchain.miner` hash rate on the main network with 1 and 2 Web Workers
 *    (the pool's own sliding-window rate, sampled a few times, median), against node:crypto
 *    sha256d of an 80-byte header on one core of this machine, and against core's
 *    `searchNonces` (the code each worker runs) in Node. The same in stock Firefox (Debian's
 *    firefox-esr, driven over WebDriver BiDi by puppeteer-core), its runs interleaved with
 *    Chromium's, as a ratio to Chromium; skipped with a note where no Firefox starts.
 * 2. Import: 2,000 empty regtest blocks through `chain.submitBlocks` in batches of 200
 *    (decode, validation, one IndexedDB transaction over six stores per batch) against raw
 *    IndexedDB puts of the same bytes, 200 per readwrite transaction into one object store of a
 *    separate database, in the same page. Timed in the page with `performance.now()`; the hex
 *    is in the page before timing starts. The two alternate per batch (store first in even
 *    batches, raw first in odd ones); the ratio is the median of the per-batch ratios.
 * 3. Start-up: a reload of a page whose chain holds 10,000 blocks against a reload of an empty
 *    chain, from navigation start to `window.tabchain.ready()` resolving (an init script records
 *    `performance.now()` when it resolves), and to an interactive wallet (the balance shown and
 *    the send form's "Pay to" field enabled, seen at the first animation frame). Both are reloads (warm HTTP cache, service worker
 *    installed), so only the chain differs; a few reloads each, median.
 *
 * Test network blocks from `ChainBuilder` are 2 s apart from the genesis time. When the last one
 * would be more than the network's future limit ahead of now (a machine clock close to the
 * genesis date), an init script shifts the page's `Date.now()` (only that: the node's clock is
 * `Date.now()`, and `performance.now()` stays real) so that no block is too new. It prints so.
 *
 * Prints, never asserts speed; throws only when the set-up is wrong (a block not connected, a
 * chain of the wrong height after a reload, a miner with the wrong worker count).
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../scripts/chromium.ts';
import { firefoxPath, launchFirefox, type FirefoxBrowser } from '../scripts/firefox.ts';
import { dist, ensureBuilt } from './built-app.ts';
import { startStaticServer } from '../signaling-server/static-files.ts';
import { createSimdNonceSearch } from '../src/adapters/miner/simd-nonce-search.ts';
import { bytesEqual, bytesToHex, encodeBlock, encodeHeader, headerMidstate, mainParams, searchNonces, sha256d, regtestParams } from '../src/core/index.ts';
import { ChainBuilder } from '../src/core/testing/chain-builder.ts';
import { compare, consume, formatNumber, formatRatio, isMain, median, pairedRatio, printTable, type Measurement } from './harness.ts';


/** Mining: wait after start, then samples of `miner.status()` this far apart. */
/** Runs of each worker count, alternating. */
const MINER_ROUNDS = 2;
const MINER_WARMUP_MS = 4000;
const MINER_SAMPLES = 5;
const MINER_SAMPLE_EVERY_MS = 400;

const IMPORT_BLOCKS = 2000;
const IMPORT_BATCH = 200;
const STARTUP_BLOCKS = 10_000;
const STARTUP_BATCH = 500;
const RELOADS = 5;

/** Same flags as playwright.config.ts. */

interface BenchWindow {
  __benchReadyAt?: number;
  __benchBlocks?: { hexes: string[]; hashes: string[] };
}

/** The browser and where the app is served. */
interface Session {
  readonly browser: Browser;
  readonly baseURL: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));




function nodeSha256d(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(createHash('sha256').update(data).digest()).digest();
}

/**
 * Init scripts of every benchmark context. `__name` is a no-op stand-in for the helper tsx's
 * esbuild adds around named functions, in case one reaches a function run in the page.
 * `__benchReadyAt` is `performance.now()` (ms since navigation start) when `ready()` resolves.
 */
async function newContext(session: Session, dateOffsetMs = 0): Promise<BrowserContext> {
  const context = await session.browser.newContext({ baseURL: session.baseURL });
  await context.addInitScript({ content: 'globalThis.__name ??= (fn) => fn;' });
  if (dateOffsetMs > 0) {
    await context.addInitScript((offset: number) => {
      const realNow = Date.now.bind(Date);
      Date.now = () => realNow() + offset;
    }, dateOffsetMs);
  }
  await context.addInitScript(() => {
    let api: Window['tabchain'] | undefined;
    Object.defineProperty(window, 'tabchain', {
      configurable: true,
      enumerable: true,
      get: () => api,
      set: (value: Window['tabchain']) => {
        api = value;
        void value.ready().then(
          () => ((window as unknown as BenchWindow).__benchReadyAt = performance.now()),
          () => undefined,
        );
      },
    });
  });
  return context;
}

async function openNode(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`  page error: ${error.message}`));
  await page.goto(url);
  await page.evaluate(() => window.tabchain.ready());
  return page;
}

/** A measurement made of per-round (per-sample, per-batch) rates, for printTable and pairedRatio. */
function fromRates(name: string, unit: string, rates: readonly number[], ops: number, ms: number): Measurement {
  return {
    name,
    unit,
    ops,
    ms,
    opsPerSec: median(rates),
    minOpsPerSec: Math.min(...rates),
    maxOpsPerSec: Math.max(...rates),
    rounds: rates.length,
    roundRates: [...rates],
  };
}

// ---------------------------------------------------------------------------------------------
// 1. Mining

async function nativeHashing(): Promise<[Measurement, Measurement, Measurement]> {
  const header = encodeHeader(mainParams.genesis.header);
  const midstate = headerMidstate(header);
  if (!bytesEqual(sha256d(header), nodeSha256d(header))) throw new Error('core and node:crypto sha256d disagree');
  const h = header.slice();
  const view = new DataView(h.buffer);
  let nonce = 0;
  let start = 0;
  const BATCH = 4096;
  const NAIVE_BATCH = 256;
  const simdSearch = createSimdNonceSearch();
  let simdStart = 0;
  return (await compare(
    [
      {
        name: 'node:crypto sha256d, one core',
        unit: 'hash',
        opsPerCall: NAIVE_BATCH,
        fn: () => {
          for (let i = 0; i < NAIVE_BATCH; i++) {
            view.setUint32(76, nonce, true);
            nonce = (nonce + 1) >>> 0;
            consume(nodeSha256d(h));
          }
        },
      },
      {
        name: 'core searchNonces in Node, one core',
        unit: 'hash',
        opsPerCall: BATCH,
        fn: () => {
          consume(searchNonces(header, midstate, 1n, start, BATCH).hashes);
          start = start + BATCH > 0xffffffff - BATCH ? 0 : start + BATCH;
        },
      },
      {
        name: 'WASM SIMD kernel in Node, one core',
        unit: 'hash',
        opsPerCall: 4 * BATCH,
        fn: () => {
          consume(simdSearch(header, midstate, 1n, simdStart, 4 * BATCH).hashes);
          simdStart = simdStart + 4 * BATCH > 0xffffffff - 4 * BATCH ? 0 : simdStart + 4 * BATCH;
        },
      },
    ],
    { rounds: 8, roundMs: 200, warmupMs: 200 },
  )) as [Measurement, Measurement, Measurement];
}

interface MinerRun {
  /** `miner.status()` samples. */
  readonly rates: number[];
  readonly perWorker: number[][];
  readonly blocks: number;
  readonly ms: number;
}

/** A page of either driver (Playwright's Chromium, puppeteer's Firefox): runs a function in it. */
interface MinerPage {
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
}

/** Mines with `workers` workers for a while and samples the pool's hash rate. */
async function minerRun(page: MinerPage, workers: number): Promise<MinerRun> {
  const before = (await page.evaluate(() => window.tabchain.chain.tip())).height;
  await page.evaluate((n) => window.tabchain.miner.start({ workers: n }), workers);
  const t0 = performance.now();
  await sleep(MINER_WARMUP_MS);
  const rates: number[] = [];
  const perWorker: number[][] = [];
  for (let i = 0; i < MINER_SAMPLES; i++) {
    if (i) await sleep(MINER_SAMPLE_EVERY_MS);
    const status = await page.evaluate(() => window.tabchain.miner.status());
    if (!status.running || status.workers !== workers) throw new Error(`miner reports ${status.workers} workers (running: ${status.running}), not ${workers}`);
    rates.push(status.hashrate);
    perWorker.push(status.perWorker);
  }
  const ms = performance.now() - t0;
  await page.evaluate(() => window.tabchain.miner.stop());
  const after = (await page.evaluate(() => window.tabchain.chain.tip())).height;
  if (!(median(rates) > 0)) throw new Error(`the miner reports no hashes with ${workers} worker(s)`);
  return { rates, perWorker, blocks: after - before, ms };
}

/** One row of the table from several runs: each run is a round (its samples' median). */
function minerMeasurement(browser: string, workers: number, runs: readonly MinerRun[]): Measurement {
  const rounds = runs.map((r) => median(r.rates));
  const all = runs.flatMap((r) => r.rates);
  const ms = runs.reduce((a, r) => a + r.ms, 0);
  return {
    name: `${browser} miner, ${workers} worker${workers > 1 ? 's' : ''}`,
    unit: 'hash',
    ops: Math.round(runs.reduce((a, r) => a + median(r.rates) * (r.ms / 1000), 0)),
    ms,
    opsPerSec: median(rounds),
    minOpsPerSec: Math.min(...all),
    maxOpsPerSec: Math.max(...all),
    rounds: rounds.length,
    roundRates: rounds,
  };
}

/** Stock Firefox on the app's main network page, or why there is none. */
async function openFirefox(baseURL: string): Promise<{ browser: FirefoxBrowser; page: MinerPage; version: string } | { skipped: string }> {
  const executablePath = firefoxPath();
  if (!executablePath) return { skipped: 'no Firefox here (install Debian firefox-esr or set FIREFOX_PATH)' };
  let browser: FirefoxBrowser;
  try {
    browser = await launchFirefox(executablePath);
  } catch (error) {
    return { skipped: `Firefox did not start (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})` };
  }
  try {
    const page = await browser.newPage();
    await page.evaluateOnNewDocument('globalThis.__name ??= (fn) => fn;');
    // The static server has no /signal: Firefox reports each failed WebSocket attempt as a page
    // error (Chromium only logs it), which says nothing about mining.
    page.on('pageerror', (error) => {
      if (!/establish a connection to the server at wss?:/.test(String(error))) console.log(`  Firefox page error: ${String(error)}`);
    });
    await page.goto(`${baseURL}/?network=main`);
    await page.waitForFunction(() => typeof window.tabchain === 'object', { timeout: 60_000 });
    await page.evaluate(() => window.tabchain.ready());
    return { browser, page: page as unknown as MinerPage, version: `${await browser.version()} (${executablePath})` };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

async function benchMining(session: Session): Promise<void> {
  // Node first, while the browsers are idle, so nothing competes for the cores.
  const [native, nodeSearch, nodeSimd] = await nativeHashing();
  const context = await newContext(session);
  const firefox = await openFirefox(session.baseURL);
  try {
    const page = await openNode(context, '/?network=main');
    // The workers get the page's security headers, so what the page may compile, they may.
    const kernel = await page.evaluate(() => {
      const tiny = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, ...new Array<number>(16).fill(0), 11]);
      if (!WebAssembly.validate(tiny)) return 'scalar JS (no WebAssembly SIMD)';
      try {
        new WebAssembly.Module(tiny);
        return 'WASM SIMD';
      } catch (error) {
        return `scalar JS fallback (${String(error).slice(0, 160)})`;
      }
    });
    const browsers: { name: string; page: MinerPage; runs: Record<1 | 2, MinerRun[]> }[] = [{ name: 'Chromium', page, runs: { 1: [], 2: [] } }];
    if ('page' in firefox) browsers.push({ name: 'Firefox', page: firefox.page, runs: { 1: [], 2: [] } });
    // Mining pays the wallet's receive key, and the main network has no wallet until one is made.
    for (const b of browsers) {
      await b.page.evaluate(async () => {
        if (!(await window.tabchain.wallet.exists())) await window.tabchain.wallet.create('a benchmark wallet: mined coins only, never funded');
      });
    }
    // 1 2, 2 1, … and, for each count, Chromium then Firefox, then the other way round: a slow
    // patch of a shared machine hits both counts and both browsers alike. Only one mines at a time.
    for (let round = 0; round < MINER_ROUNDS; round++) {
      for (const workers of round % 2 === 0 ? ([1, 2] as const) : ([2, 1] as const)) {
        for (const b of round % 2 === 0 ? browsers : [...browsers].reverse()) b.runs[workers].push(await minerRun(b.page, workers));
      }
    }
    const [chromiumRuns, firefoxRuns] = [browsers[0]!.runs, browsers[1]?.runs];
    const one = minerMeasurement('Chromium', 1, chromiumRuns[1]);
    const two = minerMeasurement('Chromium', 2, chromiumRuns[2]);
    const ffOne = firefoxRuns && minerMeasurement('Firefox', 1, firefoxRuns[1]);
    const ffTwo = firefoxRuns && minerMeasurement('Firefox', 2, firefoxRuns[2]);
    const perWorker = [0, 1].map((w) => median(chromiumRuns[2].flatMap((r) => r.perWorker.map((p) => p[w] ?? 0))));
    const blocks = (runs: MinerRun[]): number => runs.reduce((a, r) => a + r.blocks, 0);
    printTable(
      `browser mining: hashes per second, Web Workers (main network) in Chromium${ffOne ? ' and Firefox' : ''} vs Node on one core`,
      [one, two, ...(ffOne && ffTwo ? [ffOne, ffTwo] : []), native, nodeSimd, nodeSearch],
      [
        `1 worker / node:crypto sha256d  = ${formatRatio(one.opsPerSec / native.opsPerSec)}  (Chromium, medians; above 1: a worker out-hashes native sha256d on one core)`,
        `1 worker / SIMD kernel in Node  = ${formatRatio(one.opsPerSec / nodeSimd.opsPerSec)}  (Chromium; the same code and engine when the worker runs the kernel: what the worker, the pool and the page cost)`,
        `1 worker / searchNonces in Node = ${formatRatio(one.opsPerSec / nodeSearch.opsPerSec)}  (Chromium; the same when the worker falls back to the scalar loop)`,
        `SIMD kernel / node:crypto, Node = ${formatRatio(pairedRatio(nodeSimd, native))}  (median of per-round ratios)`,
        `2 workers / 1 worker            = ${formatRatio(pairedRatio(two, one))}  (Chromium, median of per-round ratios; 2 is perfect scaling; per worker ${formatNumber(perWorker[0]!)} + ${formatNumber(perWorker[1]!)} hash/s)`,
        ...(ffOne && ffTwo
          ? [
              `Firefox / Chromium, 1 worker    = ${formatRatio(pairedRatio(ffOne, one))}  (median of per-round ratios; each round ran both back to back; below 1: Firefox hashes slower)`,
              `Firefox / Chromium, 2 workers   = ${formatRatio(pairedRatio(ffTwo, two))}`,
              `Firefox 2 workers / 1 worker    = ${formatRatio(pairedRatio(ffTwo, ffOne))}`,
            ]
          : []),
      ],
      [
        `Chromium's worker kernel here: ${kernel}`,
        `miner rows: ${MINER_ROUNDS} runs each, alternating (1 2, 2 1, …${browsers.length > 1 ? '; Chromium then Firefox, then the other way round' : ''}); a run's rate is the median of ${MINER_SAMPLES} miner.status() samples (the pool's 5 s sliding window) taken ${MINER_WARMUP_MS / 1000}–${(MINER_WARMUP_MS + (MINER_SAMPLES - 1) * MINER_SAMPLE_EVERY_MS) / 1000} s after start; min–max is over all samples`,
        ...browsers.map((b) => `blocks found meanwhile in ${b.name}: ${blocks(b.runs[1])} with 1 worker, ${blocks(b.runs[2])} with 2 (after each the workers idle until the node has stored it and set the next template)`),
        'page' in firefox ? `Firefox: ${firefox.version}, default settings, driven over WebDriver BiDi (puppeteer-core)` : `Firefox skipped: ${firefox.skipped}`,
        `Node rows: medians of 8 interleaved rounds of 200 ms, measured just before, with the browsers idle; load average ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min) after the miner runs`,
      ],
    );
  } finally {
    await context.close();
    if ('browser' in firefox) await firefox.browser.close();
  }
}

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
  let browser: Browser;
  try {
    browser = await chromium.launch({ headless: true, args: CHROMIUM_ARGS, ...(executablePath ? { executablePath } : {}) });
  } catch (error) {
    // No browser on this machine is not a wrong set-up of the benchmark: say so and go on.
    await closeServer();
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    console.log(`\n== browser benchmarks skipped: Chromium did not start (${message}). Set CHROMIUM_PATH, install Debian's chromium, or run npx playwright install chromium.`);
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
