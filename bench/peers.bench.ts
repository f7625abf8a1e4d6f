/**
 * Tabs as peers: the built app (dist/) served with signaling by `startServer` (one port: the app,
 * /health and /signal), driven in headless Chromium by Playwright. Every tab is its own browser
 * context (its own IndexedDB, so its own node) on regtest, finding the others through
 * the page's default same-origin /signal.
 *
 * 1. Sync throughput: tab A gets 3,000 regtest blocks through `chain.submitBlocks`; then a
 *    fresh tab B opens and syncs them from A over WebRTC (headers first, then bodies). Timed in
 *    B's page (`performance.now()`, from init-script probes on `window.tabchain.on`): from B's
 *    first `sync` event (A's headers are in, bodies are being asked for) to the `tip` event that
 *    reaches A's tip; also from navigation start and from the handshake (`peer-connected`). Gives
 *    blocks/s and bytes/s (encoded block sizes, without framing). Compared with a raw
 *    RTCDataChannel in the same browser: two RTCPeerConnections of ONE page (B's) connected to
 *    each other, 20 MiB in 16 KiB sends with the link's back-pressure (pause above 1 MiB
 *    buffered, resume on `bufferedamountlow` at 64 KiB): a same-page loopback, the channel's own
 *    ceiling on this machine, not a measurement between the two tabs.
 * 2. Block propagation: 6 tabs, each with at least one ready peer and all on one tip; 10 times,
 *    one tab (in turn) mines a block with `mine(1)`, and every tab records when its
 *    `block-connected` event for that hash fires (`performance.timeOrigin + performance.now()`,
 *    comparable across the pages of one browser). Time from the miner's own connect to the last
 *    tab's connect: median and max over the rounds.
 *
 * Test network blocks from `ChainBuilder` are 2 s apart; block 1 cannot be earlier than the
 * genesis time. When the last one would be too new for the real clock, an init script shifts
 * the pages' `Date.now()` (as in browser.bench.ts) and says so.
 *
 * Prints, never asserts speed; throws only when the set-up is wrong (A does not take the blocks,
 * the tabs find no peers).
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { chromiumPath } from '../scripts/chromium.ts';
import { dist, ensureBuilt } from './built-app.ts';
import { startServer } from '../signaling-server/server.ts';
import { bytesToHex, encodeBlock, regtestParams } from '../src/core/index.ts';
import { ChainBuilder } from '../src/core/testing/chain-builder.ts';
import { formatNumber, formatRatio, isMain, median } from './harness.ts';
import { baseContext, rawLoopback, launchBenchChromium } from './browser-session.ts';


const SYNC_BLOCKS = 3000;
const SUBMIT_BATCH = 500;
const SYNC_TIMEOUT_MS = 90_000;
const RAW_BYTES = 20 * 1024 * 1024;
const RAW_RUNS = 3;
const TABS = 6;
const ROUNDS = 10;
const PROPAGATION_TIMEOUT_MS = 20_000;

/** Same flags as playwright.config.ts. */

/** What the init script records in each page (epoch ms: `performance.timeOrigin + performance.now()`). */
interface Probe {
  readyAt?: number;
  peerConnectedAt?: number;
  firstSyncAt?: number;
  syncEvents: number;
  lastSync?: { done: number; total: number };
  lastTip?: { height: number; hash: string; at: number };
  /** Block hash → when `block-connected` fired for it. */
  connected: Record<string, number>;
}

interface BenchWindow {
  __peerBench: Probe;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));




/**
 * A fresh context (empty IndexedDB, browser-session.ts's baseContext) whose pages record, from
 * the moment `window.tabchain` is assigned, when ready() resolves and when the node's events fire.
 */
