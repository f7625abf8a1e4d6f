/**
 * The network view (issue "App UI"), driven by clicks: two tabs link through the signaling
 * server; the view lists the other tab with its state and height, bans it with the row's button
 * (it moves to the bans list) and unbans it. The API is used only to set up and to read ids.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from './fixtures.ts';

test.describe.configure({ timeout: 90_000 });

interface Tab {
  context: BrowserContext;
  page: Page;
}

async function tab(browser: Browser): Promise<Tab> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/?network=test');
  await page.evaluate(() => window.tabchain.ready());
  return { context, page };
}

const peerId = (t: Tab) => t.page.evaluate(async () => (await window.tabchain.self()).peerId);
const readyPeers = (t: Tab) => t.page.evaluate(async () => (await window.tabchain.peers()).filter((p) => p.state === 'ready').length);

test('behavior: the network view lists a linked tab as ready with its height, bans it by the button and unbans it', async ({ browser }) => {
  const b = await tab(browser);
  await b.page.evaluate(() => window.tabchain.mine(2));
  const a = await tab(browser);
  try {
    const { page } = a;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await expect.poll(() => readyPeers(a), { timeout: 30_000 }).toBe(1);
    const [idA, idB] = await Promise.all([peerId(a), peerId(b)]);

    await page.getByRole('navigation').getByRole('link', { name: 'Network' }).click();
    const network = page.getByRole('region', { name: 'Network', exact: true });
    await expect(network.getByTestId('peer-id')).toHaveText(idA);
    await expect(network.getByTestId('signaling')).toHaveText('Connected');

    const peers = page.getByRole('region', { name: 'Peers', exact: true });
    const row = peers.getByTestId('peer').filter({ has: page.locator(`[title="${idB}"]`) });
    await expect(row).toHaveCount(1);
    await expect(row.getByRole('rowheader')).toHaveText(`${idB.slice(0, 8)}…`);
    await expect(row.getByTestId('peer-state')).toHaveText('Ready');
    await expect(row.getByTestId('peer-height')).toHaveText('2');
    await expect(row.getByRole('cell', { name: /^(Inbound|Outbound)$/ })).toBeVisible();

    // Sync now: A already has B's chain.
    await network.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.getByTestId('network-outcome')).toHaveText('Your chain is already the best your peers know (height 2).', { timeout: 30_000 });

    const bans = page.getByRole('region', { name: 'Banned peers', exact: true });
    await expect(bans.getByText('No banned peers.')).toBeVisible();
    await row.getByRole('button', { name: /^Ban/ }).click();
    await expect(page.getByTestId('network-outcome')).toHaveText(`Banned peer ${idB.slice(0, 8)}….`);
    const ban = bans.getByTestId('ban');
    await expect(ban).toHaveCount(1);
    await expect(ban.getByRole('rowheader')).toHaveText(`${idB.slice(0, 8)}…`);
    await expect(ban).toContainText('Banned by you');
    await expect(peers.getByTestId('peer')).toHaveCount(0);
    await expect(peers.getByText('No peers yet.', { exact: false })).toBeVisible();

    await ban.getByRole('button', { name: /^Unban/ }).click();
    await expect(bans.getByTestId('ban')).toHaveCount(0);
    await expect(bans.getByText('No banned peers.')).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('error: the max peers setting refuses numbers outside 0 to 64 and applies a valid one', async ({ browser }) => {
  const a = await tab(browser);
  try {
    const { page } = a;
    await page.getByRole('navigation').getByRole('link', { name: 'Network' }).click();
    const network = page.getByRole('region', { name: 'Network', exact: true });
    const field = network.getByLabel('Max peers');
    const apply = network.getByRole('button', { name: 'Apply' });
    await expect(field).toHaveValue('8');

    await field.fill('65');
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await expect(network.getByText('Enter a whole number from 0 to 64.')).toBeVisible();
    await expect(apply).toBeDisabled();

    await field.fill('3');
    await expect(field).toHaveAttribute('aria-invalid', 'false');
    await apply.click();
    await expect(page.getByTestId('network-outcome')).toHaveText('This tab now links to at most 3 peers.');
  } finally {
    await a.context.close();
  }
});
