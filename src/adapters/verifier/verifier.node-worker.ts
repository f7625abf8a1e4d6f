/**
 * @module The signature verifier's worker under Node (worker_threads) for the headless node: the
 * browser worker's loop ({@link serveVerifier}), wired to `parentPort` instead of a worker's
 * global scope.
 */
import { parentPort, type TransferListItem } from 'node:worker_threads';
import { serveVerifier, type VerifierScope } from './verifier.worker.ts';
import type { VerifyRequest } from './verifier-messages.ts';

if (parentPort) {
  const port = parentPort;
  const scope: VerifierScope = { postMessage: (message, transfer) => port.postMessage(message, transfer as unknown as TransferListItem[]), onmessage: null };
  port.on('message', (data: VerifyRequest) => scope.onmessage?.({ data } as MessageEvent<VerifyRequest>));
  serveVerifier(scope);
}
