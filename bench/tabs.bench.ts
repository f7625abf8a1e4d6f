/**
 * Twenty real tabs (issue 16, part 4): the built app and signaling served by one `startServer`
 * (as peers.bench.ts does), 20 headless Chromium contexts of one browser, a tab each (its own
 * IndexedDB, so its own node) on `/?network=regtest` with the app's default `maxPeers` (8, so
 * not a full mesh), finding each other through the page's default same-origin /signal and the
 * mesh's introductions. Tab 1 mines.
 *
 * 1. Start-up and convergence: tab 1 opens and mines a few blocks; the others open one after
 *    another (each once the one before is ready and has a peer, with generous bounds: twenty
 *    tabs loading at once would only queue on two cores). Convergence is from tab 1's navigation
 *    start to the last tab's `tip` event on tab 1's tip, with every tab holding a ready peer.
 * 2. Blocks: tab 1 `mine(1)`s, `BLOCKS` times, the next once every tab has the last one (or its
 *    bound ran out) and at least 2 s after the last was asked for. Propagation is from the miner's `block-connected` to each tab's
 *    (`performance.timeOrigin + performance.now()` in each page: one browser, one clock, as in
 *    peers.bench.ts): median and p99 over tab-blocks, and per block the time to reach every tab.
 * 3. Per tab: ready links and hops from the miner, `RTCPeerConnection`s created and alive (the
 *    app's connection budget and Blink's own counter), and CPU from CDP `Performance.getMetrics`
 *    (ProcessTime: the tab's renderer process, which runs its main thread and the node's worker
 *    with its miner and verifier workers; ThreadTime: the main thread alone); the browser's other
 *    processes from `SystemInfo.getProcessInfo`.
 *
 * `TABS` (default 20; or `--tabs N`) and `BLOCKS` (default 10; or `--blocks N`); `DIST_DIR` as for
 * `npm run build`. The pages' events reach Node through a binding as they fire (tab-fleet.ts):
 * every wait is on events with a bound, and a bound that runs out prints what did not happen.
 * Issue 16's goal (all converge, median propagation under 500 ms) is printed, not asserted.
 */
import type { CDPSession } from '@playwright/test';
import { cpuUsage } from 'node:process';
import { availableParallelism, loadavg } from 'node:os';
import { chromiumPath } from '../scripts/chromium.ts';
import { startServer } from '../signaling-server/server.ts';
import { launchBenchChromium, sleep } from './browser-session.ts';
import { dist, ensureBuilt } from './built-app.ts';
import { formatNumber, isMain, median } from './harness.ts';
import { BenchTab, TabFleet } from './tab-fleet.ts';
import { browserCpu, hopsFrom, linkSnapshot, pageCounters, percentile, type LinkSnapshot, type PageCounters } from './tab-metrics.ts';
import { printTabTable } from './tabs-report.ts';

const URL_PATH = '/?network=regtest';
/** Blocks tab 1 mines before the others open, so converging means syncing, not sitting at genesis. */
const FIRST_BLOCKS = 3;
const READY_MS = 90_000;
const FIRST_PEER_MS = 45_000;
const CONVERGE_MS = 180_000;
const MINE_MS = 120_000;
const BLOCK_MS = 60_000;
/**
 * A block at most this often (a modest rate): the next waits until the last reached every tab and
 * this long passed since it was asked for, so each block meets tabs done with the one before.
 */
const BLOCK_INTERVAL_MS = 2_000;
/** Links settle when no tab gained or lost one for this long (at most LINKS_SETTLE_MAX_MS). */
const LINKS_QUIET_MS = 3_000;
const LINKS_SETTLE_MAX_MS = 30_000;
/** The idle window before the blocks: what the tabs cost doing nothing, subtracted per block. */
const IDLE_MS = 10_000;

/** A whole number from `--flag N` / `--flag=N`, else the environment variable, else the default. */
function setting(flag: string, env: string, fallback: number, min: number): number {
  const at = process.argv.findIndex((arg) => arg === `--${flag}` || arg.startsWith(`--${flag}=`));
  const raw = at < 0 ? process.env[env] : process.argv[at]!.includes('=') ? process.argv[at]!.split('=')[1] : process.argv[at + 1];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`--${flag} / ${env} must be a whole number of at least ${min}, not ${raw}`);
  return n;
}

