/**
 * The WebGPU miner's shader (src/adapters/miner/sha256d-wgsl-kernel.ts) in real Chromium, on its
 * software adapter (SwiftShader through Vulkan): random headers, ranges and targets, each answer
 * equal to core's `searchNonces` and, for short ranges, to @noble/hashes' sha256d by brute force.
 * The suite's browser is started with --disable-gpu (no adapter), so this spec starts its own with
 * WebGPU on. Where no adapter comes even so, the tests skip and say why.
 *
 * The module is bundled for the page with esbuild (Vite's own); the page is a blank one served
 * at http://localhost (WebGPU needs a secure context), not the app.
 */
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { nobleHashNumber } from '../../src/core/testing/noble-hash-number.ts';
import { build } from 'esbuild';
import { WEBGPU_ARGS, chromiumPath } from '../../scripts/chromium.ts';
import { headerMidstate, searchNonces } from '../../src/core/mining/sha256-midstate.ts';
import type { AsyncNonceSearch, createWebGpuNonceSearch } from '../../src/adapters/miner/webgpu-nonce-search.ts';

test.describe.configure({ mode: 'serial', timeout: 120_000 });

let browser: Browser;
let page: Page;
/** Why the tests skip, when they do. */
let unavailable: string | undefined;


/** A seeded generator (mulberry32): the cases are the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

test.beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath(), args: WEBGPU_ARGS });
  page = await browser.newPage();
  await page.route('http://localhost/**', (route) => route.fulfill({ body: '<!doctype html><title>webgpu</title>', contentType: 'text/html' }));
  await page.goto('http://localhost/');
  const bundle = await build({
    stdin: {
      contents: "export { createWebGpuNonceSearch } from './src/adapters/miner/webgpu-nonce-search.ts'; export { headerMidstate } from './src/core/mining/sha256-midstate.ts';",
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'gpuMiner',
    write: false,
  });
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  unavailable = await page.evaluate(async () => {
    const made = await (window as never as GpuWindow).gpuMiner.createWebGpuNonceSearch();
    if ('unavailable' in made) return made.unavailable;
    (window as never as GpuWindow).gpuSearch = made.search;
    return undefined;
  });
});

test.afterAll(async () => {
  await browser?.close();
});

/** What the bundle and beforeAll put on the page's window. */
interface GpuWindow {
  gpuMiner: { createWebGpuNonceSearch: typeof createWebGpuNonceSearch; headerMidstate: typeof headerMidstate };
  gpuSearch: AsyncNonceSearch;
}

interface Case {
  readonly header: number[];
  readonly target: string;
  readonly start: number;
  readonly count: number;
}

/** Runs the GPU search in the page on each case. */
function onGpu(cases: readonly Case[]): Promise<{ nonce: number | undefined; hashes: number }[]> {
  return page.evaluate(async (list) => {
    const w = window as never as GpuWindow;
    const results = [];
    for (const c of list) {
      const header = Uint8Array.from(c.header);
      const r = await w.gpuSearch(header, w.gpuMiner.headerMidstate(header), BigInt(c.target), c.start, c.count);
      results.push({ nonce: r.nonce, hashes: r.hashes });
    }
    return results;
  }, cases);
}

