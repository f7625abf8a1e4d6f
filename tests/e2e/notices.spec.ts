/**
 * Issue 13, part 2: notices go away by themselves and never cover the page. They live in a strip
 * below the scrolling page, so while one shows, the page is shorter, not covered; at 1280×900
 * and on a phone.
 */
import { expect, test, type Page } from './fixtures.ts';

/** The page's box ends where the notices' strip begins: no pixel of one is under the other. */
async function noticesCoverNothing(page: Page): Promise<void> {
  const pageBox = (await page.getByTestId('page').boundingBox())!;
  const notices = (await page.getByTestId('notices').boundingBox())!;
  expect(notices.height).toBeGreaterThan(0);
  expect(pageBox.y + pageBox.height).toBeLessThanOrEqual(notices.y + 0.5);
  // And the page's last content can still be scrolled into view above the strip.
  const footer = page.locator('footer');
  await footer.scrollIntoViewIfNeeded();
  const footerBox = (await footer.boundingBox())!;
  expect(footerBox.y + footerBox.height).toBeLessThanOrEqual(notices.y + 0.5);
}

for (const [name, viewport] of [
  ['a 1280×900 window', { width: 1280, height: 900 }],
  ['a phone', { width: 390, height: 844 }],
] as const) {
  test(`behavior: on ${name}, "ready to work offline" and a found block's notice cover nothing and go by themselves`, async ({ browser }) => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto('/?network=regtest#/wallet');
    await page.evaluate(() => window.tabchain.ready());

    // The service worker's first install says the app works offline, once.
    const offline = page.getByTestId('offline-ready');
    await expect(offline).toBeVisible({ timeout: 30_000 });
    await noticesCoverNothing(page);
    await expect(offline).toBeHidden({ timeout: 20_000 });

    // Mining fills the wallet's history; the notice of the found blocks sits below it.
    await page.evaluate(() => window.tabchain.mine(3));
    const found = page.getByTestId('notice-block-found');
    await expect(found).toBeVisible();
    await noticesCoverNothing(page);
    await expect(found).toBeHidden({ timeout: 20_000 });
    // Gone, the strip takes no room: the page reaches the bottom of the window.
    const pageBox = (await page.getByTestId('page').boundingBox())!;
    expect(pageBox.y + pageBox.height).toBeGreaterThanOrEqual(viewport.height - 1);
  });
}
