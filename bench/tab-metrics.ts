/**
 * @module What the twenty-tabs benchmark reads from each tab besides its events (not a benchmark
 * of its own): CPU and live `RTCPeerConnection`s from CDP, the app's links and connection budget,
 * the link graph's hop counts from the miner, and a percentile.
 */
import type { CDPSession, Page } from '@playwright/test';

/**
 * One page's counters from CDP `Performance.getMetrics`. `process` is the CPU time of the page's
 * renderer process, which runs the page's main thread and its dedicated workers: the node's
 * worker, its miner and verifier workers (a browser context never shares a renderer with
 * another, so a tab's process is its own). `thread` is the main thread's alone.
 */
export interface PageCounters {
  /** CPU seconds of the renderer process (ProcessTime). */
  readonly process: number;
  /** CPU seconds of the page's main thread (ThreadTime). */
  readonly thread: number;
  /** Seconds of tasks run on the main thread (TaskDuration). */
  readonly task: number;
  /** `RTCPeerConnection` objects alive in the page (Blink's own counter, RTCPeerConnections). */
  readonly rtc: number;
}

export async function pageCounters(cdp: CDPSession): Promise<PageCounters> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN;
  return { process: value('ProcessTime'), thread: value('ThreadTime'), task: value('TaskDuration'), rtc: value('RTCPeerConnections') };
}

/**
 * CPU seconds by process type over the whole browser (CDP `SystemInfo.getProcessInfo` on the
 * browser session: the browser process, GPU, network service, every renderer), with the
 * renderer count; undefined where the browser does not answer it.
 */
export async function browserCpu(session: CDPSession): Promise<{ byType: Map<string, number>; renderers: number } | undefined> {
  try {
    const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number; cpuTime: number }[] };
    const byType = new Map<string, number>();
    for (const p of processInfo) byType.set(p.type, (byType.get(p.type) ?? 0) + p.cpuTime);
    return { byType, renderers: processInfo.filter((p) => p.type === 'renderer').length };
  } catch {
    return undefined;
  }
}

/** A tab's links as the app reports them: ready peers, links still opening, and its connection budget. */
export interface LinkSnapshot {
  readonly ready: string[];
  readonly opening: number;
  /** Recent attempts where the peer answered but no path worked (connectivity().failedAttempts). */
  readonly failed: number;
  /** `RTCPeerConnection`s the page created since it loaded (connectivity().connectionsCreated). */
  readonly created: number;
  /** Created and not yet collected, as the app's budget counts them. */
  readonly live: number;
  readonly limit: number;
}

export function linkSnapshot(page: Page): Promise<LinkSnapshot> {
  return page.evaluate(async () => {
    const [peers, c] = await Promise.all([window.tabchain.peers(), window.tabchain.connectivity()]);
    return {
      ready: peers.filter((p) => p.state === 'ready').map((p) => p.id),
      opening: peers.filter((p) => p.state !== 'ready').length,
      failed: c.failedAttempts,
      created: c.connectionsCreated,
      live: c.connectionsLive,
      limit: c.connectionBudget,
    };
  });
}

/**
 * Hops from `start` to every peer reachable over the links `links` lists (peer id → its ready
 * peers; a link counts when either side lists it, since one side may see it ready a moment
 * before the other). Unreachable peers are absent.
 */
export function hopsFrom(start: string, links: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const neighbours = new Map<string, Set<string>>();
  const add = (a: string, b: string): void => {
    if (!neighbours.has(a)) neighbours.set(a, new Set());
    neighbours.get(a)!.add(b);
  };
  for (const [id, peers] of links) {
    for (const peer of peers) {
      add(id, peer);
      add(peer, id);
    }
  }
  const hops = new Map<string, number>([[start, 0]]);
  let frontier = [start];
  while (frontier.length) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const peer of neighbours.get(id) ?? []) {
        if (hops.has(peer)) continue;
        hops.set(peer, hops.get(id)! + 1);
        next.push(peer);
      }
    }
    frontier = next;
  }
  return hops;
}

/** The nearest-rank percentile (`p` in 0–100) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}