/** Something a page is asked, with a bound: the value, or the reason it did not come. */
async function bounded<T>(ms: number, what: string, work: Promise<T>): Promise<{ value: T } | { failed: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<{ failed: string }>((resolve) => (timer = setTimeout(() => resolve({ failed: `${what} did not finish within ${ms / 1000} s` }), ms)));
  try {
    return await Promise.race([work.then((value) => ({ value }), (error: unknown) => ({ failed: `${what} failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const seconds = (ms: number): string => `${formatNumber(ms / 1000)} s`;
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' / ');

/** Where a tab stands, for the lines that say why something did not happen. */
function stateOf(tab: BenchTab): string {
  const state = tab.crashed ? 'crashed' : tab.readyAt === undefined ? 'not ready' : `height ${tab.tip?.height ?? 0}, ${tab.peers.size} ready peers`;
  return `${tab.name} (${state}${tab.errors.length ? `; page error: ${tab.errors[0]}` : ''})`;
}

/** Waits until no tab gained or lost a link for LINKS_QUIET_MS (or LINKS_SETTLE_MAX_MS passed). */
async function linksSettled(fleet: TabFleet): Promise<boolean> {
  const started = performance.now();
  let last = fleet.tabs.map((t) => t.peers.size).join();
  let quietSince = performance.now();
  while (performance.now() - started < LINKS_SETTLE_MAX_MS) {
    await sleep(500);
    const now = fleet.tabs.map((t) => t.peers.size).join();
    if (now !== last) {
      last = now;
      quietSince = performance.now();
    } else if (performance.now() - quietSince >= LINKS_QUIET_MS) return true;
  }
  return false;
}

async function countersOf(tabs: readonly BenchTab[]): Promise<PageCounters[]> {
  // A crashed tab has no counters: NaN rather than a benchmark that throws at the end.
  const none: PageCounters = { process: NaN, thread: NaN, task: NaN, rtc: NaN };
  return Promise.all(tabs.map((t) => pageCounters(t.cdp).catch(() => none)));
}

async function snapshotsOf(tabs: readonly BenchTab[]): Promise<LinkSnapshot[]> {
  const none: LinkSnapshot = { ready: [], opening: 0, failed: 0, created: NaN, live: NaN, limit: NaN };
  return Promise.all(tabs.map((t) => linkSnapshot(t.page).catch(() => none)));
}

/** Start-up: tab 1 opens and mines FIRST_BLOCKS; the others open one by one and sync. */
async function startUp(fleet: TabFleet, count: number): Promise<{ target: string; maxPeers: number } | undefined> {
  const miner = await fleet.open(URL_PATH);
  if (!(await fleet.until(READY_MS, () => miner.readyAt !== undefined))) {
    console.log(`  stopped: tab 1's node was not ready within ${READY_MS / 1000} s: ${stateOf(miner)}`);
    return undefined;
  }
  const self = await miner.page.evaluate(() => window.tabchain.self());
  miner.peerId = self.peerId;
  const mined = await bounded(MINE_MS, `tab 1's mine(${FIRST_BLOCKS})`, miner.page.evaluate((n) => window.tabchain.mine(n), FIRST_BLOCKS));
  if ('failed' in mined || !mined.value.length) {
    console.log(`  stopped: ${'failed' in mined ? mined.failed : 'mine() returned no block'}`);
    return undefined;
  }
  const target = mined.value[mined.value.length - 1]!;
  for (let i = 1; i < count; i++) {
    const before = fleet.tabs[i - 1]!;
    // Staggered: the next opens once the one before has a ready node and a ready peer (tab 1,
    // alone, has none to wait for).
    if (!(await fleet.until(READY_MS, () => before.readyAt !== undefined))) console.log(`  note: ${before.name}'s node was not ready within ${READY_MS / 1000} s; opening the next anyway: ${stateOf(before)}`);
    if (i > 1 && !(await fleet.until(FIRST_PEER_MS, () => before.peers.size > 0))) console.log(`  note: ${before.name} had no ready peer within ${FIRST_PEER_MS / 1000} s of its node being ready; opening the next anyway`);
    await fleet.open(URL_PATH);
  }
  const last = fleet.tabs[count - 1]!;
  if (!(await fleet.until(READY_MS, () => last.readyAt !== undefined))) console.log(`  note: ${last.name}'s node was not ready within ${READY_MS / 1000} s: ${stateOf(last)}`);
  for (const tab of fleet.tabs.slice(1)) {
    if (tab.readyAt !== undefined) tab.peerId = await tab.page.evaluate(() => window.tabchain.self().then((s) => s.peerId));
  }
  return { target, maxPeers: self.maxPeers };
}

function reportConvergence(fleet: TabFleet, target: string, converged: boolean): boolean {
  const [first] = fleet.tabs;
  const origin = first!.origin;
  const lastOpen = Math.max(...fleet.tabs.map((t) => t.origin)) - origin;
  const behind = fleet.tabs.filter((t) => !t.tipAt.has(target) || t.peers.size === 0);
  if (!converged) {
    console.log(`  did not converge within ${CONVERGE_MS / 1000} s of the last tab opening: ${behind.length} tabs not on tab 1's tip (height ${first!.tip?.height}) with a peer: ${behind.map(stateOf).join('; ')}`);
    return false;
  }
  const onTip = Math.max(...fleet.tabs.map((t) => t.tipAt.get(target)!)) - origin;
  const linked = Math.max(...fleet.tabs.slice(1).map((t) => t.firstPeerAt!)) - origin;
  const own = fleet.tabs.slice(1).map((t) => t.tipAt.get(target)! - t.origin);
  const firstPeer = fleet.tabs.slice(1).map((t) => t.firstPeerAt! - t.origin);
  console.log(`  convergence: all ${fleet.tabs.length} on tab 1's tip (height ${first!.tip?.height}) ${seconds(onTip)} after tab 1's navigation start; the last tab opened at ${seconds(lastOpen)}, every tab had a ready peer by ${seconds(linked)}`);
  console.log(`  each tab's own navigation start → tab 1's tip: median ${seconds(median(own))}, max ${seconds(Math.max(...own))} (page load, node start-up, signaling, WebRTC, headers and ${FIRST_BLOCKS} blocks); → its first ready peer: median ${seconds(median(firstPeer))}, max ${seconds(Math.max(...firstPeer))}`);
  return true;
}

interface BlockRound {
  readonly hash: string;
  readonly height: number;
  /** Per tab: ms from the miner's block-connected to this tab's (undefined: the miner, or never). */
  readonly delays: (number | undefined)[];
  readonly missed: BenchTab[];
}

async function mineRounds(fleet: TabFleet, blocks: number): Promise<BlockRound[]> {
  const [miner] = fleet.tabs;
  const rounds: BlockRound[] = [];
  for (let r = 0; r < blocks; r++) {
    const askedAt = performance.now();
    const mined = await bounded(MINE_MS, 'mine(1)', miner!.page.evaluate(() => window.tabchain.mine(1)));
    if ('failed' in mined || !mined.value[0]) {
      console.log(`  block ${r + 1}: stopped mining: ${'failed' in mined ? mined.failed : 'mine(1) returned no block'}`);
      break;
    }
    const hash = mined.value[0];
    const everywhere = await fleet.until(BLOCK_MS, () => fleet.tabs.every((t) => t.connected.has(hash) || t.crashed));
    const found = miner!.connected.get(hash);
    if (found === undefined) {
      console.log(`  block ${r + 1}: the miner's own block-connected for ${hash.slice(0, 12)}… never came; stopping`);
      break;
    }
    const delays = fleet.tabs.map((t, i) => (i === 0 ? undefined : t.connected.has(hash) ? t.connected.get(hash)! - found : undefined));
    const missed = fleet.tabs.filter((t, i) => i > 0 && !t.connected.has(hash));
    const got = delays.filter((d): d is number => d !== undefined);
    const height = miner!.tip?.hash === hash ? miner!.tip.height : NaN;
    rounds.push({ hash, height, delays, missed });
    const lastIndex = delays.indexOf(Math.max(...got));
    const reach = missed.length
      ? `${missed.length} tabs missed it${everywhere ? '' : ` within ${BLOCK_MS / 1000} s`}: ${missed.map(stateOf).join('; ')}`
      : `everywhere after ${formatNumber(Math.max(...got))} ms (last ${fleet.tabs[lastIndex]!.name}, ${fleet.tabs[lastIndex]!.peers.size} ready peers)`;
    console.log(`  block ${String(r + 1).padStart(2)} (height ${height}): ${reach}; per tab median ${formatNumber(median(got))} ms`);
    // Pacing, not a test of progress: that was the wait on every tab's block-connected above.
    await sleep(Math.max(0, askedAt + BLOCK_INTERVAL_MS - performance.now()));
  }
  return rounds;
}

function printPropagation(fleet: TabFleet, rounds: readonly BlockRound[], hops: Map<string, number>): number {
  const all = rounds.flatMap((r) => r.delays.filter((d): d is number => d !== undefined));
  const everywhere = rounds.filter((r) => !r.missed.length).map((r) => Math.max(...r.delays.filter((d): d is number => d !== undefined)));
  const missed = rounds.reduce((n, r) => n + r.missed.length, 0);
  console.log('');
  console.log(`  propagation, miner's block-connected → a tab's: median ${formatNumber(median(all))} ms, p99 ${formatNumber(percentile(all, 99))} ms, max ${formatNumber(Math.max(...all))} ms (${all.length} tab-blocks${missed ? `; ${missed} tab-blocks never arrived, left out` : ''})`);
  if (everywhere.length) console.log(`  a block on every tab: median ${formatNumber(median(everywhere))} ms, max ${formatNumber(Math.max(...everywhere))} ms (${everywhere.length} of ${rounds.length} blocks)`);
  const byHop = new Map<number, number[]>();
  fleet.tabs.forEach((tab, i) => {
    const hop = hops.get(tab.peerId);
    if (i === 0 || hop === undefined) return;
    const delays = rounds.map((r) => r.delays[i]).filter((d): d is number => d !== undefined);
    byHop.set(hop, [...(byHop.get(hop) ?? []), ...delays]);
  });
  const hopLine = [...byHop.entries()].sort(([a], [b]) => a - b).map(([hop, d]) => `${hop} hop${hop === 1 ? '' : 's'}: median ${formatNumber(median(d))} ms (${d.length})`);
  if (hopLine.length) console.log(`  by hops from the miner (links at the first block): ${hopLine.join(', ')}`);
  return median(all);
}

export async function run(): Promise<void> {
  const count = setting('tabs', 'TABS', 20, 2);
  const blocks = setting('blocks', 'BLOCKS', 10, 1);
  const notes = ensureBuilt();
  // Every tab here comes from 127.0.0.1, which signaling caps at 16 sockets per address (one
  // address stands for one household); real tabs come from as many addresses as there are.
  const server = await startServer({ port: 0, host: '127.0.0.1', dist, signaling: { logger: null, maxConnectionsPerIp: count + 4 } });
  const baseURL = `http://127.0.0.1:${server.port}`;
  const browser = await launchBenchChromium('twenty tabs benchmark');
  if (!browser) {
    await server.close();
    return;
  }
  const fleet = new TabFleet(browser, baseURL);
  const started = performance.now();
  const loadAtStart = load();
  let browserSession: CDPSession | undefined;
  try {
    const executablePath = chromiumPath();
    console.log(`\n== twenty tabs: ${count} tabs of one Chromium ${browser.version()}${executablePath ? ` (${executablePath})` : ''}, a context each, regtest, app and signaling from ${dist} on ${baseURL}; tab 1 mines`);
    console.log(`  machine load (1 / 5 / 15 min) at the start: ${loadAtStart}`);
    browserSession = await browser.newBrowserCDPSession();
    const start = await startUp(fleet, count);
    if (!start) return;
    console.log(`  maxPeers ${start.maxPeers} (the app's default); tab 1 mined ${FIRST_BLOCKS} blocks, then tabs 2–${count} opened one after another`);
    const converged = await fleet.until(CONVERGE_MS, () => fleet.tabs.every((t) => t.tipAt.has(start.target) && (t.peers.size > 0 || t.crashed)));
    const allConverged = reportConvergence(fleet, start.target, converged);
    const settled = await linksSettled(fleet);
    if (!settled) console.log(`  note: links were still changing ${LINKS_SETTLE_MAX_MS / 1000} s after convergence; the blocks start anyway`);

    const linksBefore = await snapshotsOf(fleet.tabs);
    const hops = hopsFrom(fleet.tabs[0]!.peerId, new Map(fleet.tabs.map((t, i) => [t.peerId, linksBefore[i]!.ready])));
    // A measurement window, not a wait for progress: the tabs' CPU with nothing happening.
    const idle0 = await countersOf(fleet.tabs);
    const idleStart = performance.now();
    await sleep(IDLE_MS);
    const counters0 = await countersOf(fleet.tabs);
    const idle = { before: idle0, after: counters0, wallMs: performance.now() - idleStart };
    const cpu0 = await browserCpu(browserSession);
    const node0 = cpuUsage();
    const wall0 = performance.now();
    const rounds = await mineRounds(fleet, blocks);
    const wallMs = performance.now() - wall0;
    const nodeCpu = cpuUsage(node0);
    const counters1 = await countersOf(fleet.tabs);
    const cpu1 = await browserCpu(browserSession);
    const linksAfter = await snapshotsOf(fleet.tabs);

    const unreachable = fleet.tabs.filter((t) => !hops.has(t.peerId));
    const hopCounts = [...new Set(hops.values())].sort((a, b) => a - b).filter((h) => h > 0).map((h) => `${h}: ${[...hops.values()].filter((x) => x === h).length}`);
    console.log(`  link graph at the first block: ${unreachable.length ? `${unreachable.length} tabs unreachable from the miner (${unreachable.map((t) => t.name).join(', ')})` : 'connected'}; tabs by hops from the miner ${hopCounts.join(', ')}`);
    const medianMs = rounds.length ? printPropagation(fleet, rounds, hops) : NaN;
    printTabTable({ tabs: fleet.tabs, rounds, hops, linksBefore, linksAfter, counters0, counters1, wallMs, idle });
    if (cpu0 && cpu1) {
      const delta = (type: string): number => (cpu1.byType.get(type) ?? 0) - (cpu0.byType.get(type) ?? 0);
      const other = [...cpu1.byType.keys()].filter((t) => t !== 'renderer');
      console.log(`  the browser's processes during the blocks (SystemInfo.getProcessInfo, CPU s; ${cpu1.renderers} renderers): ${['renderer', ...other].map((t) => `${t} ${formatNumber(delta(t))}`).join(', ')}; this benchmark's Node process (server and driver) ${formatNumber((nodeCpu.user + nodeCpu.system) / 1e6)}; over ${seconds(wallMs)} of wall time on ${availableParallelism()} cores`);
    } else {
      console.log('  note: SystemInfo.getProcessInfo did not answer: no whole-browser CPU line');
    }
    const allGot = rounds.length === blocks && rounds.every((r) => !r.missed.length);
    console.log('');
    console.log(`  issue 16's goal: all converge: ${allConverged && allGot ? 'yes' : 'no'} (start-up ${allConverged ? 'converged' : 'did not converge'}, ${rounds.filter((r) => !r.missed.length).length} of ${blocks} blocks reached every tab); median propagation under 500 ms: ${medianMs < 500 ? 'yes' : 'no'} (${formatNumber(medianMs)} ms)`);
    console.log(`  machine load (1 / 5 / 15 min) at the end: ${load()}`);
    for (const note of notes) console.log(`  note: ${note}`);
  } finally {
    await browserSession?.detach().catch(() => undefined);
    await fleet.close();
    await browser.close();
    await server.close();
  }
  console.log(`  (twenty tabs: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

if (isMain(import.meta.url)) await run();
