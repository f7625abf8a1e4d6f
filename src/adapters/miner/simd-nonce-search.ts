/**
 * @module Core's `searchNonces`, with the same arguments, checks and results, on the WebAssembly
 * SIMD kernel (`sha256d-simd-kernel.ts`): four nonces per loop step instead of one. The
 * kernel finds nonces whose hash's top word may meet the target; the exact 256-bit comparison
 * (as a little-endian number, like core's) is done here, for the rare candidate.
 *
 * {@link createSimdNonceSearch} compiles the kernel (synchronously: it runs in workers and Node);
 * {@link wasmSimdSupported} says whether this engine has WebAssembly SIMD at all, and
 * {@link bestNonceSearch} picks the kernel with core's scalar loop as the fallback.
 */
import { checkNonceSearch, searchNonces, targetTopWord, type NonceSearchResult } from '../../core/mining/sha256-midstate.ts';
import { DIGESTS_OFFSET, LANES, MIDSTATE_OFFSET, TAIL_OFFSET, sha256dSimdKernel } from './sha256d-simd-kernel.ts';
import type { MinerKernel } from './miner-messages.ts';

/** core's `searchNonces` signature. */
export type NonceSearch = (header80: Uint8Array, midstate: Uint32Array, target: bigint, startNonce: number, count: number) => NonceSearchResult;

/** Nonces per kernel call: its count and offsets are u32, so stay well below 2^32. */
const MAX_CALL = 2 ** 30;

/** A module of one function `() -> v128` returning v128.const 0: valid only where SIMD is. */
const TINY_SIMD_MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b, // code: v128.const 0; end
]);

/** Whether WebAssembly with fixed-width SIMD is available (says nothing of a CSP forbidding compilation). */
export function wasmSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(TINY_SIMD_MODULE);
}

let kernelBytes: Uint8Array<ArrayBuffer> | undefined;

function readWordBE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
}

/**
 * A {@link NonceSearch} on its own instance of the kernel. Throws when WebAssembly SIMD is
 * missing or compiling is not allowed (a Content-Security-Policy without `'wasm-unsafe-eval'`).
 */
export function createSimdNonceSearch(): NonceSearch {
  kernelBytes ??= sha256dSimdKernel();
  const instance = new WebAssembly.Instance(new WebAssembly.Module(kernelBytes));
  const scan = instance.exports['scan'] as (start: number, count: number, topLimit: number) => number;
  const memory = new DataView((instance.exports['memory'] as WebAssembly.Memory).buffer);

  /** The candidate in `lane` of the last group as the little-endian 256-bit number it is compared as. */
  const candidate = (lane: number): bigint => {
    let n = 0n;
    const base = DIGESTS_OFFSET + (lane >> 2) * 8 * 16 + (lane & 3) * 4;
    // Digest word j holds bytes 4j..4j+3 (big-endian): read little-endian, word 7 is the top.
    for (let j = 7; j >= 0; j--) n = (n << 32n) | BigInt(memory.getUint32(base + j * 16, false));
    return n;
  };

  return (header80, midstate, target, startNonce, count) => {
    checkNonceSearch(header80, midstate, startNonce, count);
    if (target < 0n) return { nonce: undefined, hashes: count };
    const topLimit = targetTopWord(target);
    for (let i = 0; i < 8; i++) memory.setUint32(MIDSTATE_OFFSET + 4 * i, midstate[i]!, true);
    for (let i = 0; i < 3; i++) memory.setInt32(TAIL_OFFSET + 4 * i, readWordBE(header80, 64 + 4 * i), true);
    let from = 0;
    while (from < count) {
      const span = Math.min(count - from, MAX_CALL);
      const hit = scan((startNonce + from) | 0, span, topLimit | 0);
      if (hit < 0) {
        from += span;
        continue;
      }
      // Offsets within a call step by LANES from 0, so the lane is the offset's remainder.
      const offset = from + hit;
      if (candidate(hit % LANES) <= target) return { nonce: startNonce + offset, hashes: offset + 1 };
      from = offset + 1;
    }
    return { nonce: undefined, hashes: count };
  };
}

/** The search a mining worker runs, and what it is (for logs and benchmarks). */
export interface ChosenNonceSearch {
  readonly search: NonceSearch;
  readonly kernel: MinerKernel;
  /** Why the SIMD kernel is not used, when it is not. */
  readonly fallbackReason?: string;
}

/**
 * The SIMD kernel where WebAssembly SIMD is available and may be compiled, else core's scalar
 * `searchNonces` (same results, about half the speed or less).
 */
export function bestNonceSearch(): ChosenNonceSearch {
  if (!wasmSimdSupported()) return { search: searchNonces, kernel: 'js', fallbackReason: 'WebAssembly SIMD is not available' };
  try {
    return { search: createSimdNonceSearch(), kernel: 'wasm-simd' };
  } catch (error) {
    // A Content-Security-Policy without 'wasm-unsafe-eval' refuses to compile any module.
    return { search: searchNonces, kernel: 'js', fallbackReason: error instanceof Error ? error.message : String(error) };
  }
}
