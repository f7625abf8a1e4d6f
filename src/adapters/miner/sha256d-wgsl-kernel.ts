/**
 * @module The WebGPU compute shader (WGSL) of the GPU miner, and the CPU side's view of its
 * buffers: how the parameters are packed ({@link packWgslParams}) and how the candidates it
 * writes are turned into `searchNonces`' answer ({@link firstMeetingCandidate}).
 *
 * One invocation hashes one nonce of a range: the tail block of the 80-byte header from the
 * midstate (the first 64 bytes, hashed once on the CPU and passed as a uniform), then the second
 * hash. A nonce whose hash's top word (the last digest word byte-swapped: the most significant 32
 * bits of the little-endian number compared with the target) is above the target's is rejected
 * after round 60 of the second hash, as in core's scalar loop; the others are *candidates*: the
 * invocation takes a slot with an atomic counter and writes its offset there. The GPU never
 * decides a hit: the CPU hashes each candidate again and compares all 256 bits, lowest offset
 * first, so the answer is the first nonce of the range that meets the target, as core's.
 */
import { hashToBigInt } from '../../core/consensus/pow.ts';
import { sha256d } from '../../core/crypto/hash.ts';
import { SHA256_IV, SHA256_K } from '../../core/mining/sha256-midstate.ts';

/** Invocations per workgroup (WebGPU guarantees at least 256). */
export const WORKGROUP_SIZE = 64;
/** Candidate slots per dispatch; more candidates than this and the range is searched again in parts. */
export const CANDIDATE_SLOTS = 1024;
/** The uniform buffer: midstate (8 words), tail words 0–2 and a pad, start, count, top limit, pad. */
export const PARAMS_BYTES = 64;
/** The storage buffer: the candidate counter, then the slots. */
export const CANDIDATES_BYTES = 4 + 4 * CANDIDATE_SLOTS;

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}u`;

/** The shader's source: entry point `main`, bindings 0 (params, uniform) and 1 (candidates, storage). */
export function sha256dWgsl(): string {
  const k = Array.from(SHA256_K, hex).join(', ');
  const iv = Array.from(SHA256_IV, hex);
  return /* wgsl */ `
struct Params {
  midstate: array<vec4<u32>, 2>,
  tail: vec4<u32>,
  start: u32,
  count: u32,
  top_limit: u32,
  pad: u32,
}

