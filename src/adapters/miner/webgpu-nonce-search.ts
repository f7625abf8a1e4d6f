/**
 * @module Core's `searchNonces` contract (same arguments, checks and results) on the GPU through
 * WebGPU (`sha256d-wgsl-kernel.ts`), asynchronous since the GPU answers later. A call is split
 * into dispatches searched in order; each dispatch's candidates (nonces whose top hash word may
 * meet the target) are read back and checked exactly on the CPU, lowest first, so the first
 * nonce of the range that meets the target is the one returned, with `hashes` counted to it as
 * core counts. A dispatch holds few enough nonces that its candidates are expected to fill a
 * quarter of the slots at most; when they overflow anyway (a run of luck, or every nonce a
 * candidate at regtest's target) it is searched again in halves, in order, down to ranges no
 * larger than the slots, which cannot overflow.
 *
 * {@link createWebGpuNonceSearch} says why there is no GPU search where `navigator.gpu` gives no
 * adapter (no WebGPU, a blocklisted GPU, a headless browser without a software adapter).
 */
import { checkNonceSearch, targetTopWord, type NonceSearchResult } from '../../core/mining/sha256-midstate.ts';
import { CANDIDATES_BYTES, CANDIDATE_SLOTS, PARAMS_BYTES, WORKGROUP_SIZE, firstMeetingCandidate, packWgslParams, sha256dWgsl } from './sha256d-wgsl-kernel.ts';

/** core's `searchNonces` signature, answered later. */
export type AsyncNonceSearch = (header80: Uint8Array, midstate: Uint32Array, target: bigint, startNonce: number, count: number) => Promise<NonceSearchResult>;

/** Nonces in one dispatch at most (2^15 workgroups of 64: within every adapter's 65,535). */
export const MAX_DISPATCH = 2 ** 21;

// WebGPU's flag values (the spec's; TypeScript's lib declares the types, not these globals).
const USAGE_MAP_READ = 0x0001;
const USAGE_COPY_SRC = 0x0004;
const USAGE_COPY_DST = 0x0008;
const USAGE_UNIFORM = 0x0040;
const USAGE_STORAGE = 0x0080;
const MAP_READ = 0x0001;

/**
 * Nonces per dispatch for a top limit: about CANDIDATE_SLOTS / 4 candidates expected (a nonce is
 * one with probability (topLimit + 1) / 2^32), at least the slot count, at most MAX_DISPATCH.
 */
export function dispatchSize(topLimit: number): number {
  const size = Math.floor(((CANDIDATE_SLOTS / 4) * 2 ** 32) / (topLimit + 1));
  return Math.max(CANDIDATE_SLOTS, Math.min(MAX_DISPATCH, size));
}

/** What the GPU found in one dispatch: the candidates' offsets, or that there were too many to hold. */
export type DispatchResult = { readonly overflow: false; readonly slots: Uint32Array } | { readonly overflow: true };

/** Runs one dispatch of `count` nonces from `start` (count ≤ MAX_DISPATCH). */
export type Dispatch = (params: ArrayBuffer, count: number) => Promise<DispatchResult>;

/**
 * The search over any {@link Dispatch} (the GPU's, or a CPU stand-in in unit tests): dispatches in
 * order, exact checks of the candidates, halving on overflow.
 */
export function nonceSearchOver(dispatch: Dispatch): AsyncNonceSearch {
  return async (header80, midstate, target, startNonce, count) => {
    checkNonceSearch(header80, midstate, startNonce, count);
    if (target < 0n) return { nonce: undefined, hashes: count };
    const topLimit = targetTopWord(target);

    /** The first offset (from `from`, `n` nonces) meeting the target, relative to `from`. */
    const search = async (from: number, n: number): Promise<number | undefined> => {
      const result = await dispatch(packWgslParams(header80, midstate, startNonce + from, n, topLimit), n);
      if (!result.overflow) return firstMeetingCandidate(header80, startNonce + from, target, result.slots);
      const half = Math.ceil(n / 2);
      const low = await search(from, half);
      if (low !== undefined) return low;
      const high = await search(from + half, n - half);
      return high === undefined ? undefined : half + high;
    };

    const size = dispatchSize(topLimit);
    for (let from = 0; from < count; from += size) {
      const found = await search(from, Math.min(size, count - from));
      if (found !== undefined) return { nonce: startNonce + from + found, hashes: from + found + 1 };
    }
    return { nonce: undefined, hashes: count };
  };
}

/** A {@link Dispatch} on a GPU device: one pipeline and three buffers, reused for every dispatch. */
export function gpuDispatch(device: GPUDevice): Dispatch {
  const module = device.createShaderModule({ code: sha256dWgsl() });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const params = device.createBuffer({ size: PARAMS_BYTES, usage: USAGE_UNIFORM | USAGE_COPY_DST });
  const candidates = device.createBuffer({ size: CANDIDATES_BYTES, usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST });
  const readback = device.createBuffer({ size: CANDIDATES_BYTES, usage: USAGE_MAP_READ | USAGE_COPY_DST });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: params } },
      { binding: 1, resource: { buffer: candidates } },
    ],
  });
  const zero = new Uint32Array(1);
  // One dispatch at a time: the buffers are shared, and a buffer maps once at a time (a new job
  // may start searching while the last one's dispatch is still out).
  let queue: Promise<unknown> = Promise.resolve();
  return (packed, count) => {
    const run = queue.then(() => once(packed, count));
    queue = run.catch(() => undefined);
    return run;
  };

  async function once(packed: ArrayBuffer, count: number): Promise<DispatchResult> {
    device.queue.writeBuffer(params, 0, packed);
    device.queue.writeBuffer(candidates, 0, zero);
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(count / WORKGROUP_SIZE));
    pass.end();
    encoder.copyBufferToBuffer(candidates, 0, readback, 0, CANDIDATES_BYTES);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(MAP_READ);
    const words = new Uint32Array(readback.getMappedRange());
    const found = words[0]!;
    const result: DispatchResult = found > CANDIDATE_SLOTS ? { overflow: true } : { overflow: false, slots: words.slice(1, 1 + found) };
    readback.unmap();
    return result;
  }
}

/** The GPU's search, and what the adapter says it is (for logs and benchmarks). */
export interface WebGpuNonceSearch {
  readonly search: AsyncNonceSearch;
  /** The adapter's vendor and architecture ('google swiftshader' for Chromium's software one). */
  readonly adapter: string;
}

/**
 * The search on this context's GPU, or why there is none: `navigator.gpu` missing, no adapter
 * (a blocklisted GPU, a headless browser without a software adapter), or a device that refused
 * the shader.
 */
export async function createWebGpuNonceSearch(): Promise<WebGpuNonceSearch | { readonly unavailable: string }> {
  const gpu = typeof navigator === 'undefined' ? undefined : (navigator as Partial<Pick<Navigator, 'gpu'>>).gpu;
  if (!gpu) return { unavailable: 'navigator.gpu is missing (no WebGPU here)' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { unavailable: 'navigator.gpu gave no adapter' };
    const device = await adapter.requestDevice();
    // Shader and pipeline errors are reported asynchronously, through an error scope.
    device.pushErrorScope('validation');
    const dispatch = gpuDispatch(device);
    const error = await device.popErrorScope();
    if (error) return { unavailable: `the GPU refused the kernel: ${error.message}` };
    return { search: nonceSearchOver(dispatch), adapter: `${adapter.info.vendor} ${adapter.info.architecture}`.trim() };
  } catch (error) {
    return { unavailable: `WebGPU failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
