/// <reference types="vite-plugin-pwa/svelte" />
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** wss:// URL of the signaling server, for a build served from a static host (docs/deploy.md). */
  readonly VITE_SIGNAL_URL?: string;
}