struct Candidates {
  count: atomic<u32>,
  slots: array<u32, ${CANDIDATE_SLOTS}>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> candidates: Candidates;

var<private> K: array<u32, 64> = array<u32, 64>(${k});
const IV = array<u32, 8>(${iv.join(', ')});

fn rotr(x: u32, n: u32) -> u32 { return (x >> n) | (x << (32u - n)); }
fn big_sigma0(x: u32) -> u32 { return rotr(x, 2u) ^ rotr(x, 13u) ^ rotr(x, 22u); }
fn big_sigma1(x: u32) -> u32 { return rotr(x, 6u) ^ rotr(x, 11u) ^ rotr(x, 25u); }
fn small_sigma0(x: u32) -> u32 { return rotr(x, 7u) ^ rotr(x, 18u) ^ (x >> 3u); }
fn small_sigma1(x: u32) -> u32 { return rotr(x, 17u) ^ rotr(x, 19u) ^ (x >> 10u); }
fn byte_swap(x: u32) -> u32 {
  return (x << 24u) | ((x << 8u) & 0xff0000u) | ((x >> 8u) & 0xff00u) | (x >> 24u);
}

struct State { a: u32, b: u32, c: u32, d: u32, e: u32, f: u32, g: u32, h: u32 }

fn round(s: State, kw: u32) -> State {
  let t1 = s.h + big_sigma1(s.e) + ((s.e & s.f) ^ (~s.e & s.g)) + kw;
  let t2 = big_sigma0(s.a) + ((s.a & s.b) ^ (s.a & s.c) ^ (s.b & s.c));
  return State(t1 + t2, s.a, s.b, s.c, s.d + t1, s.e, s.f, s.g);
}

fn schedule(w: ptr<function, array<u32, 64>>, t: u32) -> u32 {
  let v = small_sigma1((*w)[t - 2u]) + (*w)[t - 7u] + small_sigma0((*w)[t - 15u]) + (*w)[t - 16u];
  (*w)[t] = v;
  return v;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let offset = id.x;
  if (offset >= params.count) { return; }
  // The range never passes 0xffffffff (the CPU side checks), so this does not wrap.
  let nonce = params.start + offset;

  // The tail block: header bytes 64..79 (the nonce, little-endian in the header, is word 3),
  // then padding for 640 bits.
  var w: array<u32, 64>;
  w[0] = params.tail.x;
  w[1] = params.tail.y;
  w[2] = params.tail.z;
  w[3] = byte_swap(nonce);
  w[4] = 0x80000000u;
  for (var t = 5u; t < 15u; t++) { w[t] = 0u; }
  w[15] = 640u;
  let m0 = params.midstate[0];
  let m1 = params.midstate[1];
  var s = State(m0.x, m0.y, m0.z, m0.w, m1.x, m1.y, m1.z, m1.w);
  for (var t = 0u; t < 16u; t++) { s = round(s, K[t] + w[t]); }
  for (var t = 16u; t < 64u; t++) { s = round(s, K[t] + schedule(&w, t)); }

  // The second hash's block: the first digest, then padding for 256 bits.
  w[0] = m0.x + s.a;
  w[1] = m0.y + s.b;
  w[2] = m0.z + s.c;
  w[3] = m0.w + s.d;
  w[4] = m1.x + s.e;
  w[5] = m1.y + s.f;
  w[6] = m1.z + s.g;
  w[7] = m1.w + s.h;
  w[8] = 0x80000000u;
  for (var t = 9u; t < 15u; t++) { w[t] = 0u; }
  w[15] = 256u;
  s = State(IV[0], IV[1], IV[2], IV[3], IV[4], IV[5], IV[6], IV[7]);
  for (var t = 0u; t < 16u; t++) { s = round(s, K[t] + w[t]); }
  for (var t = 16u; t < 61u; t++) { s = round(s, K[t] + schedule(&w, t)); }
  // The e of round 60 is the h after round 63: the top word is known three rounds early.
  if (byte_swap(IV[7] + s.e) > params.top_limit) { return; }

  let slot = atomicAdd(&candidates.count, 1u);
  if (slot < ${CANDIDATE_SLOTS}u) { candidates.slots[slot] = offset; }
}
`;
}

function readWordBE(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

/** The uniform block for one dispatch, laid out as the shader's `Params` (little-endian u32s). */
export function packWgslParams(header80: Uint8Array, midstate: Uint32Array, start: number, count: number, topLimit: number): ArrayBuffer {
  const buffer = new ArrayBuffer(PARAMS_BYTES);
  const words = new Uint32Array(buffer);
  words.set(midstate, 0);
  // Header bytes 64..75 (end of the merkle root, time, bits) as SHA-256's big-endian words.
  for (let i = 0; i < 3; i++) words[8 + i] = readWordBE(header80, 64 + 4 * i);
  words[12] = start;
  words[13] = count;
  words[14] = topLimit;
  return buffer;
}

/**
 * The lowest candidate offset whose nonce's sha256d (hashed here again, all 256 bits compared as
 * a little-endian number) is at most `target`, or undefined. `slots` holds the offsets the shader
 * wrote, in whatever order its invocations ran.
 */
export function firstMeetingCandidate(header80: Uint8Array, start: number, target: bigint, slots: Uint32Array): number | undefined {
  const header = header80.slice();
  const view = new DataView(header.buffer);
  for (const offset of Uint32Array.from(slots).sort()) {
    view.setUint32(76, start + offset, true);
    if (hashToBigInt(sha256d(header)) <= target) return offset;
  }
  return undefined;
}
