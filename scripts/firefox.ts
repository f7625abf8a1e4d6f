/**
 * Stock Firefox for the browser tests and benchmarks. Playwright drives only its own patched
 * Firefox build, which cannot be downloaded where there is no internet; the Firefox people use
 * (Debian's firefox-esr here) is driven over WebDriver BiDi with puppeteer-core instead.
 *
 * Firefox keeps its default settings: puppeteer's launcher adds only its automation preferences
 * (no update checks, no first-run pages) and grants no permission, so a prompt a user would see
 * (persistent storage, notifications) stays unanswered, as it would for them.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

export type { Browser as FirefoxBrowser, Page as FirefoxPage } from 'puppeteer-core';

/** FIREFOX_PATH, else Debian's firefox-esr, else a system firefox; undefined when there is none. */
export function firefoxPath(): string | undefined {
  const candidates = process.env.FIREFOX_PATH ? [process.env.FIREFOX_PATH] : ['/usr/bin/firefox-esr', '/usr/bin/firefox'];
  return candidates.find((path) => existsSync(path));
}

/**
 * Starts headless Firefox at `executablePath` with a fresh temporary profile (removed on close).
 * Works as root: Firefox needs no sandbox flag, only a writable profile, which puppeteer makes.
 * `prefs` are extra about:config preferences (e.g. `network.dns.localDomains` to resolve a
 * test host name to 127.0.0.1); none by default.
 */
export async function launchFirefox(executablePath: string, options: { prefs?: Record<string, unknown> } = {}): Promise<Browser> {
  return await puppeteer.launch({
    browser: 'firefox',
    executablePath,
    protocol: 'webDriverBiDi',
    headless: true,
    // Firefox's first start with a new profile can take a while on a busy machine.
    timeout: 120_000,
    ...(options.prefs ? { extraPrefsFirefox: options.prefs } : {}),
  });
}
