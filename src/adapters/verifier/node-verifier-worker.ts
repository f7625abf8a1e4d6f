/**
 * @module A {@link VerifierWorker} backed by a worker_threads thread running
 * `verifier.node-worker.ts`, so the headless node verifies signatures on every core with the
 * browser's worker code. The thread loads TypeScript through tsx, as the miner's threads do.
 */
import { Worker, type TransferListItem } from 'node:worker_threads';
import type { VerifierWorker } from './worker-pool-verifier.ts';
import type { VerifierResponse } from './verifier-messages.ts';

const entry = new URL('./verifier.node-worker.ts', import.meta.url);
// A thread does not inherit its parent's loaders: register tsx in it, then load the entry.
const tsxApi = import.meta.resolve('tsx/esm/api');
const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;

export function createNodeVerifierWorker(): VerifierWorker {
  const thread = new Worker(bootstrap, { eval: true });
  // An idle verifier thread must not keep a stopping process alive; one with batches in flight
  // must, or a script awaiting only its answers would end before they come.
  thread.unref();
  let inFlight = 0;
  const worker: VerifierWorker = {
    postMessage: (message, transfer) => {
      if (inFlight++ === 0) thread.ref();
      thread.postMessage(message, transfer as unknown as TransferListItem[]);
    },
    terminate: () => void thread.terminate(),
    onmessage: null,
    onerror: null,
  };
  thread.on('message', (data: VerifierResponse) => {
    if (--inFlight === 0) thread.unref();
    worker.onmessage?.({ data } as MessageEvent<VerifierResponse>);
  });
  thread.on('error', (error: Error) => worker.onerror?.({ message: error.message, error } as ErrorEvent));
  return worker;
}
