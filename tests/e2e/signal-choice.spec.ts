/**
 * The signaling server a tab uses is visible, and a link cannot move a tab to another one
 * silently (issue 12, part 6): the Network view shows the URL in use; a `?signal=` of another
 * origin is used only after the user agreed, and the answer, yes or no, is remembered per URL.
 * `localhost` is another origin than the test server's `127.0.0.1`, yet the same server, so the
 * tab can really connect through it.
 */
import { expect, test, type Page } from './fixtures.ts';

async function networkViewUrl(page: Page): Promise<string> {
  await page.evaluate(() => window.tabchain.ready());
  await page.evaluate(() => (location.hash = '#/network'));
  const shown = page.getByTestId('signaling-url');
  await expect(shown).not.toHaveText('');
  return (await shown.textContent()) ?? '';
}

test('behavior: the Network view shows the signaling URL in use; the page’s own needs no question', async ({ page, baseURL }) => {
  const own = `${baseURL!.replace('http', 'ws')}/signal`;
  await page.goto('/?network=regtest');
  expect(await networkViewUrl(page)).toBe(own);
  await expect(page.getByTestId('signaling')).toHaveAttribute('data-status', 'online', { timeout: 15_000 });
  await page.goto(`/?network=regtest&signal=${encodeURIComponent(own)}`);
  expect(await networkViewUrl(page)).toBe(own);
  await expect(page.getByTestId('signal-consent')).toHaveCount(0);
});

test('behavior: a ?signal= of another origin asks first; "Use it" connects through it and is remembered', async ({ page, baseURL }) => {
  const other = `${baseURL!.replace('http://127.0.0.1', 'ws://localhost')}/signal`;
  // The server's Content-Security-Policy lets the tab reach the server it was sent to, and the dialog breaks no rule.
  const violations: string[] = [];
  page.on('console', (m) => void (/Content Security Policy/i.test(m.text()) && violations.push(m.text())));
  await page.goto(`/?network=regtest&signal=${encodeURIComponent(other)}`);
  const dialog = page.getByRole('dialog', { name: 'Use another signaling server?' });
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('signal-consent-url')).toHaveText(other);
  // Nothing has started behind the question: no node, no signaling socket.
  expect(await page.evaluate(() => typeof (window as unknown as { tabchain?: unknown }).tabchain)).toBe('undefined');
  await expect(page.getByRole('button', { name: 'Use it' })).toBeFocused();
  await page.getByRole('button', { name: 'Use it' }).click();
  expect(await networkViewUrl(page)).toBe(other);
  await expect(page.getByTestId('signaling')).toHaveAttribute('data-status', 'online', { timeout: 15_000 });
  // Asked once: the same link again goes straight through.
  await page.reload();
  expect(await networkViewUrl(page)).toBe(other);
  await expect(page.getByTestId('signal-consent')).toHaveCount(0);
  expect(violations).toEqual([]);
});

test('behavior: "Use this site’s own" keeps the page’s own server, and is remembered too', async ({ page, baseURL }) => {
  const own = `${baseURL!.replace('http', 'ws')}/signal`;
  const other = 'wss://signal.attacker.example/signal';
  await page.goto(`/?network=regtest&signal=${encodeURIComponent(other)}`);
  await expect(page.getByTestId('signal-consent')).toBeVisible();
  await page.getByRole('button', { name: "Use this site's own" }).click();
  expect(await networkViewUrl(page)).toBe(own);
  await page.reload();
  expect(await networkViewUrl(page)).toBe(own);
  await expect(page.getByTestId('signal-consent')).toHaveCount(0);
});