async function newContext(browser: Browser, baseURL: string, dateOffsetMs: number): Promise<BrowserContext> {
  const context = await baseContext(browser, baseURL, dateOffsetMs);
  await context.addInitScript(() => {
    const now = (): number => performance.timeOrigin + performance.now();
    const probe: Probe = { syncEvents: 0, connected: {} };
    (window as unknown as BenchWindow).__peerBench = probe;
    let api: Window['tabchain'] | undefined;
    Object.defineProperty(window, 'tabchain', {
      configurable: true,
      enumerable: true,
      get: () => api,
      set: (value: Window['tabchain']) => {
        api = value;
        value.on('peer-connected', () => (probe.peerConnectedAt ??= now()));
        value.on('sync', (p) => {
          probe.firstSyncAt ??= now();
          probe.syncEvents++;
          probe.lastSync = p as { done: number; total: number };
        });
        value.on('tip', (t) => {
          const { height, hash } = t as { height: number; hash: string };
          probe.lastTip = { height, hash, at: now() };
        });
        value.on('block-connected', (b) => {
          const { hash } = b as { hash: string };
          probe.connected[hash] ??= now();
        });
        void value.ready().then(
          () => (probe.readyAt = now()),
          () => undefined,
        );
      },
    });
  });
  return context;
}

async function openNode(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`  page error: ${error.message}`));
  await page.goto('/?network=regtest');
  await page.evaluate(() => window.tabchain.ready());
  return page;
}

const probe = (page: Page): Promise<Probe> => page.evaluate(() => (window as unknown as BenchWindow).__peerBench);
const tipOf = (page: Page) => page.evaluate(() => window.tabchain.chain.tip());
const readyPeers = (page: Page) => page.evaluate(async () => (await window.tabchain.peers()).filter((p) => p.state === 'ready').length);

// ---------------------------------------------------------------------------------------------
// 1. Sync throughput

