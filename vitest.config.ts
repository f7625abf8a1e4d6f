import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Unit and cross-layer tests run in Node; browser behaviour is covered by Playwright (tests/e2e).
// The Svelte plugin compiles `.svelte.ts` modules (runes) for the UI's state tests.
export default defineConfig({
  plugins: [svelte()],
  test: {
    include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts', 'signaling-server/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
