/**
 * Playwright for the NAT lab (tests/lab/README.md): run by tests/lab/run.sh (npm run test:lab),
 * which checks that this machine can build the lab first. The specs launch their own Chromium
 * inside each home namespace, so there is no `use.launchOptions` and no webServer here: the app
 * server runs on the lab's public host (global-setup.ts).
 */
import { defineConfig } from '@playwright/test';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: join(root, process.env.E2E_OUTPUT_DIR ?? 'test-results-lab'),
  globalSetup: './global-setup.ts',
  // One lab, one scenario at a time: the homes are rebuilt for each.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  timeout: 150_000,
  expect: { timeout: 10_000 },
});
