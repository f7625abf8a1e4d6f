/**
 * @module The mining Web Worker (a module worker): searches a nonce range of one header on the
 * GPU when the job asks for it and `navigator.gpu` gives an adapter (`webgpu-nonce-search.ts`),
 * else with the WebAssembly SIMD kernel where the engine has WebAssembly SIMD and may compile
 * it, else with core's scalar `searchNonces` (same results; `simd-nonce-search.ts`), in slices of a few
 * tens of ms, yielding to the event loop between slices
 * so that a new `work` or a `stop` message interrupts the current job. It only hashes: no
 * storage, no validation beyond the target.
 *
 * Protocol in `miner-messages.ts`. While a job runs the worker posts `progress` about every
 * 300 ms, and ends it with `found` or `exhausted`. When a job is interrupted, its final `progress`
 * is posted before anything of the next job, so the pool sees each job's messages in order.
 *
 * The search loop is {@link serveMiner}, exported so it can run against a fake scope in tests;
 * the module wires it to its own global scope only when it is loaded as a worker.
 */
// Straight from the module, not core/index.ts: the worker is its own bundle, and the index would
// pull in modules with load-time work (the networks build their genesis blocks) for nothing.
import { headerMidstate, type NonceSearchResult } from '../../core/mining/sha256-midstate.ts';
import { bestNonceSearch, type NonceSearch } from './simd-nonce-search.ts';
import { createWebGpuNonceSearch, type AsyncNonceSearch, type WebGpuNonceSearch } from './webgpu-nonce-search.ts';
import type { MinerKernel, MinerRequest, MinerResponse, WorkMessage } from './miner-messages.ts';

/** What {@link serveMiner} needs of a worker's global scope. */
export interface MinerScope {
  postMessage(message: MinerResponse): void;
  onmessage: ((event: MessageEvent<MinerRequest>) => void) | null;
}

export interface ServeMinerOptions {
  /** Milliseconds, for progress reports and slice sizing (default `performance.now`). */
  readonly now?: () => number;
  /** Resolves after pending messages had a chance to run (default: a MessageChannel round trip). */
  readonly yieldToEventLoop?: () => Promise<void>;
  /** Progress period in ms (default 300). */
  readonly reportEveryMs?: number;
  /** Wanted duration of one slice in ms, the worst-case delay before a message is seen (default 40). */
  readonly sliceMs?: number;
  /** Nonces in the first slice, before the speed is known (default 16,384). */
  readonly firstSlice?: number;
  /**
   * The search (default {@link bestNonceSearch}: the SIMD kernel, or core's `searchNonces` where
   * WebAssembly SIMD is missing or refused). Tests pass `searchNonces` to force the fallback.
   */
  readonly search?: NonceSearch;
  /** What `search` is, for the progress reports (default 'js'). */
  readonly kernel?: MinerKernel;
  /**
   * The GPU's search, asked for once, on the first job that wants the GPU (default
   * {@link createWebGpuNonceSearch}: undefined-like `unavailable` where there is no adapter).
   */
  readonly gpu?: () => Promise<WebGpuNonceSearch | { readonly unavailable: string }>;
}

const MIN_SLICE = 4_096;
const MAX_SLICE = 262_144;
/** A GPU searches millions of nonces in the slice time, and each slice costs a read-back. */
const MAX_GPU_SLICE = 2 ** 28;

interface ParsedWork {
  readonly jobId: number;
  readonly header: Uint8Array;
  readonly target: bigint;
  readonly start: number;
  readonly end: number;
  readonly gpu: boolean;
}

const isU32 = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffffffff;

function parseWork(work: WorkMessage): ParsedWork {
  if (!(work.header instanceof Uint8Array) || work.header.length !== 80) throw new Error('header must be 80 bytes');
  if (typeof work.target !== 'string' || !/^\d+$/.test(work.target)) throw new Error('target must be a decimal integer string');
  if (!isU32(work.startNonce) || !isU32(work.endNonce) || work.endNonce < work.startNonce) {
    throw new Error(`bad nonce range ${work.startNonce}..${work.endNonce}`);
  }
  return { jobId: work.jobId, header: work.header.slice(), target: BigInt(work.target), start: work.startNonce, end: work.endNonce, gpu: work.gpu === true };
}

/** A macrotask that, unlike a nested setTimeout(0), is not clamped to 4 ms. */
function messageChannelYield(): () => Promise<void> {
  if (typeof MessageChannel !== 'function') return () => new Promise((resolve) => setTimeout(resolve, 0));
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
}

