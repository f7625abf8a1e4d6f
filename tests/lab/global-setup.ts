/**
 * The lab's global set-up: the backbone, the public host with coturn and the app server (from
 * DIST_DIR, default dist-lab). Its returned function is the global teardown: it stops both and
 * removes every lab namespace (the runner, run.sh, removes them too if this process dies).
 */
import { join } from 'node:path';
import { root, startLab, stateDir } from './lab.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const lab = await startLab({ dist: join(root, process.env.DIST_DIR ?? 'dist-lab') });
  console.log(`lab: app servers at ${Object.values(lab.info.urls).join(', ')} (logs in ${stateDir})`);
  return () => lab.stop();
}
