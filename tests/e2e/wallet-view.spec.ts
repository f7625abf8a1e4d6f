/**
 * The wallet view as a new user meets it (issue 13, part 3), driven as a person would: the
 * balance's parts (pending change apart from pending incoming, available = confirmed + change),
 * the Sent message (its txid a link to the explorer, no word broken across lines), a payment made
 * with no peer (queued until one has it) and a miner's history (mined coins hidden, pages).
 * The API sets up (mining) and reads what the page should agree with.
 */
import { expect, openTestTab, test, type Page, type Tab } from './fixtures.ts';

test.describe.configure({ timeout: 90_000 });

const COIN = 100_000_000n;
const coins = (units: bigint) => {
  const whole = units / COIN;
  const frac = (units % COIN).toString().padStart(8, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
};

async function readyPeers(page: Page): Promise<number> {
  return (await page.evaluate(() => window.tabchain.peers())).filter((p) => p.state === 'ready').length;
}

async function linkedTabs(browser: Parameters<typeof openTestTab>[0]): Promise<[Tab, Tab]> {
  const a = await openTestTab(browser);
  const b = await openTestTab(browser);
  await expect.poll(() => readyPeers(a.page), { timeout: 30_000 }).toBeGreaterThan(0);
  return [a, b];
}

async function pay(page: Page, to: string, amount: string): Promise<string> {
  await page.getByLabel('Pay to').fill(to);
  await page.getByLabel('Amount').fill(amount);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByLabel('Amount')).toHaveValue('');
  return (await page.getByTestId('sent-txid').getAttribute('data-txid'))!;
}

test('behavior: A pays B: A sees its change as pending change (available to spend), B sees pending incoming (not available); after a block both are confirmed', async ({ browser }) => {
  const [a, b] = await linkedTabs(browser);
  await a.page.evaluate(() => window.tabchain.mine(6)); // two mature 50-coin coinbases
  await expect(a.page.getByTestId('balance-confirmed')).toHaveText('100');
  await expect(a.page.getByTestId('balance-available')).toHaveText('100');
  const addressB = (await b.page.getByTestId('address').textContent())!.trim();

  const txid = await pay(a.page, addressB, '12.5');
  const { fee } = (await a.page.evaluate((id) => window.tabchain.chain.tx(id), txid)) as unknown as { fee: string };
  // One 50-coin coin went into the payment: 37.5 − fee comes back as change.
  const change = coins(50n * COIN - 125n * (COIN / 10n) - BigInt(fee));
  await expect(a.page.getByTestId('balance-pending-change')).toHaveText(change);
  await expect(a.page.getByTestId('balance-pending-incoming')).toHaveText('0');
  await expect(a.page.getByTestId('balance-confirmed')).toHaveText('50');
  await expect(a.page.getByTestId('balance-available')).toHaveText(coins(50n * COIN + 375n * (COIN / 10n) - BigInt(fee)));
  await expect(a.page.getByText(`you have ${coins(50n * COIN + 375n * (COIN / 10n) - BigInt(fee))} coins available to spend`)).toBeVisible();
  // The help says the same rule the numbers follow.
  await expect(a.page.getByText(/Available to spend = confirmed coins \+ the change of your own payments/)).toBeVisible();

  await expect(b.page.getByTestId('balance-pending-incoming')).toHaveText('12.5', { timeout: 30_000 });
  // The notice names the unit too.
  await expect(b.page.getByText('Payment received: 12.5 coins')).toBeVisible();
  await expect(b.page.getByTestId('balance-pending-change')).toHaveText('0');
  await expect(b.page.getByTestId('balance-available')).toHaveText('0');
  // B cannot spend coins that wait for a block: the form says so and sends nothing.
  await b.page.getByLabel('Pay to').fill(addressB);
  await b.page.getByLabel('Amount').fill('1');
  await expect(b.page.getByText('Amount is above your balance available to spend')).toBeVisible();
  await expect(b.page.getByRole('button', { name: 'Send' })).toBeDisabled();

  await a.page.evaluate(() => window.tabchain.mine(1));
  await expect(b.page.getByTestId('balance-confirmed')).toHaveText('12.5', { timeout: 30_000 });
  await expect(b.page.getByTestId('balance-pending-incoming')).toHaveText('0');
  await expect(b.page.getByTestId('balance-available')).toHaveText('12.5');
  await expect(a.page.getByTestId('balance-pending-change')).toHaveText('0');
  // 50 untouched + the change + the coinbase of block 3, mature now (block 7 may spend heights ≤ 3).
  await expect(a.page.getByTestId('balance-confirmed')).toHaveText(coins(50n * COIN + 375n * (COIN / 10n) - BigInt(fee) + 50n * COIN));
});

/**
 * How the element's visible text is laid out: how many lines it takes and the words that the
 * layout split across two lines (a word whose client rects start on different lines).
 */
async function wordLayout(page: Page, testId: string): Promise<{ lines: number; split: string[] }> {
  return page.getByTestId(testId).evaluate((root) => {
    const split: string[] = [];
    const tops = new Set<number>();
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement?.closest('.sr-only')) continue; // not laid out for the eye
      const text = node.textContent ?? '';
      for (const match of text.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const wordTops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        for (const top of wordTops) tops.add(top);
        if (wordTops.size > 1) split.push(match[0]);
      }
    }
    return { lines: tops.size, split };
  });
}

