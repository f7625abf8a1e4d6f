/**
 * The `test` every browser spec uses: Playwright's, plus one automatic fixture that closes the
 * browser contexts a test opened itself (`browser.newContext()`), even when it failed. A context
 * left open is a tab still on the signaling server, a peer the next test would meet.
 */
import { test as base } from '@playwright/test';

import type { Browser, BrowserContext, Page, Worker } from '@playwright/test';

export { expect } from '@playwright/test';
export type { Browser, BrowserContext, Locator, Page, Worker } from '@playwright/test';

/** A tab of its own browser profile, on regtest, with its node started. */
export interface Tab {
  context: BrowserContext;
  page: Page;
}

/** Opens the app on regtest in a new browser context and waits for the node (the context is closed by the fixture below). */
export async function openTestTab(browser: Browser): Promise<Tab> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/?network=regtest');
  await page.evaluate(() => window.tabchain.ready());
  return { context, page };
}

/** The tab's node worker (src/node.worker.ts), where its chain, store and network run. */
export async function nodeWorker(page: Page): Promise<Worker> {
  const find = () => page.workers().find((w) => /node\.worker/.test(w.url()));
  const found = find();
  if (found) return found;
  await page.waitForEvent('worker', { predicate: (w) => /node\.worker/.test(w.url()), timeout: 30_000 });
  return find()!;
}

export const test = base.extend<{ closeContexts: void }>({
  // Each worker has a server of its own (playwright.config.ts): E2E_PORT + its index.
  baseURL: async ({ baseURL }, use, testInfo) => {
    await use(baseURL?.replace(/:(\d+)$/, (_, p: string) => `:${Number(p) + testInfo.parallelIndex}`));
  },
  closeContexts: [
    async ({ browser }, use) => {
      const before = new Set(browser.contexts());
      await use();
      await Promise.all(browser.contexts().filter((c) => !before.has(c)).map((c) => c.close().catch(() => undefined)));
    },
    { auto: true },
  ],
});
