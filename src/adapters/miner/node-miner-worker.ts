/**
 * @module A {@link MinerWorker} backed by a worker_threads thread running `miner.node-worker.ts`,
 * so the headless node's `WorkerPoolMiner` mines on every core with the browser's kernel. The
 * thread loads TypeScript through tsx (a runtime dependency), as the node itself does.
 */
import { Worker } from 'node:worker_threads';
import type { MinerWorker } from './worker-pool-miner.ts';
import type { MinerResponse } from './miner-messages.ts';

const entry = new URL('./miner.node-worker.ts', import.meta.url);
// A thread does not inherit its parent's loaders: register tsx in it, then load the entry. tsx is
// resolved from here, not from the process's working directory (the node may run from anywhere).
const tsxApi = import.meta.resolve('tsx/esm/api');
const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;

export function createNodeMinerWorker(): MinerWorker {
  const thread = new Worker(bootstrap, { eval: true });
  // A mining thread must not keep a stopping process alive.
  thread.unref();
  const worker: MinerWorker = {
    postMessage: (message) => thread.postMessage(message),
    terminate: () => void thread.terminate(),
    onmessage: null,
    onerror: null,
  };
  thread.on('message', (data: MinerResponse) => worker.onmessage?.({ data } as MessageEvent<MinerResponse>));
  thread.on('error', (error: Error) => worker.onerror?.({ message: error.message, error } as ErrorEvent));
  return worker;
}