test('behavior: the Sent message links its txid to the explorer, says the fee in coins, and breaks no word even on a narrow phone', async ({ browser }) => {
  const [a] = await linkedTabs(browser);
  await a.page.setViewportSize({ width: 320, height: 800 });
  await a.page.evaluate(() => window.tabchain.mine(6));
  await expect(a.page.getByTestId('balance-confirmed')).toHaveText('100');
  const to = await a.page.evaluate(() => window.tabchain.wallet.newAddress());
  const txid = await pay(a.page, to, '1.5');
  expect(txid).toMatch(/^[0-9a-f]{64}$/);

  const result = a.page.getByTestId('send-result');
  await expect(result).toContainText('Sent:');
  await expect(result).toContainText(/\(fee [0-9.]+ coins\)/);
  const link = a.page.getByTestId('sent-txid');
  await expect(link).toHaveText(`Transaction ${txid.slice(0, 8)}…${txid.slice(-4)}`);
  await expect(link).toHaveAttribute('title', txid);
  // On 320 px the message takes more than one line, so the check for split words is a real one.
  const layout = await wordLayout(a.page, 'send-result');
  expect(layout.lines).toBeGreaterThan(1);
  expect(layout.split).toEqual([]);
  expect(await result.evaluate((e) => getComputedStyle(e).wordBreak)).not.toBe('break-all');

  // The balance card wraps between amounts, never inside one (a number stays with its unit).
  for (const id of ['balance-available', 'balance-confirmed', 'balance-pending-change', 'balance-pending-incoming', 'balance-immature']) {
    const amount = a.page.getByTestId(id).locator('..');
    await expect(amount).toContainText('coins');
    expect(await amount.evaluate((e) => getComputedStyle(e).whiteSpace)).toBe('nowrap');
    expect((await wordLayout(a.page, id)).lines).toBe(1);
  }

  await link.click();
  await expect(a.page).toHaveURL(new RegExp(`#/explorer/tx/${txid}$`));
  await expect(a.page.getByTestId('explorer-txid')).toHaveText(txid);
});

test('behavior: a payment made with no peer says Queued: waiting for a peer, its history row Waiting for a peer; once a second tab links, pending', async ({ browser }) => {
  // A tab alone on the signaling server: no peer at all.
  const a = await openTestTab(browser);
  await a.page.evaluate(() => window.tabchain.mine(6));
  await expect(a.page.getByTestId('balance-confirmed')).toHaveText('100');
  expect(await readyPeers(a.page)).toBe(0);
  const to = await a.page.evaluate(() => window.tabchain.wallet.newAddress());
  const txid = await pay(a.page, to, '2');

  const result = a.page.getByTestId('send-result');
  await expect(result).toContainText('Queued: waiting for a peer.');
  await expect(result).not.toContainText('Sent');
  const row = a.page.getByTestId('history-entry').filter({ hasText: txid.slice(0, 8) });
  await expect(row.getByTestId('history-status')).toHaveText('Waiting for a peer');
  expect(await a.page.evaluate((id) => window.tabchain.wallet.history().then((h) => h.find((e) => e.txid === id)), txid)).toMatchObject({ delivered: false });

  // A second tab links: the payment goes out to it, and both texts change.
  const b = await openTestTab(browser);
  await expect.poll(() => readyPeers(b.page), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(row.getByTestId('history-status')).toHaveText('pending', { timeout: 30_000 });
  await expect(result).toContainText('Sent:');
  await expect(result).not.toContainText('Queued');
});

test('behavior: a miner hides its mined coins to find a payment among 30 coinbases, pages to the older rows, and the choice stays for the tab', async ({ browser }) => {
  const [a, b] = await linkedTabs(browser);
  await a.page.evaluate(() => window.tabchain.mine(6));
  const addressB = (await b.page.getByTestId('address').textContent())!.trim();
  const txid = await pay(a.page, addressB, '3');
  await a.page.evaluate(() => window.tabchain.mine(25)); // the payment in block 7, then 24 more coinbases over it
  // Waited for by the history's own count (31 coinbases and the payment), not the tip's height:
  // once in CI the tip was 33, two blocks over these from some other tab of the worker's room
  // (which one was not found); what this test is about is the history.
  await expect(a.page.getByTestId('history-range')).toHaveText('1–20 of 32', { timeout: 30_000 });

  const payment = a.page.getByTestId('history-entry').filter({ hasText: txid.slice(0, 8) });
  const rows = a.page.getByTestId('history-entry');
  await expect(rows).toHaveCount(20);
  await expect(payment).toHaveCount(0); // buried on the second page

  await a.page.getByRole('button', { name: 'Older' }).click();
  await expect(a.page.getByTestId('history-range')).toHaveText('21–32 of 32');
  await expect(rows).toHaveCount(12);
  await expect(payment).toContainText('−3');
  await expect(payment).toContainText('coins');
  await expect(a.page.getByRole('button', { name: 'Older' })).toBeDisabled();
  await a.page.getByRole('button', { name: 'Newer' }).click();
  await expect(a.page.getByTestId('history-range')).toHaveText('1–20 of 32');

  await a.page.getByLabel('Show mined coins').uncheck();
  await expect(rows).toHaveCount(1);
  await expect(payment).toBeVisible();
  await expect(a.page.getByTestId('history-range')).toHaveCount(0);
  await expect(a.page.getByText('mined', { exact: true })).toHaveCount(0);

  // Kept for this tab across a reload.
  await a.page.reload();
  await a.page.evaluate(() => window.tabchain.ready());
  await expect(a.page.getByLabel('Show mined coins')).not.toBeChecked();
  await expect(payment).toBeVisible();
  await expect(rows).toHaveCount(1);
});
