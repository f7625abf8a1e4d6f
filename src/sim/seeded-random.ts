/**
 * @module Seeded randomness for the simulator: a small fast generator (sfc32) and the patching of
 * the process's own sources while a simulation runs. The core takes nonces and keys from noble's
 * `randomBytes` (which reads `globalThis.crypto.getRandomValues`) and the app's connector jitter
 * from `Math.random` where nothing else is given: for the same `--seed` to give the same run, both
 * must come from the seed. Patching these globals is done here only, for the duration of one
 * simulation (never in the app or core), and undone afterwards.
 */

/** sfc32 (Chris Doty-Humphrey's small fast counter): 32-bit state words, good statistics, no bigint. */
export function sfc32(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

/** A seeded source of numbers and bytes. */
export class SeededRandom {
  readonly next: () => number;

  constructor(seed: number) {
    this.next = sfc32(seed);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** An exponentially distributed wait with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  fill(bytes: Uint8Array): Uint8Array {
    for (let i = 0; i < bytes.length; i += 4) {
      const word = (this.next() * 4294967296) >>> 0;
      for (let j = 0; j < 4 && i + j < bytes.length; j++) bytes[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return bytes;
  }

  /** A child generator for one purpose, so adding draws in one place does not shift another's. */
  fork(label: number): SeededRandom {
    return new SeededRandom(((this.next() * 4294967296) >>> 0) ^ Math.imul(label + 1, 0x9e3779b1));
  }
}

/**
 * Runs `fn` with `Math.random` and `crypto.getRandomValues` drawing from `random`, and restores
 * them when it settles. Only the simulator's entry points call this.
 */
export async function withSeededGlobals<T>(random: SeededRandom, fn: () => Promise<T>): Promise<T> {
  const crypto = globalThis.crypto;
  const originalRandom = Math.random;
  const originalGetRandomValues = Object.getOwnPropertyDescriptor(crypto, 'getRandomValues');
  Math.random = () => random.next();
  Object.defineProperty(crypto, 'getRandomValues', {
    configurable: true,
    writable: true,
    value: <A extends ArrayBufferView | null>(array: A): A => {
      if (array) random.fill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
      return array;
    },
  });
  try {
    return await fn();
  } finally {
    Math.random = originalRandom;
    if (originalGetRandomValues) Object.defineProperty(crypto, 'getRandomValues', originalGetRandomValues);
    else delete (crypto as { getRandomValues?: unknown }).getRandomValues;
  }
}
