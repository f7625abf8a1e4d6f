import { expect, test } from './fixtures.ts';

test('behavior: the app shell opens with its title and the default network', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page).toHaveTitle('tabchain');
  await expect(page.getByRole('heading', { name: 'tabchain' })).toBeVisible();
  await expect(page.getByTestId('network')).toHaveText('main');
  await expect(page.getByTestId('genesis')).toHaveText(/^[0-9a-f]{64}$/);
  expect(errors).toEqual([]);
});

test('behavior: ?network=test selects the test network', async ({ page }) => {
  await page.goto('/?network=test');
  await expect(page.getByTestId('network')).toHaveText('test');
});