test('behavior: the WGSL kernel equals @noble/hashes\' sha256d and core\'s searchNonces on random headers, ranges and targets', async () => {
  test.skip(unavailable !== undefined, `no WebGPU adapter in this Chromium: ${unavailable}`);
  const next = random(15);
  const byte = () => Math.floor(next() * 256);
  const cases: Case[] = [];
  for (let i = 0; i < 24; i++) {
    const header = Array.from({ length: 80 }, byte);
    const count = Math.floor(next() * 3000);
    const start = Math.min(Math.floor(next() * 2 ** 32), 2 ** 32 - count);
    // A random target, an easy one (a few bits), a hard one (few or no hits), one with a random top word.
    const kinds = [
      () => BigInt(Math.floor(next() * 2 ** 32)) << 224n | BigInt(Math.floor(next() * 2 ** 32)),
      () => (1n << BigInt(256 - Math.floor(next() * 6))) - 1n,
      () => (1n << BigInt(244 - Math.floor(next() * 4))) - 1n,
      () => BigInt(Math.floor(next() * 2 ** 20)) << 224n,
    ];
    cases.push({ header, start, count, target: kinds[i % kinds.length]!().toString() });
  }
  // Ranges at the very end of the nonce space and empty ones.
  cases.push({ header: Array.from({ length: 80 }, byte), start: 2 ** 32 - 1, count: 1, target: ((1n << 256n) - 1n).toString() });
  cases.push({ header: Array.from({ length: 80 }, byte), start: 2 ** 32 - 2000, count: 2000, target: ((1n << 246n) - 1n).toString() });
  cases.push({ header: Array.from({ length: 80 }, byte), start: 123, count: 0, target: '1' });

  const gpu = await onGpu(cases);
  cases.forEach((c, i) => {
    const header = Uint8Array.from(c.header);
    const target = BigInt(c.target);
    const core = searchNonces(header, headerMidstate(header), target, c.start, c.count);
    expect(gpu[i], `case ${i}`).toEqual(core);
    let brute: { nonce: number | undefined; hashes: number } = { nonce: undefined, hashes: c.count };
    for (let k = 0; k < c.count; k++) {
      if (nobleHashNumber(header, c.start + k) <= target) {
        brute = { nonce: c.start + k, hashes: k + 1 };
        break;
      }
    }
    expect(gpu[i], `case ${i} by brute force`).toEqual(brute);
  });
});

test('behavior: long ranges at a real-looking target (one hash in 2^14 meets it) agree with core, found or not, over several dispatches', async () => {
  test.skip(unavailable !== undefined, `no WebGPU adapter in this Chromium: ${unavailable}`);
  const next = random(1515);
  const cases: Case[] = [];
  for (let i = 0; i < 6; i++) {
    const header = Array.from({ length: 80 }, () => Math.floor(next() * 256));
    const count = 50_000 + Math.floor(next() * 100_000);
    cases.push({ header, start: Math.floor(next() * (2 ** 32 - count)), count, target: ((1n << 242n) - 1n).toString() });
  }
  // A hard target (top word 0): nothing is found in a range of several dispatches.
  cases.push({ header: Array.from({ length: 80 }, () => Math.floor(next() * 256)), start: 7, count: 2 ** 21 + 5, target: ((1n << 200n) - 1n).toString() });
  const gpu = await onGpu(cases);
  cases.forEach((c, i) => {
    const header = Uint8Array.from(c.header);
    expect(gpu[i], `case ${i}`).toEqual(searchNonces(header, headerMidstate(header), BigInt(c.target), c.start, c.count));
  });
});

test('behavior: in the app, "Use the GPU (WebGPU)" has the mining worker search on the adapter, and it finds blocks', async ({ baseURL }) => {
  test.skip(unavailable !== undefined, `no WebGPU adapter in this Chromium: ${unavailable}`);
  const context = await browser.newContext({ baseURL: baseURL! });
  try {
    const app = await context.newPage();
    const errors: string[] = [];
    app.on('pageerror', (e) => errors.push(e.message));
    await app.goto('/?network=regtest');
    await app.getByRole('navigation').getByRole('link', { name: 'Mining' }).click();
    await app.evaluate(() => window.tabchain.ready());
    const card = app.getByRole('region', { name: 'Mining' });
    await card.getByRole('checkbox', { name: 'Use the GPU (WebGPU)' }).check();
    await card.getByLabel('Workers').fill('1');
    await card.getByRole('button', { name: 'Start mining' }).click();
    await expect(card.getByTestId('miner-kernel')).toHaveText('Hashing on the GPU with WebGPU (the first worker), the other workers on the CPU', { timeout: 20_000 });
    expect(await app.evaluate(() => window.tabchain.miner.status())).toMatchObject({ gpu: true, kernel: 'webgpu', workers: 1 });
    await expect(card.getByTestId('blocks-found')).toHaveText(/Blocks found by this tab: [1-9]\d*/, { timeout: 30_000 });
    await card.getByRole('button', { name: 'Stop mining' }).click();
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