/** Serves the miner protocol on `scope` (a worker's global scope, or a fake in tests). */
export function serveMiner(scope: MinerScope, options: ServeMinerOptions = {}): void {
  const now = options.now ?? (() => performance.now());
  const reportEveryMs = options.reportEveryMs ?? 300;
  const sliceMs = options.sliceMs ?? 40;
  const firstSlice = options.firstSlice ?? 16_384;
  let pause: (() => Promise<void>) | undefined = options.yieldToEventLoop;
  // Chosen on the first job, not at start-up: generating and compiling the kernel takes a moment.
  let chosen: { readonly search: NonceSearch; readonly kernel: MinerKernel } | undefined = options.search ? { search: options.search, kernel: options.kernel ?? 'js' } : undefined;
  const makeGpu = options.gpu ?? createWebGpuNonceSearch;
  let gpu: Promise<AsyncNonceSearch | undefined> | undefined;
  /** The kernel of the running job, for the progress posted when a message interrupts it. */
  let runningKernel: MinerKernel | undefined;

  /** The running job; replaced (and so abandoned) by every message. */
  let current: { readonly jobId: number; hashes: number } | undefined;

  scope.onmessage = (event) => {
    const message = event.data;
    if (current && runningKernel) scope.postMessage({ type: 'progress', jobId: current.jobId, hashes: current.hashes, kernel: runningKernel });
    current = undefined;
    if (message?.type !== 'work') return;
    let work: ParsedWork;
    try {
      work = parseWork(message);
    } catch (error) {
      scope.postMessage({ type: 'error', jobId: message.jobId, message: error instanceof Error ? error.message : String(error) });
      return;
    }
    const job = { jobId: work.jobId, hashes: 0 };
    current = job;
    void run(work, job);
  };

  async function run(work: ParsedWork, job: { readonly jobId: number; hashes: number }): Promise<void> {
    pause ??= messageChannelYield();
    let searchSlice: NonceSearch | AsyncNonceSearch;
    let kernel: MinerKernel;
    const onGpu = work.gpu ? await (gpu ??= makeGpu().then((made) => ('unavailable' in made ? undefined : made.search))) : undefined;
    if (current !== job) return;
    if (onGpu) {
      searchSlice = onGpu;
      kernel = 'webgpu';
    } else {
      ({ search: searchSlice, kernel } = chosen ??= bestNonceSearch());
    }
    runningKernel = kernel;
    const maxSlice = () => (kernel === 'webgpu' ? MAX_GPU_SLICE : MAX_SLICE);
    const midstate = headerMidstate(work.header);
    let next = work.start;
    let slice = firstSlice;
    let lastReport = now();
    for (;;) {
      const count = Math.min(slice, work.end - next + 1);
      const t0 = now();
      const answer = searchSlice(work.header, midstate, work.target, next, count);
      let result: NonceSearchResult;
      if (answer instanceof Promise) {
        // The GPU answers later (other messages run meanwhile); a lost device leaves the job,
        // from this slice on, and every later one to the CPU kernels.
        try {
          result = await answer;
        } catch {
          gpu = Promise.resolve(undefined);
          ({ search: searchSlice, kernel } = chosen ??= bestNonceSearch());
          runningKernel = kernel;
          slice = firstSlice;
          continue;
        }
        // Interrupted meanwhile: the job's progress was posted without this slice.
        if (current !== job) return;
      } else {
        result = answer;
      }
      const spent = now() - t0;
      job.hashes += result.hashes;
      if (result.nonce !== undefined || next + count - 1 >= work.end) {
        current = undefined;
        scope.postMessage(
          result.nonce !== undefined
            ? { type: 'found', jobId: job.jobId, nonce: result.nonce, hashes: job.hashes, kernel }
            : { type: 'exhausted', jobId: job.jobId, hashes: job.hashes, kernel },
        );
        return;
      }
      next += count;
      // Aim at sliceMs per slice; grow at most 2× per step (timers are coarse in browsers).
      const wanted = spent > 0 ? Math.round((count * sliceMs) / spent) : slice * 2;
      slice = Math.max(MIN_SLICE, Math.min(maxSlice(), slice * 2, wanted));
      const t = now();
      if (t - lastReport >= reportEveryMs) {
        scope.postMessage({ type: 'progress', jobId: job.jobId, hashes: job.hashes, kernel });
        lastReport = t;
      }
      await pause();
      if (current !== job) return;
    }
  }
}

// Loaded as a worker (not imported by a test or by mistake in a page): serve on our own scope.
if (typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope) {
  serveMiner(globalThis as unknown as MinerScope);
}