async function benchSync(browser: Browser, baseURL: string, notes: string[]): Promise<void> {
  // Block 1 no earlier than the genesis time; the chain ends two minutes before now when it can.
  const firstBlockTime = Math.max(regtestParams.genesis.header.time + 1, Math.floor(Date.now() / 1000) - SYNC_BLOCKS * regtestParams.targetSpacing - 120);
  const builder = new ChainBuilder(regtestParams, { firstBlockTime });
  const built = builder.extend(builder.genesis, SYNC_BLOCKS);
  const hexes = built.map((b) => bytesToHex(encodeBlock(b.block)));
  const totalBytes = hexes.reduce((n, h) => n + h.length / 2, 0);
  const lastHash = built[built.length - 1]!.hash;
  // A minute of slack beyond the last block's time; zero once the real clock is past it.
  const dateOffsetMs = Math.max(0, (built[built.length - 1]!.block.header.time + 60) * 1000 - Date.now());

  const contextA = await newContext(browser, baseURL, dateOffsetMs);
  let contextB: BrowserContext | undefined;
  try {
    const a = await openNode(contextA);
    let submitMs = 0;
    for (let from = 0; from < hexes.length; from += SUBMIT_BATCH) {
      const { ms, bad } = await a.evaluate(async (batch) => {
        const t0 = performance.now();
        const outcomes = await window.tabchain.chain.submitBlocks(batch);
        return { ms: performance.now() - t0, bad: outcomes.filter((o) => o.status !== 'connected').map((o) => `${o.hash}: ${o.status} ${o.code ?? ''} ${o.message ?? ''}`) };
      }, hexes.slice(from, from + SUBMIT_BATCH));
      if (bad.length) throw new Error(`benchmark blocks were not connected: ${bad.slice(0, 3).join('; ')}`);
      submitMs += ms;
    }
    const tipA = await tipOf(a);
    if (tipA.hash !== lastHash) throw new Error(`tab A is at ${tipA.height} ${tipA.hash}, not at the last benchmark block`);

    contextB = await newContext(browser, baseURL, dateOffsetMs);
    const wallStart = performance.now();
    const b = await openNode(contextB);
    let reached = false;
    while (performance.now() - wallStart < SYNC_TIMEOUT_MS) {
      if ((await tipOf(b)).hash === lastHash) {
        reached = true;
        break;
      }
      await sleep(100);
    }
    const wallMs = performance.now() - wallStart;
    const p = await probe(b);
    const origin = await b.evaluate(() => performance.timeOrigin);

    console.log(`\n== peers sync: a fresh tab B syncs ${SYNC_BLOCKS.toLocaleString('en-US')} regtest blocks (${formatNumber(totalBytes / 2 ** 20)} MiB encoded, ${formatNumber(totalBytes / SYNC_BLOCKS)} bytes each) from one peer A, Chromium`);
    if (!reached || !p.lastTip || p.firstSyncAt === undefined) {
      const height = (await tipOf(b)).height;
      console.log(`  B did not reach A's tip within ${SYNC_TIMEOUT_MS / 1000} s: it is at height ${height}; sync events: ${p.syncEvents}, last ${JSON.stringify(p.lastSync ?? null)}`);
    } else {
      const tipAt = p.lastTip.at;
      const fromSync = tipAt - p.firstSyncAt;
      const fromHandshake = tipAt - (p.peerConnectedAt ?? p.firstSyncAt);
      const fromLoad = tipAt - origin;
      const blocksPerSec = (SYNC_BLOCKS / fromSync) * 1000;
      const bytesPerSec = (totalBytes / fromSync) * 1000;
      console.log(`  first sync event → tip:  ${formatNumber(fromSync)} ms  = ${formatNumber(blocksPerSec)} block/s, ${formatNumber(bytesPerSec / 2 ** 20)} MiB/s of blocks`);
      console.log(`  handshake done → tip:    ${formatNumber(fromHandshake)} ms  = ${formatNumber((SYNC_BLOCKS / fromHandshake) * 1000)} block/s (includes the first headers round trip)`);
      console.log(`  B's page load → tip:     ${formatNumber(fromLoad)} ms  (navigation start; includes start-up, signaling and WebRTC set-up: ready at ${formatNumber((p.readyAt ?? NaN) - origin)} ms, handshake at ${formatNumber((p.peerConnectedAt ?? NaN) - origin)} ms, first sync event at ${formatNumber(p.firstSyncAt - origin)} ms)`);
      console.log(`  A's own import of the same blocks: submitBlocks in batches of ${SUBMIT_BATCH}: ${formatNumber(submitMs)} ms = ${formatNumber((SYNC_BLOCKS / submitMs) * 1000)} block/s`);

      const raws: number[] = [];
      for (let i = 0; i < RAW_RUNS; i++) raws.push((RAW_BYTES / (await rawLoopback(b, RAW_BYTES)).ms) * 1000);
      const raw = median(raws);
      console.log(`  raw data channel (same-page loopback in B: two RTCPeerConnections of one page, ${RAW_BYTES / 2 ** 20} MiB in 16 KiB sends, pause above 1 MiB buffered): ${formatNumber(raw / 2 ** 20)} MiB/s (median of ${RAW_RUNS}: ${raws.map((r) => formatNumber(r / 2 ** 20)).join(', ')})`);
      console.log('');
      console.log(`  sync bytes/s / raw channel bytes/s = ${formatRatio(bytesPerSec / raw)}  (how much of the channel's loopback ceiling the sync uses; small blocks make sync bound by per-block work, not bandwidth)`);
      console.log(`  sync / A's submitBlocks import      = ${formatRatio(blocksPerSec / ((SYNC_BLOCKS / submitMs) * 1000))}  (blocks/s; 1 would mean the network adds nothing to storing and validating)`);
      console.log(`  note: ${p.syncEvents} sync events; wall time from Node (B's page load to its tip seen by polling every 100 ms): ${formatNumber(wallMs)} ms`);
    }
    if (dateOffsetMs > 0) console.log(`  note: the pages' Date.now() runs ${formatNumber(dateOffsetMs / 1000)} s ahead so that no block is too new (see the module comment)`);
    for (const n of notes) console.log(`  note: ${n}`);
  } finally {
    await contextB?.close();
    await contextA.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Block propagation

async function until(what: string, timeoutMs: number, condition: () => Promise<boolean>): Promise<void> {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function benchPropagation(browser: Browser, baseURL: string): Promise<void> {
  const contexts: BrowserContext[] = [];
  try {
    const pages: Page[] = [];
    for (let i = 0; i < TABS; i++) {
      const context = await newContext(browser, baseURL, 0);
      contexts.push(context);
      pages.push(await openNode(context));
    }
    await until(`each of ${TABS} tabs to have a ready peer`, 60_000, async () => (await Promise.all(pages.map(readyPeers))).every((n) => n >= 1));
    // A full mesh is TABS − 1 links each; give it a few seconds, but go on with what there is.
    await until('a full mesh', 10_000, async () => (await Promise.all(pages.map(readyPeers))).every((n) => n >= TABS - 1)).catch(() => undefined);
    const degrees = await Promise.all(pages.map(readyPeers));
    const tips = await Promise.all(pages.map(tipOf));
    if (new Set(tips.map((t) => t.hash)).size !== 1) throw new Error(`the tabs start on different tips: ${tips.map((t) => t.height).join(', ')}`);

    const allMs: number[] = [];
    const hopMs: number[] = [];
    const lines: string[] = [];
    let missing = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const minerIndex = round % TABS;
      const [hash] = await pages[minerIndex]!.evaluate(() => window.tabchain.mine(1));
      if (!hash) throw new Error('mine(1) returned no block');
      let times: (number | undefined)[] = [];
      const started = performance.now();
      while (performance.now() - started < PROPAGATION_TIMEOUT_MS) {
        times = await Promise.all(pages.map((page) => page.evaluate((h) => (window as unknown as BenchWindow).__peerBench.connected[h], hash)));
        if (times.every((t) => t !== undefined)) break;
        await sleep(50);
      }
      const found = times[minerIndex];
      if (found === undefined) throw new Error(`the miner's block-connected event for ${hash} did not fire`);
      const delays = times.map((t, i) => (i === minerIndex || t === undefined ? undefined : t - found));
      const got = delays.filter((d): d is number => d !== undefined);
      hopMs.push(...got);
      const late = delays.filter((d, i) => i !== minerIndex && d === undefined).length;
      missing += late;
      const all = late ? Infinity : Math.max(...got);
      if (!late) allMs.push(all);
      lines.push(`round ${String(round + 1).padStart(2)}: tab ${minerIndex + 1} mined ${hash.slice(0, 12)}…, everywhere after ${late ? `— (${late} tabs missed it in ${PROPAGATION_TIMEOUT_MS / 1000} s)` : `${formatNumber(all)} ms`}; per tab ${delays.map((d, i) => (i === minerIndex ? 'miner' : d === undefined ? '—' : formatNumber(d))).join(' / ')}`);
    }

    console.log(`\n== peers propagation: ${TABS} tabs, one mines a block (mine(1), tabs in turn), time from its block-connected to every tab's block-connected, Chromium`);
    console.log(`  ready links per tab at the start: ${degrees.join(', ')} (a full mesh is ${TABS - 1})`);
    for (const line of lines) console.log(`  ${line}`);
    console.log('');
    if (allMs.length) {
      console.log(`  found → connected everywhere: median ${formatNumber(median(allMs))} ms, max ${formatNumber(Math.max(...allMs))} ms  (over ${allMs.length} rounds)`);
    }
    if (hopMs.length) console.log(`  found → connected in one tab:  median ${formatNumber(median(hopMs))} ms, max ${formatNumber(Math.max(...hopMs))} ms  (${hopMs.length} tab-rounds)`);
    if (missing) console.log(`  note: ${missing} tab-rounds never saw the block within ${PROPAGATION_TIMEOUT_MS / 1000} s (left out above)`);
    console.log('  note: times are performance.timeOrigin + performance.now() in each page (one browser, one clock); a block crosses inv → getheaders → headers → getdata → block, then validation and an IndexedDB write');
  } finally {
    for (const context of contexts) await context.close();
  }
}

// ---------------------------------------------------------------------------------------------

export async function run(): Promise<void> {
  const notes = ensureBuilt();
  const started = performance.now();
  const server = await startServer({ port: 0, host: '127.0.0.1', dist, signaling: { logger: null } });
  const baseURL = `http://127.0.0.1:${server.port}`;
  const executablePath = chromiumPath();
  const browser = await launchBenchChromium('peers benchmarks');
  if (!browser) {
    await server.close();
    return;
  }
  try {
    console.log(`\npeers benchmarks: Chromium ${browser.version()}${executablePath ? ` (${executablePath})` : ''}, app and signaling from ${dist} on ${baseURL}`);
    await benchSync(browser, baseURL, notes);
    await benchPropagation(browser, baseURL);
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`  (peers benchmarks: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

if (isMain(import.meta.url)) await run();
