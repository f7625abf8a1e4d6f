/**
 * @module The signature verification Web Worker (a module worker): verifies batches of BIP340
 * checks with core's `schnorrVerify` and answers one byte per check. It only verifies: what a
 * batch means (which tx, which block) stays with the core on the other side.
 *
 * Protocol in `verifier-messages.ts`. {@link serveVerifier} is exported so it runs against a fake
 * scope in tests and under worker_threads (`verifier.node-worker.ts`); the module wires it to its
 * own global scope only when it is loaded as a worker.
 */
// Straight from the module, not core/index.ts: the worker is its own bundle, and the index would
// pull in modules with load-time work (the networks build their genesis blocks) for nothing.
import { schnorrVerify } from '../../core/crypto/keys.ts';
import { JOB_BYTES, type VerifierResponse, type VerifyRequest } from './verifier-messages.ts';

/** What {@link serveVerifier} needs of a worker's global scope. */
export interface VerifierScope {
  postMessage(message: VerifierResponse, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<VerifyRequest>) => void) | null;
}

/** Verifies a packed batch (see verifier-messages.ts): one byte per job, 1 when it verifies. */
export function verifyPacked(jobs: Uint8Array): Uint8Array {
  if (jobs.length % JOB_BYTES !== 0) throw new Error(`a batch is a multiple of ${JOB_BYTES} bytes, got ${jobs.length}`);
  const results = new Uint8Array(jobs.length / JOB_BYTES);
  for (let i = 0, at = 0; i < results.length; i++, at += JOB_BYTES) {
    const ok = schnorrVerify(jobs.subarray(at, at + 64), jobs.subarray(at + 64, at + 96), jobs.subarray(at + 96, at + JOB_BYTES));
    results[i] = ok ? 1 : 0;
  }
  return results;
}

/** Serves the verifier protocol on `scope` (a worker's global scope, or a fake in tests). */
export function serveVerifier(scope: VerifierScope): void {
  scope.onmessage = (event) => {
    const message = event.data;
    if (message?.type !== 'verify') return;
    let results: Uint8Array;
    try {
      if (!(message.jobs instanceof Uint8Array)) throw new Error('jobs must be bytes');
      results = verifyPacked(message.jobs);
    } catch (error) {
      scope.postMessage({ type: 'error', id: message.id, message: error instanceof Error ? error.message : String(error) }, []);
      return;
    }
    scope.postMessage({ type: 'verified', id: message.id, results }, [results.buffer]);
  };
}

// Loaded as a worker (not imported by a test or by mistake in a page): serve on our own scope.
if (typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope) {
  const scope = globalThis as unknown as { postMessage(message: unknown, transfer: Transferable[]): void; onmessage: VerifierScope['onmessage'] };
  serveVerifier(scope);
}
