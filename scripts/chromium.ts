/**
 * Which Chromium the browser tests, benchmarks and screenshots use, and how it is started.
 * Playwright cannot download its own browser where there is no internet: the system Chromium
 * (CHROMIUM_PATH, or Debian's /usr/bin/chromium) is used when there is one.
 */
import { existsSync } from 'node:fs';

/** Flags for headless Chromium as root on a machine without internet. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Flags for a WebGPU adapter without a GPU (SwiftShader's Vulkan, which Debian's Chromium ships):
 * the WebGPU miner's spec and benchmark. The default flags' --disable-gpu leaves `navigator.gpu`
 * without an adapter.
 */
export const WEBGPU_ARGS = [...CHROMIUM_ARGS.filter((arg) => arg !== '--disable-gpu'), '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

/** The system Chromium, or undefined to let Playwright use its own. */
export function chromiumPath(): string | undefined {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return existsSync(path) ? path : undefined;
}
