import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './scripts/chromium.ts';

// Playwright cannot download its own browser on machines without internet; use the system
// Chromium when there is one (CHROMIUM_PATH or Debian's /usr/bin/chromium).
const executablePath = chromiumPath();
const port = Number(process.env.E2E_PORT ?? 4173);
// Specs run in E2E_WORKERS workers (default 2), each against a server of its own (E2E_PORT + the
// worker's index, fixtures.ts), so the tabs of one spec never meet another's on the signaling
// server. Most specs spend their time waiting on the network, so two halve the wall time.
const workers = Math.max(1, Number(process.env.E2E_WORKERS ?? 2));

export default defineConfig({
  testDir: 'tests/e2e',
  // Separate output (and DIST_DIR, E2E_PORT) let two runs share a checkout.
  outputDir: process.env.E2E_OUTPUT_DIR ?? 'test-results',
  fullyParallel: false,
  workers,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  timeout: 60_000,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    ...devices['Desktop Chrome'],
    launchOptions: {
      executablePath,
      args: CHROMIUM_ARGS,
    },
  },
  // The first server builds the app (unless E2E_PREBUILT says DIST_DIR holds a fresh build, as
  // scripts/test-browsers.sh does); the others start once it is up (Playwright starts them in
  // order), on the same build.
  webServer: Array.from({ length: workers }, (_, i) => ({
    command: i === 0 && !process.env.E2E_PREBUILT ? `npm run build && npx tsx scripts/start.ts` : `npx tsx scripts/start.ts`,
    env: { PORT: String(port + i) },
    url: `http://127.0.0.1:${port + i}/health`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
    stdout: 'ignore' as const,
  })),
});
