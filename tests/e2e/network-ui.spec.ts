/**
 * The network view (issue "App UI"), driven by clicks: two tabs link through the signaling
 * server; the view lists the other tab with its state and height, bans it with the row's button
 * (it moves to the bans list) and unbans it. The API is used only to set up and to read ids.
 */
import { expect, openTestTab, test, type Tab } from './fixtures.ts';

test.describe.configure({ timeout: 90_000 });

const tab = openTestTab;

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

test('behavior: each link shows its path (direct on one machine) with its RTT, and the connectivity check says direct links work', async ({ browser }) => {
  const a = await tab(browser);
  const b = await tab(browser);
  try {
    await expect.poll(() => readyPeers(a), { timeout: 30_000 }).toBe(1);
    // The path is read from getStats every few seconds; the API has it once ICE selected a pair.
    await expect
      .poll(async () => (await a.page.evaluate(() => window.tabchain.peers()))[0]?.route ?? null, { timeout: 30_000 })
      .toBe('direct');
    const [link] = await a.page.evaluate(() => window.tabchain.peers());
    expect(link).toMatchObject({ path: 'host', remotePath: 'host', route: 'direct' });
    const connectivity = await a.page.evaluate(() => window.tabchain.connectivity());
    expect(connectivity).toMatchObject({ verdict: 'direct', iceSource: 'none', relayConfigured: false });
    expect(connectivity.connectionsCreated).toBeGreaterThanOrEqual(1);
    expect(connectivity.connectionsLive).toBeLessThanOrEqual(connectivity.connectionBudget);

    const { page } = a;
    await page.getByRole('navigation').getByRole('link', { name: 'Network' }).click();
    const peers = page.getByRole('region', { name: 'Peers', exact: true });
    await expect(peers.getByTestId('peer-route')).toContainText('Direct (LAN)');
    const check = page.getByRole('region', { name: 'Connectivity', exact: true });
    await expect(check.getByTestId('connectivity')).toHaveText('Direct links work');
    await expect(check.getByTestId('connection-budget')).toContainText(/WebRTC connections: \d+ created/);
    await expect(check.getByTestId('ice-source')).toHaveText('ICE servers: none (links work on one LAN or machine only)');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('error: the ICE servers setting names the line at fault, keeps a valid list across a reload, and goes back to the server\'s', async ({ browser }) => {
  const a = await tab(browser);
  try {
    const { page } = a;
    await page.getByRole('navigation').getByRole('link', { name: 'Network' }).click();
    const check = page.getByRole('region', { name: 'Connectivity', exact: true });
    const field = check.getByLabel('STUN and TURN servers, one per line');

    await field.fill('stun:stun.example.org:3478\nturn:turn.example.org:3478');
    await check.getByRole('button', { name: 'Save' }).click();
    await expect(check.getByRole('alert')).toContainText('line 2: a TURN server needs a username and a credential');
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(await page.evaluate(() => window.tabchain.iceServers())).toBeNull();

    await field.fill('stun:stun.example.org:3478\nturn:turn.example.org:3478 alice s3cret');
    await check.getByRole('button', { name: 'Save' }).click();
    await expect(check.getByTestId('ice-outcome')).toHaveText('New links use your 2 ICE servers.');
    await expect(check.getByTestId('ice-source')).toHaveText('ICE servers: 2 of your own');

    await page.reload();
    await page.evaluate(() => window.tabchain.ready());
    expect(await page.evaluate(() => window.tabchain.iceServers())).toEqual([
      { urls: ['stun:stun.example.org:3478'] },
      { urls: ['turn:turn.example.org:3478'], username: 'alice', credential: 's3cret' },
    ]);
    expect(await page.evaluate(() => window.tabchain.connectivity())).toMatchObject({ iceSource: 'user', relayConfigured: true });
    await expect(page.getByLabel('STUN and TURN servers, one per line')).toHaveValue('stun:stun.example.org:3478\nturn:turn.example.org:3478 alice s3cret');

    await page.getByRole('button', { name: "Use the server's" }).click();
    await expect(page.getByTestId('ice-outcome')).toHaveText("New links use the signaling server's ICE servers.");
    expect(await page.evaluate(() => window.tabchain.iceServers())).toBeNull();
    await expect(page.getByLabel('STUN and TURN servers, one per line')).toHaveValue('');
  } finally {
    await a.context.close();
  }
});
