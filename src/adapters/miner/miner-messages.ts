/**
 * @module The messages between `WorkerPoolMiner` and its workers (`miner.worker.ts`).
 *
 * A worker runs one job at a time. A new `work` message replaces the current job and `stop`
 * ends it; either takes effect between two slices of the search (within some tens of ms).
 * Every answer carries the `jobId` of the job it belongs to, so the pool can drop stale ones.
 */

/** Search `header` (its nonce bytes are ignored) for nonces `startNonce..endNonce`, both included. */
export interface WorkMessage {
  readonly type: 'work';
  readonly jobId: number;
  /** 80 bytes. */
  readonly header: Uint8Array;
  /** The target as a decimal bigint string (bigints pass structured clone, but a string is plainer to log). */
  readonly target: string;
  /** First nonce, a u32. */
  readonly startNonce: number;
  /** Last nonce (inclusive, so a range can end at 0xffffffff), a u32 ≥ startNonce. */
  readonly endNonce: number;
  /** Search on the GPU (WebGPU) where this worker's `navigator.gpu` gives an adapter, else as without. */
  readonly gpu?: boolean;
}

/** Abandon the current job and idle. */
export interface StopMessage {
  readonly type: 'stop';
}

export type MinerRequest = WorkMessage | StopMessage;

/**
 * How a worker hashes: the WebGPU kernel (asked for, and an adapter there), the WebAssembly SIMD
 * kernel, or core's scalar JS loop where it cannot.
 */
export type MinerKernel = 'webgpu' | 'wasm-simd' | 'js';

/** `hashes` in every answer: nonces hashed so far in this job, cumulative (not since the last message). */
export interface ProgressMessage {
  readonly type: 'progress';
  readonly jobId: number;
  readonly hashes: number;
  /** The kernel that searched (so the page can say which one its miner runs); in every answer of a job. */
  readonly kernel: MinerKernel;
}

/** `nonce` meets the target; the job is over. */
export interface FoundMessage {
  readonly type: 'found';
  readonly jobId: number;
  readonly nonce: number;
  readonly hashes: number;
  readonly kernel: MinerKernel;
}

/** The whole range was searched without a hit; the job is over. */
export interface ExhaustedMessage {
  readonly type: 'exhausted';
  readonly jobId: number;
  readonly hashes: number;
  readonly kernel: MinerKernel;
}

/** The work message was malformed (a bug in the sender); the job was not started. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly jobId: number;
  readonly message: string;
}

export type MinerResponse = ProgressMessage | FoundMessage | ExhaustedMessage | ErrorMessage;
