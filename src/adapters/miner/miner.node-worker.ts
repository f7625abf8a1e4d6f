/**
 * @module The miner's worker under Node (worker_threads) for the headless node: the same search
 * loop as the browser's Web Worker ({@link serveMiner}), wired to `parentPort` instead of a
 * worker's global scope.
 */
import { parentPort } from 'node:worker_threads';
import { serveMiner, type MinerScope } from './miner.worker.ts';
import type { MinerRequest } from './miner-messages.ts';

if (parentPort) {
  const port = parentPort;
  const scope: MinerScope = { postMessage: (message) => port.postMessage(message), onmessage: null };
  port.on('message', (data: MinerRequest) => scope.onmessage?.({ data } as MessageEvent<MinerRequest>));
  serveMiner(scope);
}
