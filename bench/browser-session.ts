/**
 * @module What the browser benchmarks share (not a benchmark): the session (a browser and where
 * the app is served), a benchmark context with its init scripts, a page opened to a ready node,
 * and a measurement made of per-round rates.
 */
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../scripts/chromium.ts';
import { median, type Measurement } from './harness.ts';

export interface BenchWindow {
  __benchReadyAt?: number;
  __benchBlocks?: { hexes: string[]; hashes: string[] };
}

/** The browser and where the app is served. */
export interface Session {
  readonly browser: Browser;
  readonly baseURL: string;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A fresh context (its own IndexedDB) with what every benchmark page needs first: `__name`, a
 * no-op stand-in for the helper tsx's esbuild adds around named functions (in case one reaches a
 * function run in the page), and, when `dateOffsetMs` > 0, `Date.now()` shifted that far ahead
 * (only that: `performance.now()` stays real) so that no prebuilt block is too new.
 */
export async function baseContext(browser: Browser, baseURL: string, dateOffsetMs = 0): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL });
  await context.addInitScript({ content: 'globalThis.__name ??= (fn) => fn;' });
  if (dateOffsetMs > 0) {
    await context.addInitScript((offset: number) => {
      const realNow = Date.now.bind(Date);
      Date.now = () => realNow() + offset;
    }, dateOffsetMs);
  }
  return context;
}

/**
 * A browser benchmark's context: {@link baseContext}, and `__benchReadyAt`, `performance.now()`
 * (ms since navigation start) when `ready()` resolves.
 */
export async function newContext(session: Session, dateOffsetMs = 0): Promise<BrowserContext> {
  const context = await baseContext(session.browser, session.baseURL, dateOffsetMs);
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

export async function openNode(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`  page error: ${error.message}`));
  await page.goto(url);
  await page.evaluate(() => window.tabchain.ready());
  return page;
}

/** A measurement made of per-round (per-sample, per-batch) rates, for printTable and pairedRatio. */
export function fromRates(name: string, unit: string, rates: readonly number[], ops: number, ms: number): Measurement {
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

/** A same-page loopback: two RTCPeerConnections of one page, one data channel, `bytes` through it. */
export function rawLoopback(page: Page, bytes: number): Promise<{ ms: number }> {
  return page.evaluate(async (total) => {
    const CHUNK = 16 * 1024;
    const HIGH_WATER = 1024 * 1024;
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate));
    b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate));
    const channel = a.createDataChannel('bench', { ordered: true });
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = 64 * 1024;
    const opened = new Promise<void>((resolve) => (channel.onopen = () => resolve()));
    const received = new Promise<number>((resolve) => {
      b.ondatachannel = (e) => {
        let got = 0;
        e.channel.binaryType = 'arraybuffer';
        e.channel.onmessage = (m) => {
          got += (m.data as ArrayBuffer).byteLength;
          if (got >= total) resolve(performance.now());
        };
      };
    });
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!);
    await opened;
    const chunk = new Uint8Array(CHUNK);
    for (let i = 0; i < CHUNK; i++) chunk[i] = i & 0xff;
    let sent = 0;
    const pump = (): void => {
      while (sent < total && channel.bufferedAmount <= HIGH_WATER) {
        channel.send(chunk);
        sent += CHUNK;
      }
    };
    channel.onbufferedamountlow = pump;
    const startedAt = performance.now();
    pump();
    const doneAt = await received;
    a.close();
    b.close();
    return { ms: doneAt - startedAt };
  }, bytes);
}

/**
 * Headless Chromium for a benchmark (the same browser choice and flags as the tests), or
 * undefined when none starts here: no browser on this machine is not a wrong set-up of the
 * benchmark, so it says why it skips (`what`: "peers benchmarks") and the caller goes on.
 */
export async function launchBenchChromium(what: string): Promise<Browser | undefined> {
  const executablePath = chromiumPath();
  try {
    return await chromium.launch({ headless: true, args: CHROMIUM_ARGS, ...(executablePath ? { executablePath } : {}) });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    console.log(`\n== ${what} skipped: Chromium did not start (${message}). Set CHROMIUM_PATH, install Debian's chromium, or run npx playwright install chromium.`);
    return undefined;
  }
}
