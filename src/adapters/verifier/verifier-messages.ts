/**
 * @module The messages between `WorkerPoolVerifier` and its workers (`verifier.worker.ts`).
 *
 * A batch travels as one buffer of fixed-size records, transferred (not copied): per job its
 * 64-byte signature, 32-byte message and 32-byte x-only key, back to back. The answer is one byte
 * per job (1 verified, 0 not), transferred back. Every answer carries its batch's id.
 */

/** Bytes of one job in a batch: signature ‖ message ‖ key. */
export const JOB_BYTES = 128;

export interface VerifyRequest {
  readonly type: 'verify';
  readonly id: number;
  /** `count × JOB_BYTES` bytes. */
  readonly jobs: Uint8Array;
}

export interface VerifiedResponse {
  readonly type: 'verified';
  readonly id: number;
  /** One byte per job, in order: 1 when its signature verifies. */
  readonly results: Uint8Array;
}

/** The request was malformed (a bug in the sender); nothing was verified. */
export interface VerifyErrorResponse {
  readonly type: 'error';
  readonly id: number;
  readonly message: string;
}

export type VerifierResponse = VerifiedResponse | VerifyErrorResponse;
