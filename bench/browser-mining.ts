/**
 * @module The browser benchmarks' first part, mining (run by browser.bench.ts): the page's
 * `window.tabchain.miner` hash rate on the main network with 1 and 2 Web Workers (the pool's own
 * sliding-window rate, sampled a few times, median), against native sha256d (OpenSSL's SHA-NI
 * rate for a header's 192 bytes, and node:crypto) on one core of this machine, and against the
 * kernels each worker can run (the WebAssembly SIMD kernel and core's scalar `searchNonces`) in
 * Node; the same in stock Firefox where one starts, its runs interleaved with Chromium's.
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { chromium } from '@playwright/test';
import { WEBGPU_ARGS, chromiumPath } from '../scripts/chromium.ts';
import { firefoxPath, launchFirefox, type FirefoxBrowser } from '../scripts/firefox.ts';
import { createSimdNonceSearch } from '../src/adapters/miner/simd-nonce-search.ts';
import { bytesEqual, encodeHeader, headerMidstate, mainParams, searchNonces, sha256d } from '../src/core/index.ts';
import { compare, consume, formatNumber, formatRatio, median, pairedRatio, printTable, type Measurement } from './harness.ts';
import { baseContext, newContext, openNode, sleep, type Session } from './browser-session.ts';

const MINER_ROUNDS = 2;
const MINER_WARMUP_MS = 4000;
const MINER_SAMPLES = 5;
const MINER_SAMPLE_EVERY_MS = 400;

function nodeSha256d(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(createHash('sha256').update(data).digest()).digest();
}

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

/**
 * One worker on the GPU (`miner.start({ workers: 1, gpu: true })`) in a Chromium of its own with
 * WebGPU on (SwiftShader's software adapter where there is no GPU), or why there is no row: the
 * worker found no adapter and hashed on the CPU.
 */
async function gpuMinerRuns(baseURL: string): Promise<{ measurement: Measurement; adapter: string } | { skipped: string }> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: WEBGPU_ARGS });
  try {
    const context = await baseContext(browser, baseURL);
    const page = await openNode(context, '/?network=main');
    const adapter = await page.evaluate(async () => {
      const found = await navigator.gpu?.requestAdapter();
      return found ? `${found.info.vendor} ${found.info.architecture}` : undefined;
    });
    if (!adapter) return { skipped: 'no WebGPU adapter in this Chromium, even with --enable-unsafe-webgpu --use-webgpu-adapter=swiftshader' };
    await page.evaluate(async () => {
      if (!(await window.tabchain.wallet.exists())) await window.tabchain.wallet.create('a benchmark wallet: mined coins only, never funded');
      await window.tabchain.miner.start({ workers: 1, gpu: true });
      await window.tabchain.miner.stop();
    });
    const runs: MinerRun[] = [];
    for (let round = 0; round < MINER_ROUNDS; round++) runs.push(await minerRun(page, 1));
    const kernel = (await page.evaluate(() => window.tabchain.miner.status())).kernel;
    await page.evaluate(() => window.tabchain.miner.start({ workers: 1, gpu: true }));
    await sleep(1000);
    const running = (await page.evaluate(() => window.tabchain.miner.status())).kernel;
    await page.evaluate(() => window.tabchain.miner.stop());
    if (running !== 'webgpu') return { skipped: `the worker hashed with ${running ?? kernel ?? 'an unknown kernel'}, not on the GPU (${adapter})` };
    return { measurement: { ...minerMeasurement('Chromium', 1, runs), name: `Chromium miner, 1 worker on the GPU (WebGPU, ${adapter})` }, adapter };
  } finally {
    await browser.close();
  }
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

export async function benchMining(session: Session): Promise<void> {
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
    const gpu = await gpuMinerRuns(session.baseURL);
    const blocks = (runs: MinerRun[]): number => runs.reduce((a, r) => a + r.blocks, 0);
    printTable(
      `browser mining: hashes per second, Web Workers (main network) in Chromium${ffOne ? ' and Firefox' : ''} vs Node on one core`,
      [one, two, ...(ffOne && ffTwo ? [ffOne, ffTwo] : []), ...('measurement' in gpu ? [gpu.measurement] : []), native, nodeSimd, nodeSearch],
      [
        `1 worker / node:crypto sha256d  = ${formatRatio(one.opsPerSec / native.opsPerSec)}  (Chromium, medians; above 1: a worker out-hashes native sha256d on one core)`,
        `1 worker / SIMD kernel in Node  = ${formatRatio(one.opsPerSec / nodeSimd.opsPerSec)}  (Chromium; the same code and engine when the worker runs the kernel: what the worker, the pool and the page cost)`,
        `1 worker / searchNonces in Node = ${formatRatio(one.opsPerSec / nodeSearch.opsPerSec)}  (Chromium; the same when the worker falls back to the scalar loop)`,
        `SIMD kernel / node:crypto, Node = ${formatRatio(pairedRatio(nodeSimd, native))}  (median of per-round ratios)`,
        ...('measurement' in gpu ? [`1 GPU worker / 1 worker         = ${formatRatio(gpu.measurement.opsPerSec / one.opsPerSec)}  (Chromium; ${gpu.adapter}: a software adapter is the CPU again, a real GPU many times it)`] : []),
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
        'skipped' in gpu ? `GPU row skipped: ${gpu.skipped}` : `GPU row: its own Chromium with ${WEBGPU_ARGS.slice(-2).join(' ')}, miner.start({ workers: 1, gpu: true }), sampled as the rows above`,
        'page' in firefox ? `Firefox: ${firefox.version}, default settings, driven over WebDriver BiDi (puppeteer-core)` : `Firefox skipped: ${firefox.skipped}`,
        `Node rows: medians of 8 interleaved rounds of 200 ms, measured just before, with the browsers idle; load average ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min) after the miner runs`,
      ],
    );
  } finally {
    await context.close();
    if ('browser' in firefox) await firefox.browser.close();
  }
}

