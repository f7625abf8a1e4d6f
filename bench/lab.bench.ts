/**
 * Links across the NAT lab (tests/lab/README.md): how long two tabs take to link, and how fast
 * one syncs from the other, when they are
 *
 * - LAN: both tabs in one home (one Chromium, two profiles): host candidates;
 * - through NAT: one tab in each home, both behind endpoint-independent NATs, STUN only: srflx;
 * - relayed: both homes behind symmetric NATs, with TURN: relay.
 *
 * Each round: tab A opens and takes SYNC_BLOCKS regtest blocks through `submitBlocks`; then
 * tab B opens (the clock starts as its navigation does), links to A (time to a first link: from
 * B's navigation to A and B each having a ready link, so it includes B's page load, joining
 * signaling and ICE) and syncs A's chain (blocks/s from the link being ready to B's tip reaching
 * A's). The path each link took is read from the page (after the sync) and printed, so a case that did not take
 * its intended path shows it. Cases take turns (LAN, NAT, relay, LAN, …); medians per case, and
 * ratios to the LAN case.
 *
 * Needs root with CAP_NET_ADMIN, coturn, nftables and Chromium (like `npm run test:lab`);
 * otherwise it says why and skips. Prints, never asserts.
 *
 *   npx tsx bench/lab.bench.ts     (LAB_BENCH_ROUNDS=3 for more rounds, default 2; DIST_DIR=dist-lab)
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Browser } from '@playwright/test';
import { bytesToHex, encodeBlock, regtestParams } from '../src/core/index.ts';
import { ChainBuilder } from '../src/core/testing/chain-builder.ts';
import { launchInHome, openTab, setHome, startLab, whyNoLab, type LabInfo, type NatMode, type ServerName, type Tab } from '../tests/lab/lab.ts';
import { dist, ensureBuilt, root } from './built-app.ts';
import { formatNumber, formatRatio, isMain, median } from './harness.ts';

const SYNC_BLOCKS = 300;
const ROUNDS = Number(process.env.LAB_BENCH_ROUNDS ?? 2);
const LINK_TIMEOUT_MS = 90_000;
const SYNC_TIMEOUT_MS = 120_000;

interface Case {
  name: string;
  /** The NATs of home 1 and home 2. */
  nats: [NatMode, NatMode];
  /** Which home B's tab runs in (A's is always in home 1). */
  homeOfB: 1 | 2;
  server: ServerName;
}

const CASES: Case[] = [
  { name: 'LAN (host)', nats: ['eim', 'eim'], homeOfB: 1, server: 'full' },
  { name: 'through NAT (srflx)', nats: ['eim', 'eim'], homeOfB: 2, server: 'stunOnly' },
  { name: 'relayed (TURN)', nats: ['sym', 'sym'], homeOfB: 2, server: 'full' },
];

interface Round {
  linkMs: number;
  blocksPerSec: number;
  path: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const readyLinks = (t: Tab) => t.page.evaluate(async () => (await window.tabchain.peers()).filter((p) => p.state === 'ready'));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const started = performance.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(25);
  }
}

async function runCase(info: LabInfo, c: Case, blocks: string[], lastHash: string): Promise<Round> {
  setHome(1, c.nats[0]);
  setHome(2, c.nats[1]);
  const browsers: Browser[] = [await launchInHome(1)];
  if (c.homeOfB === 2) browsers.push(await launchInHome(2));
  try {
    const url = info.urls[c.server];
    const a = await openTab(browsers[0]!, url);
    for (let i = 0; i < blocks.length; i += 100) {
      const outcomes = await a.page.evaluate((batch) => window.tabchain.chain.submitBlocks(batch), blocks.slice(i, i + 100));
      const bad = outcomes.filter((o) => o.status !== 'connected');
      if (bad.length) throw new Error(`benchmark blocks were not connected: ${JSON.stringify(bad.slice(0, 2))}`);
    }
    const started = performance.now();
    const b = await openTab(browsers[c.homeOfB - 1]!, url);
    const link = await until('a link', LINK_TIMEOUT_MS, async () => {
      const [mine, theirs] = await Promise.all([readyLinks(b), readyLinks(a)]);
      return mine.length > 0 && theirs.length > 0 ? mine[0] : undefined;
    });
    const linkedAt = performance.now();
    await until("B reaching A's tip", SYNC_TIMEOUT_MS, async () => ((await b.page.evaluate(() => window.tabchain.chain.tip())).hash === lastHash ? true : undefined));
    const syncedAt = performance.now();
    // Read after the sync: the page refreshes a link's path from getStats now and then.
    const seen = ((await readyLinks(b))[0] ?? link) as { path?: string | null; remotePath?: string | null };
    return { linkMs: linkedAt - started, blocksPerSec: (SYNC_BLOCKS / (syncedAt - linkedAt)) * 1000, path: `${seen.path ?? '?'} → ${seen.remotePath ?? '?'}` };
  } finally {
    for (const browser of browsers) await browser.close();
  }
}

export async function run(): Promise<void> {
  const why = whyNoLab();
  if (why) {
    console.log(`\n== lab benchmarks skipped: ${why}`);
    return;
  }
  // DIST_DIR picks another build (as the lab's tests use dist-lab); else dist/, built when missing.
  const notes = process.env.DIST_DIR ? [] : ensureBuilt();
  const lab = await startLab({ dist: process.env.DIST_DIR ? join(root, process.env.DIST_DIR) : dist });
  try {
    const firstBlockTime = Math.max(regtestParams.genesis.header.time + 1, Math.floor(Date.now() / 1000) - SYNC_BLOCKS * regtestParams.targetSpacing - 120);
    const builder = new ChainBuilder(regtestParams, { firstBlockTime });
    const built = builder.extend(builder.genesis, SYNC_BLOCKS);
    const blocks = built.map((x) => bytesToHex(encodeBlock(x.block)));
    const lastHash = built.at(-1)!.hash;

    const rounds = new Map<string, Round[]>(CASES.map((c) => [c.name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const c of CASES) rounds.get(c.name)!.push(await runCase(lab.info, c, blocks, lastHash));
    }

    console.log(`\n== lab: time to a first link and sync of ${SYNC_BLOCKS} regtest blocks, by path (Chromium in network namespaces; median of ${ROUNDS} rounds)`);
    const lan = rounds.get(CASES[0]!.name)!;
    const lanLink = median(lan.map((x) => x.linkMs));
    const lanRate = median(lan.map((x) => x.blocksPerSec));
    for (const c of CASES) {
      const got = rounds.get(c.name)!;
      const linkMs = median(got.map((x) => x.linkMs));
      const rate = median(got.map((x) => x.blocksPerSec));
      const paths = [...new Set(got.map((x) => x.path))].join(', ');
      console.log(`  ${c.name.padEnd(20)} first link ${formatNumber(linkMs).padStart(6)} ms   sync ${formatNumber(rate).padStart(6)} block/s   (path seen by B: ${paths})`);
    }
    console.log('');
    for (const c of CASES.slice(1)) {
      const got = rounds.get(c.name)!;
      console.log(`  ${c.name} / LAN: first link ${formatRatio(median(got.map((x) => x.linkMs)) / lanLink)} the time, sync ${formatRatio(median(got.map((x) => x.blocksPerSec)) / lanRate)} the rate`);
    }
    console.log("  note: first link counts from B's navigation (page load over the lab, signaling, ICE); sync from the ready link to B's tip");
    for (const n of notes) console.log(`  note: ${n}`);
  } finally {
    await lab.stop();
  }
}

if (isMain(import.meta.url)) await run();
