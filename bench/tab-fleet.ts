/**
 * @module The twenty-tabs benchmark's tabs (not a benchmark of its own): each tab a fresh browser
 * context (its own IndexedDB, so its own node) whose page hands the node's events to Node as
 * they fire, through a binding (`context.exposeBinding`), stamped in the page with
 * `performance.timeOrigin + performance.now()` (one browser, so one clock across the pages).
 * Node waits on those events with bounds instead of polling twenty pages, which on two cores
 * would itself be a load on what is measured; a bound that runs out is an answer (false), not a
 * throw, so the benchmark can say what did not happen and go on.
 */
import type { Browser, BrowserContext, CDPSession, Page } from '@playwright/test';
import { baseContext } from './browser-session.ts';

/** What a page reports; `at` is epoch ms on the browser's clock. */
export type TabEvent =
  | { kind: 'ready'; at: number }
  | { kind: 'peer-connected'; at: number; peer: string }
  | { kind: 'peer-disconnected'; at: number; peer: string }
  | { kind: 'tip'; at: number; hash: string; height: number }
  | { kind: 'block-connected'; at: number; hash: string; height: number };

/** One tab: its page, a CDP session to it, and what its events said so far. */
export class BenchTab {
  page!: Page;
  cdp!: CDPSession;
  /** The page's `performance.timeOrigin` (navigation start, epoch ms). */
  origin = NaN;
  peerId = '';
  readyAt?: number;
  firstPeerAt?: number;
  /** Peers whose handshake finished and that have not left since. */
  readonly peers = new Set<string>();
  tip?: { hash: string; height: number; at: number };
  /** Block hash → when this tab connected it to its active chain (first time). */
  readonly connected = new Map<string, number>();
  /** Block hash → when this tab's tip first became that block. */
  readonly tipAt = new Map<string, number>();
  readonly errors: string[] = [];
  crashed = false;

  constructor(
    readonly index: number,
    readonly context: BrowserContext,
  ) {}

  /** "tab 3" (1-based, as printed). */
  get name(): string {
    return `tab ${this.index + 1}`;
  }

  record(event: TabEvent): void {
    switch (event.kind) {
      case 'ready':
        this.readyAt ??= event.at;
        break;
      case 'peer-connected':
        this.firstPeerAt ??= event.at;
        this.peers.add(event.peer);
        break;
      case 'peer-disconnected':
        this.peers.delete(event.peer);
        break;
      case 'tip':
        this.tip = { hash: event.hash, height: event.height, at: event.at };
        if (!this.tipAt.has(event.hash)) this.tipAt.set(event.hash, event.at);
        break;
      case 'block-connected':
        if (!this.connected.has(event.hash)) this.connected.set(event.hash, event.at);
        break;
    }
  }
}

interface BindingWindow {
  __tabsEvent(event: TabEvent): Promise<void>;
}

/**
 * Runs in every page before its scripts: hooks the assignment of `window.tabchain` (as
 * peers.bench.ts does) and forwards the events the benchmark reads.
 */
function probeScript(): void {
  const now = (): number => performance.timeOrigin + performance.now();
  const send = (event: TabEvent): void => void (window as unknown as BindingWindow).__tabsEvent(event).catch(() => undefined);
  let api: Window['tabchain'] | undefined;
  Object.defineProperty(window, 'tabchain', {
    configurable: true,
    enumerable: true,
    get: () => api,
    set: (value: Window['tabchain']) => {
      api = value;
      value.on('peer-connected', (p) => send({ kind: 'peer-connected', at: now(), peer: (p as { id: string }).id }));
      value.on('peer-disconnected', (p) => send({ kind: 'peer-disconnected', at: now(), peer: (p as { id: string }).id }));
      value.on('tip', (t) => send({ kind: 'tip', at: now(), hash: (t as { hash: string }).hash, height: (t as { height: number }).height }));
      value.on('block-connected', (b) => send({ kind: 'block-connected', at: now(), hash: (b as { hash: string }).hash, height: (b as { height: number }).height }));
      void value.ready().then(
        () => send({ kind: 'ready', at: now() }),
        () => undefined,
      );
    },
  });
}

/** The tabs, and waiting on what they report. */
export class TabFleet {
  readonly tabs: BenchTab[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly browser: Browser,
    private readonly baseURL: string,
  ) {}

  /**
   * Opens one more tab on `url` (its events flowing from the first script on); resolves once the
   * page has loaded, not when its node is ready (wait for that with {@link until}).
   */
  async open(url: string): Promise<BenchTab> {
    const context = await baseContext(this.browser, this.baseURL);
    const tab = new BenchTab(this.tabs.length, context);
    this.tabs.push(tab);
    await context.exposeBinding('__tabsEvent', (_source, event: TabEvent) => {
      tab.record(event);
      this.changed();
    });
    await context.addInitScript(probeScript);
    tab.page = await context.newPage();
    tab.page.on('pageerror', (error) => tab.errors.push(error.message));
    tab.page.on('crash', () => {
      tab.crashed = true;
      this.changed();
    });
    await tab.page.goto(url, { timeout: 120_000 });
    tab.origin = await tab.page.evaluate(() => performance.timeOrigin);
    tab.cdp = await context.newCDPSession(tab.page);
    await tab.cdp.send('Performance.enable');
    return tab;
  }

  /**
   * Resolves true as soon as `condition()` holds (checked now and after every event any tab
   * reports, or a page crashes), false once `timeoutMs` passed without it.
   */
  until(timeoutMs: number, condition: () => boolean): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = (): void => {
        if (!condition()) return;
        finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (result: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(result);
      };
      this.waiters.add(check);
    });
  }

  private changed(): void {
    for (const check of [...this.waiters]) check();
  }

  async close(): Promise<void> {
    for (const tab of this.tabs) await tab.context.close().catch(() => undefined);
  }
}
