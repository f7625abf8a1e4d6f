/**
 * Renders public/icon.svg to the PNG icons of the web app manifest and of iOS, with headless
 * Chromium through Playwright: `npx tsx scripts/make-icons.ts`. Run it again after changing the
 * SVG; the PNGs are committed.
 *
 * - icon-192.png, icon-512.png: the logo as it is (rounded square, transparent corners)
 * - icon-maskable-512.png: the logo scaled into the inner 80% (the maskable safe zone) on a
 *   full-bleed background, so any mask shape the platform applies keeps the whole logo
 * - apple-touch-icon.png (180): full-bleed too, since iOS rounds the corners itself
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.ts';

const here = dirname(fileURLToPath(import.meta.url));
const publicDir = join(here, '..', 'public');
const BACKGROUND = '#0f172a';

interface IconSpec {
  file: string;
  size: number;
  /** Share of the canvas the logo takes (centred). */
  scale: number;
  /** Background behind the logo, or null for a transparent one. */
  background: string | null;
}

const icons: IconSpec[] = [
  { file: 'icon-192.png', size: 192, scale: 1, background: null },
  { file: 'icon-512.png', size: 512, scale: 1, background: null },
  { file: 'icon-maskable-512.png', size: 512, scale: 0.8, background: BACKGROUND },
  { file: 'apple-touch-icon.png', size: 180, scale: 1, background: BACKGROUND },
];

const svg = readFileSync(join(publicDir, 'icon.svg'), 'utf8');
const dataUrl = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;

const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
try {
  for (const icon of icons) {
    const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size }, deviceScaleFactor: 1 });
    const logo = Math.round(icon.size * icon.scale);
    const offset = Math.round((icon.size - logo) / 2);
    await page.setContent(
      `<!doctype html><html><body style="margin:0;width:${icon.size}px;height:${icon.size}px;overflow:hidden;background:${icon.background ?? 'transparent'}">` +
        `<img src="${dataUrl}" width="${logo}" height="${logo}" style="position:absolute;left:${offset}px;top:${offset}px;display:block" alt="">` +
        `</body></html>`,
    );
    await page.locator('img').evaluate((img: HTMLImageElement) => img.decode());
    await page.screenshot({
      path: join(publicDir, icon.file),
      clip: { x: 0, y: 0, width: icon.size, height: icon.size },
      omitBackground: icon.background === null,
    });
    await page.close();
    console.log(`public/${icon.file} (${icon.size}×${icon.size})`);
  }
} finally {
  await browser.close();
}
