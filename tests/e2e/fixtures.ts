/**
 * The `test` every browser spec uses: Playwright's, plus one automatic fixture that closes the
 * browser contexts a test opened itself (`browser.newContext()`), even when it failed. A context
 * left open is a tab still on the signaling server, a peer the next test would meet.
 */
import { test as base } from '@playwright/test';

export { expect } from '@playwright/test';
export type { Browser, BrowserContext, Locator, Page } from '@playwright/test';

export const test = base.extend<{ closeContexts: void }>({
  closeContexts: [
    async ({ browser }, use) => {
      const before = new Set(browser.contexts());
      await use();
      await Promise.all(browser.contexts().filter((c) => !before.has(c)).map((c) => c.close().catch(() => undefined)));
    },
    { auto: true },
  ],
});
