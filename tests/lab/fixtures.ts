/**
 * The `test` of the lab's specs: Playwright's, plus a `lab` fixture that builds the two homes
 * behind the NATs a scenario asks for, starts a Chromium in each, opens tabs, and at the end
 * closes the browsers and brings back an uplink the scenario left down.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { iceServers, launchInHome, openTab, readLabInfo, selectedPairs, setHome, setUplink, type Home, type LabInfo, type NatMode, type ServerName, type Tab } from './lab.ts';

export { expect };
export type { Tab };

export interface PeerView {
  id: string;
  state: string;
  path?: 'host' | 'srflx' | 'prflx' | 'relay' | null;
  remotePath?: 'host' | 'srflx' | 'prflx' | 'relay' | null;
  rttMs?: number | null;
}

export interface Connectivity {
  verdict: 'unknown' | 'direct' | 'relay-only' | 'needs-relay' | 'relay-refused';
  iceServers: number;
  relayConfigured: boolean;
  connectionsCreated: number;
  connectionBudget: number;
}

/** A user's own ICE servers (the setting): the lab's STUN, its TURN (right or wrong secret). */
export interface OwnIce {
  stun?: boolean;
  turn?: boolean | 'wrong-secret';
}

export class LabSession {
  readonly info: LabInfo = readLabInfo();
  private readonly browsers = new Map<Home, Awaited<ReturnType<typeof launchInHome>>>();
  private cleanups: (() => void)[] = [];

  /**
   * Rebuilds both homes behind NATs of these kinds and starts a Chromium in each (unless told
   * not to). `slow`: both uplinks delay and lose packets (100 ms and ~1% between the homes).
   */
  async homes(mode1: NatMode, mode2: NatMode, options: { browsers?: boolean; slow?: boolean } = {}): Promise<void> {
    await this.closeBrowsers();
    setHome(1, mode1, { slow: options.slow });
    setHome(2, mode2, { slow: options.slow });
    if (options.browsers ?? true) for (const n of [1, 2] as const) this.browsers.set(n, await launchInHome(n));
  }

  /**
   * A tab in home `n` on one of the lab's app servers, with the ICE servers that server hands
   * out, or with the user's own (the `tabchain-ice-servers` setting) when `own` is given.
   */
  tab(n: Home, server: ServerName, own?: OwnIce): Promise<Tab> {
    const browser = this.browsers.get(n);
    if (!browser) throw new Error(`home ${n} has no browser: call homes() first`);
    if (!own) return openTab(browser, this.info.urls[server]);
    const secret = own.turn === 'wrong-secret' ? 'not-the-lab-secret' : own.turn ? this.info.turnSecret : undefined;
    return openTab(browser, this.info.urls[server], { iceServers: iceServers({ stun: own.stun ?? true, turnSecret: secret }) });
  }

  uplink(n: Home, state: 'up' | 'down'): void {
    setUplink(n, state);
    if (state === 'down') this.cleanups.push(() => setUplink(n, 'up'));
  }

  private async closeBrowsers(): Promise<void> {
    for (const browser of this.browsers.values()) await browser.close().catch(() => undefined);
    this.browsers.clear();
  }

  async close(): Promise<void> {
    await this.closeBrowsers();
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        cleanup();
      } catch {
        // The next scenario rebuilds its homes anyway.
      }
    }
  }
}

export const test = base.extend<{ lab: LabSession }>({
  // eslint-disable-next-line no-empty-pattern
  lab: async ({}, use) => {
    const session = new LabSession();
    await use(session);
    await session.close();
  },
});

// Reading a tab, always through the page's own API (window.tabchain).
export const peers = (t: Tab): Promise<PeerView[]> => t.page.evaluate(async () => (await window.tabchain.peers()) as unknown as PeerView[]);
export const readyPeers = async (t: Tab): Promise<PeerView[]> => (await peers(t)).filter((p) => p.state === 'ready');
export const tip = (t: Tab) => t.page.evaluate(() => window.tabchain.chain.tip());
export const connectivity = (t: Tab): Promise<Connectivity> =>
  t.page.evaluate(() => (window.tabchain as unknown as { connectivity(): Connectivity | Promise<Connectivity> }).connectivity());
export const mine = (t: Tab, n: number) => t.page.evaluate((count) => window.tabchain.mine(count), n);
export const truePairs = (t: Tab) => selectedPairs(t.page);

/** Waits until each tab has exactly one ready peer (the other home's tab). */
export async function linked(tabs: Tab[], timeout = 60_000): Promise<void> {
  for (const t of tabs) await expect.poll(async () => (await readyPeers(t)).length, { timeout, message: 'a ready link' }).toBe(1);
}

/** Waits until every tab is on the first tab's tip; returns it. */
export async function sameTip(tabs: Tab[], timeout = 60_000): Promise<{ height: number; hash: string }> {
  const target = await tip(tabs[0]!);
  for (const t of tabs.slice(1)) await expect.poll(async () => (await tip(t)).hash, { timeout, message: `reach ${target.height} ${target.hash}` }).toBe(target.hash);
  return target;
}

/** How long a trivial evaluate takes: a page busy in a loop or stuck would not answer. */
export async function answersWithin(page: Page, ms: number): Promise<boolean> {
  const started = Date.now();
  await page.evaluate(() => document.title);
  return Date.now() - started < ms;
}
