/// <reference types="vite-plugin-pwa/svelte" />
