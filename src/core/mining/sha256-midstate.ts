/**
 * @module SHA-256 specialised for mining 80-byte block headers: the miner's hot loop.
 *
 * sha256d(header) is three SHA-256 compressions: two for the 80-byte header (64 bytes, then the
 * last 16 bytes with padding) and one for the 32-byte digest. The first block does not contain
 * the nonce, so its result (the *midstate*) is computed once per template. Per nonce this module
 * then runs only the tail block and the second hash, with everything that does not depend on the
 * nonce computed once per call:
 *
 * - tail block words 0–2 (end of the merkle root, time, bits), the padding words 4–15 and the
 *   schedule words 16–17 are fixed; rounds 0–2 use only fixed words, and round 3 adds the nonce
 *   word to sums that are otherwise fixed;
 * - the second hash starts from the SHA-256 initial state, so its round 0 is a constant plus
 *   word 0; its words 8–15 are padding;
 * - the hash is compared with the target as a little-endian 256-bit number, whose most
 *   significant 32 bits are the last digest word byte-swapped. That word is fixed after round 60
 *   of the second hash, so a nonce whose top word is above the target's is rejected three rounds
 *   early; only the rare candidate is finished and compared as a bigint.
 *
 * All arithmetic is on int32 values (`| 0`), the round constants are a table, and the message
 * schedules live in two module-level arrays reused for every nonce: the loop allocates nothing.
 */

/** SHA-256's round constants (FIPS 180-4), as int32. */
export const SHA256_K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** SHA-256's initial state, as int32. */
export const SHA256_IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const K = SHA256_K;
const IV = SHA256_IV;
const IV0 = IV[0]!;
const IV1 = IV[1]!;
const IV2 = IV[2]!;
const IV3 = IV[3]!;
const IV4 = IV[4]!;
const IV5 = IV[5]!;
const IV6 = IV[6]!;
const IV7 = IV[7]!;

const HEADER_BYTES = 80;
const MAX_NONCE = 0xffffffff;

// Σ0, Σ1 (rounds) and σ0, σ1 (message schedule) of FIPS 180-4, on int32 values.
const bigSigma0 = (x: number): number => ((x >>> 2) | (x << 30)) ^ ((x >>> 13) | (x << 19)) ^ ((x >>> 22) | (x << 10));
const bigSigma1 = (x: number): number => ((x >>> 6) | (x << 26)) ^ ((x >>> 11) | (x << 21)) ^ ((x >>> 25) | (x << 7));
const smallSigma0 = (x: number): number => ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
const smallSigma1 = (x: number): number => ((x >>> 17) | (x << 15)) ^ ((x >>> 19) | (x << 13)) ^ (x >>> 10);

/** Round 0 of the second hash, whose state is always IV: T1 = T1_0 + word 0, T2 is fixed. */
const SECOND_T1_0 = (IV7 + bigSigma1(IV4) + ((IV4 & IV5) ^ (~IV4 & IV6)) + K[0]!) | 0;
const SECOND_T2_0 = (bigSigma0(IV0) + ((IV0 & IV1) ^ (IV0 & IV2) ^ (IV1 & IV2))) | 0;

/** Message schedules, reused by every call (JavaScript runs one call at a time). */
const TAIL_W = new Int32Array(64);
const SECOND_W = new Int32Array(64);
/** The 8 words of the last candidate's digest. */
const DIGEST = new Int32Array(8);

function readWordBE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
}

