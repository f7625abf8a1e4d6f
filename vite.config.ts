import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  plugins: [
    svelte(),
    VitePWA({
      // A new version waits for the user (src/ui/UpdatePrompt.svelte): it must never swap code
      // under a running node. The app registers the worker itself (virtual:pwa-register/svelte).
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        id: '/',
        name: 'tabchain',
        short_name: 'tabchain',
        description: 'A proof-of-work blockchain whose every node is a browser tab.',
        theme_color: '#0f172a',
        background_color: '#0f172a',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        // The app shell: index.html, every JS chunk (the miner worker too), CSS, icons and the
        // manifest (everything in public/ is matched here, so no includeAssets is needed).
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        // Any navigation (`/?network=test` included) gets the cached shell, online or not.
        navigateFallback: 'index.html',
        // A `?signal=` link goes to the network: the server's Content-Security-Policy for it lets
        // the tab reach that signaling server; the cached shell's policy would not.
        navigateFallbackDenylist: [/^\/signal/, /^\/health/, /[?&]signal=/],
        // The first visit's tab is controlled at once, so it works offline without a reload.
        // Updates still wait for the prompt: a new worker activates only on the user's say-so.
        clientsClaim: true,
        cleanupOutdatedCaches: true,
      },
      // The manifest's icons are already in globPatterns: don't list them twice.
      includeManifestIcons: false,
    }),
  ],
  // DIST_DIR lets parallel checkouts or test runs build side by side (default dist/).
  build: { target: 'es2022', outDir: process.env.DIST_DIR ?? 'dist' },
  worker: { format: 'es' },
});
