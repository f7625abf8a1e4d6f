import { defineConfig } from 'vitest/config';

// Unit and cross-layer tests run in Node; browser behaviour is covered by Playwright (tests/e2e).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts', 'signaling-server/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
