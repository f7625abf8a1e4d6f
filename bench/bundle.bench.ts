/**
 * The app's download: every file of the built app (dist/) with its size raw and gzipped (level 9,
 * what a static server with compression sends), largest first, grouped as the service worker sees
 * them: what the first visit loads (index.html and what it links), the miner worker, the rest of
 * the precached shell. Sizes, not speeds: the build is deterministic, so there is one round.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { dist, ensureBuilt } from './built-app.ts';
import { formatNumber, isMain } from './harness.ts';

interface FileSize {
  path: string;
  raw: number;
  gzip: number;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

function kib(bytes: number): string {
  return `${formatNumber(bytes / 1024)} KiB`;
}

export async function run(): Promise<void> {
  const notes = ensureBuilt();
  const files: FileSize[] = walk(dist)
    .filter((p) => statSync(p).isFile())
    .map((p) => {
      const bytes = readFileSync(p);
      return { path: relative(dist, p), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    })
    .sort((a, b) => b.gzip - a.gzip);

  // What index.html pulls in on a first visit: its scripts, module preloads and stylesheets.
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const linked = new Set([...html.matchAll(/(?:src|href)="\/?([^"]+\.(?:js|css))"/g)].map((m) => m[1]!));
  const initial = files.filter((f) => f.path === 'index.html' || linked.has(f.path));
  const code = files.filter((f) => /\.(js|css|html)$/.test(f.path));

  const header = ['file', 'raw', 'gzip', 'first load'];
  const rows = code.map((f) => [f.path, kib(f.raw), kib(f.gzip), initial.includes(f) ? 'yes' : '']);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log('\n== app bundle: every code chunk of dist/, raw and gzip -9, largest first');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  const sum = (list: FileSize[], key: 'raw' | 'gzip'): number => list.reduce((s, f) => s + f[key], 0);
  console.log('');
  console.log(`  first load (index.html + what it links): ${kib(sum(initial, 'gzip'))} gzip (${kib(sum(initial, 'raw'))} raw) in ${initial.length} files`);
  console.log(`  all code (js, css, html): ${kib(sum(code, 'gzip'))} gzip (${kib(sum(code, 'raw'))} raw) in ${code.length} files`);
  console.log(`  everything in dist/ (icons, manifest and service worker too): ${kib(sum(files, 'gzip'))} gzip (${kib(sum(files, 'raw'))} raw) in ${files.length} files`);
  for (const n of notes) console.log(`  note: ${n}`);
}

if (isMain(import.meta.url)) await run();
