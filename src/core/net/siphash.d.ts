// The part of the npm package `siphash` (1.x, Frank Denis's pure-JS SipHash-2-4; CommonJS, no
// types of its own) that the compact block short ids use. Node's and Vite's CommonJS interop both
// hand its `module.exports` over as the default import.
declare module 'siphash' {
  interface SipHash {
    /**
     * SipHash-2-4 of `message` under a 128-bit key given as four 32-bit words, least significant
     * first (k0 = key[1]·2^32 + key[0], k1 = key[3]·2^32 + key[2]); the 64-bit result as its
     * high and low 32-bit halves, unsigned.
     */
    hash(key: ArrayLike<number>, message: Uint8Array): { h: number; l: number };
  }
  const siphash: SipHash;
  export default siphash;
}
