/**
 * The built app the browser benchmarks serve: built when missing, and a note when it is older
 * than the sources (its numbers would be of the old build).
 */
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** DIST_DIR as for `npm run build` (vite.config.ts), so a run can use a build of its own. */
export const dist = join(root, process.env.DIST_DIR ?? 'dist');

/** Newest modification time of the files under `dir` that go into the build (tests do not). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing; returns a note when src/ changed after the last build. */
export function ensureBuilt(): string[] {
  if (!existsSync(join(dist, 'index.html'))) {
    console.log('dist/ is missing: building the app first (npm run build)…');
    execSync('npm run build', { cwd: root, stdio: 'inherit' });
    return [];
  }
  const built = statSync(join(dist, 'index.html')).mtimeMs;
  return newestMtime(join(root, 'src')) > built ? ['src/ changed after dist/ was built: these numbers are of the old build (npm run build to refresh)'] : [];
}