/** Reverses the bytes of a 32-bit word (result as int32). */
function byteSwap(x: number): number {
  return (x << 24) | ((x << 8) & 0xff0000) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

function checkHeader(header80: Uint8Array): void {
  if (!(header80 instanceof Uint8Array) || header80.length !== HEADER_BYTES) throw new RangeError('a block header is 80 bytes');
}

/** One full SHA-256 compression of the 16 words in w[0..15] into state (w[16..63] is overwritten). */
function compress(state: Int32Array, w: Int32Array): void {
  for (let t = 16; t < 64; t++) w[t] = (smallSigma1(w[t - 2]!) + w[t - 7]! + smallSigma0(w[t - 15]!) + w[t - 16]!) | 0;
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!, e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (let t = 0; t < 64; t++) {
    const t1 = (h + bigSigma1(e) + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0;
    const t2 = (bigSigma0(a) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/**
 * The SHA-256 state after the header's first 64 bytes (version, previous hash, most of the merkle
 * root). It does not depend on time, bits or nonce; compute it once per template.
 */
export function headerMidstate(header80: Uint8Array): Uint32Array {
  checkHeader(header80);
  const w = new Int32Array(64);
  for (let i = 0; i < 16; i++) w[i] = readWordBE(header80, 4 * i);
  const state = Int32Array.from(IV);
  compress(state, w);
  return new Uint32Array(state.buffer);
}

/**
 * Hashes nonces `start`, `start + 1`, … (`count` of them) and stops at the first whose hash might
 * be at most the target: its little-endian top 32 bits are at most `topLimit`. Returns that
 * nonce's offset from `start`, with its digest words (big-endian words, as SHA-256 defines them)
 * in DIGEST; or -1 when no nonce qualifies.
 */
function scan(header80: Uint8Array, midstate: Uint32Array, start: number, count: number, topLimit: number): number {
  const w = TAIL_W;
  const v = SECOND_W;
  // The tail block: header bytes 64..79 (the nonce is word 3), then padding for 640 bits.
  w[0] = readWordBE(header80, 64);
  w[1] = readWordBE(header80, 68);
  w[2] = readWordBE(header80, 72);
  w[4] = 0x80000000 | 0;
  w.fill(0, 5, 15);
  w[15] = 640;
  w[16] = (smallSigma1(w[14]!) + w[9]! + smallSigma0(w[1]!) + w[0]!) | 0;
  w[17] = (smallSigma1(w[15]!) + w[10]! + smallSigma0(w[2]!) + w[1]!) | 0;
  // The second hash's block: the 8 digest words, then padding for 256 bits.
  v[8] = 0x80000000 | 0;
  v.fill(0, 9, 15);
  v[15] = 256;

  const m0 = midstate[0]! | 0, m1 = midstate[1]! | 0, m2 = midstate[2]! | 0, m3 = midstate[3]! | 0;
  const m4 = midstate[4]! | 0, m5 = midstate[5]! | 0, m6 = midstate[6]! | 0, m7 = midstate[7]! | 0;

  // Rounds 0–2 of the tail block use only fixed words.
  let a = m0, b = m1, c = m2, d = m3, e = m4, f = m5, g = m6, h = m7;
  for (let t = 0; t < 3; t++) {
    const t1 = (h + bigSigma1(e) + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0;
    const t2 = (bigSigma0(a) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  // Round 3 without its nonce word: after it, a = a3 + W3 and e = e3 + W3.
  const r3t1 = (h + bigSigma1(e) + ((e & f) ^ (~e & g)) + K[3]!) | 0;
  const a3 = (r3t1 + bigSigma0(a) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
  const e3 = (d + r3t1) | 0;
  const b3 = a, c3 = b, d3 = c, f3 = e, g3 = f, h3 = g;

  const start32 = start | 0;
  for (let i = 0; i < count; i++) {
    const w3 = byteSwap((start32 + i) | 0);
    w[3] = w3;
    a = (a3 + w3) | 0;
    b = b3;
    c = c3;
    d = d3;
    e = (e3 + w3) | 0;
    f = f3;
    g = g3;
    h = h3;
    for (let t = 4; t < 18; t++) {
      const t1 = (h + bigSigma1(e) + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0;
      const t2 = (bigSigma0(a) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    for (let t = 18; t < 64; t++) {
      const wt = (smallSigma1(w[t - 2]!) + w[t - 7]! + smallSigma0(w[t - 15]!) + w[t - 16]!) | 0;
      w[t] = wt;
      const t1 = (h + bigSigma1(e) + ((e & f) ^ (~e & g)) + K[t]! + wt) | 0;
      const t2 = (bigSigma0(a) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    // First digest = midstate + state; it is the second hash's message.
    const v0 = (m0 + a) | 0;
    v[0] = v0;
    v[1] = (m1 + b) | 0;
    v[2] = (m2 + c) | 0;
    v[3] = (m3 + d) | 0;
    v[4] = (m4 + e) | 0;
    v[5] = (m5 + f) | 0;
    v[6] = (m6 + g) | 0;
    v[7] = (m7 + h) | 0;

    // Second hash, round 0 from the constant IV state.
    a = (SECOND_T1_0 + SECOND_T2_0 + v0) | 0;
    b = IV0;
    c = IV1;
    d = IV2;
    e = (IV3 + SECOND_T1_0 + v0) | 0;
    f = IV4;
    g = IV5;
    h = IV6;
    for (let t = 1; t < 16; t++) {
      const t1 = (h + bigSigma1(e) + ((e & f) ^ (~e & g)) + K[t]! + v[t]!) | 0;
      const t2 = (bigSigma0(a) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    for (let t = 16; t < 61; t++) {
      const vt = (smallSigma1(v[t - 2]!) + v[t - 7]! + smallSigma0(v[t - 15]!) + v[t - 16]!) | 0;
      v[t] = vt;
      const t1 = (h + bigSigma1(e) + ((e & f) ^ (~e & g)) + K[t]! + vt) | 0;
      const t2 = (bigSigma0(a) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    // The e of round 60 is the h after round 63: the last digest word is already known.
    if (byteSwap((IV7 + e) | 0) >>> 0 > topLimit) continue;

    for (let t = 61; t < 64; t++) {
      const vt = (smallSigma1(v[t - 2]!) + v[t - 7]! + smallSigma0(v[t - 15]!) + v[t - 16]!) | 0;
      v[t] = vt;
      const t1 = (h + bigSigma1(e) + ((e & f) ^ (~e & g)) + K[t]! + vt) | 0;
      const t2 = (bigSigma0(a) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    DIGEST[0] = (IV0 + a) | 0;
    DIGEST[1] = (IV1 + b) | 0;
    DIGEST[2] = (IV2 + c) | 0;
    DIGEST[3] = (IV3 + d) | 0;
    DIGEST[4] = (IV4 + e) | 0;
    DIGEST[5] = (IV5 + f) | 0;
    DIGEST[6] = (IV6 + g) | 0;
    DIGEST[7] = (IV7 + h) | 0;
    return i;
  }
  return -1;
}

/** DIGEST as the hash's little-endian 256-bit number (how it is compared with the target). */
function digestToBigInt(): bigint {
  let n = 0n;
  // Digest word j holds bytes 4j..4j+3; read little-endian, that is the byte-swapped word.
  for (let j = 7; j >= 0; j--) n = (n << 32n) | BigInt(byteSwap(DIGEST[j]!) >>> 0);
  return n;
}

export interface NonceSearchResult {
  /** The first nonce tried whose hash is at most the target, if any. */
  readonly nonce: number | undefined;
  /** Nonces hashed: up to and including the one found, or `count`. */
  readonly hashes: number;
}

/**
 * Throws a RangeError for arguments no nonce search takes (this one or another kernel's with the
 * same contract): a header not of 80 bytes, a midstate not of 8 words, a start nonce or a range
 * outside 0..2^32-1.
 */
export function checkNonceSearch(header80: Uint8Array, midstate: Uint32Array, startNonce: number, count: number): void {
  checkHeader(header80);
  if (!(midstate instanceof Uint32Array) || midstate.length !== 8) throw new RangeError('a midstate is 8 words');
  if (!Number.isInteger(startNonce) || startNonce < 0 || startNonce > MAX_NONCE) throw new RangeError(`start nonce ${startNonce} is not a u32`);
  if (!Number.isInteger(count) || count < 0 || startNonce + count - 1 > MAX_NONCE) {
    throw new RangeError(`${count} nonces from ${startNonce} do not fit below 2^32`);
  }
}

/**
 * The highest top word (bits 224..255, the hash's last 4 bytes read little-endian) a hash can
 * have and still meet `target` (≥ 0): hashes above it cannot pass, the others get the exact
 * 256-bit comparison.
 */
export function targetTopWord(target: bigint): number {
  return target >> 224n > 0xffffffffn ? MAX_NONCE : Number(target >> 224n);
}

/**
 * Tries nonces `startNonce`, `startNonce + 1`, … (`count` of them, never past 0xffffffff: wrapping
 * is the caller's job) in `header80` with its `midstate` ({@link headerMidstate}), and returns the
 * first whose sha256d, read as a little-endian number, is at most `target`. The header's own nonce
 * bytes are ignored and the header is not modified.
 */
export function searchNonces(header80: Uint8Array, midstate: Uint32Array, target: bigint, startNonce: number, count: number): NonceSearchResult {
  checkNonceSearch(header80, midstate, startNonce, count);
  if (target < 0n) return { nonce: undefined, hashes: count };
  const topLimit = targetTopWord(target);
  let from = 0;
  while (from < count) {
    const hit = scan(header80, midstate, startNonce + from, count - from, topLimit);
    if (hit < 0) break;
    const offset = from + hit;
    if (digestToBigInt() <= target) return { nonce: startNonce + offset, hashes: offset + 1 };
    from = offset + 1;
  }
  return { nonce: undefined, hashes: count };
}

/**
 * sha256d of an 80-byte header (nonce included), computed by the same code as
 * {@link searchNonces}: for tests that check it against the general-purpose hash.
 */
export function sha256dHeader(header80: Uint8Array): Uint8Array {
  checkHeader(header80);
  const nonce = (header80[76]! | (header80[77]! << 8) | (header80[78]! << 16) | (header80[79]! << 24)) >>> 0;
  scan(header80, headerMidstate(header80), nonce, 1, MAX_NONCE);
  const out = new Uint8Array(32);
  for (let j = 0; j < 8; j++) {
    const word = DIGEST[j]!;
    out[4 * j] = word >>> 24;
    out[4 * j + 1] = word >>> 16;
    out[4 * j + 2] = word >>> 8;
    out[4 * j + 3] = word;
  }
  return out;
}
