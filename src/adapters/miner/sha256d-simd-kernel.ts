/**
 * @module The WebAssembly SIMD mining kernel, generated: a module whose function
 * `scan(start, count, topLimit)` hashes nonces `start, start + 1, …` (`count` of them) of one
 * header, 4 × {@link GROUPS} at a time (i32x4 lanes), and returns the
 * offset of the first nonce whose hash *might* meet the target (its little-endian top word is at
 * most `topLimit`), with that group's digests in memory; or -1. The exact 256-bit comparison is
 * the caller's (`simd-nonce-search.ts`), as in core's scalar `searchNonces`.
 *
 * The SHA-256 below is written once, over symbolic values, and straight-line code is generated
 * from it. A value is a compile-time constant, a *uniform* (the same in every lane: it depends on
 * the header but not on the nonce) or a *lane* value (it depends on the nonce). Operations on
 * constants are folded here; operations on uniforms are emitted once per call, before the loop,
 * into memory slots; only lane operations run per nonce. So what core's `searchNonces`
 * precomputes by hand (the midstate, rounds 0–2 of the tail block, its fixed schedule words,
 * the padding words and the second hash's constant round 0) falls out of the generator, and
 * the loop runs only what depends on the nonce. Like core, the second hash stops after round 60
 * (whose `e` is the last digest word) unless some lane can still meet the target.
 *
 * Memory (all little-endian i32): the midstate at {@link MIDSTATE_OFFSET} (8 words), header
 * words 16–18 (big-endian values, bytes 64–75) at {@link TAIL_OFFSET}, the digests of the last
 * candidate group at {@link DIGESTS_OFFSET} (group g, word j, lane l at
 * `DIGESTS_OFFSET + (8g + j) × 16 + 4l`), then the uniform slots.
 */
import { SHA256_IV, SHA256_K } from '../../core/mining/sha256-midstate.ts';
import { Code, I32, V128, VOID, op, simd, writeModule } from './wasm-binary.ts';

/**
 * v128 groups per loop iteration, interleaved round by round. One is faster than two in V8 on
 * x64 (measured 3.2 against 2.7 MH/s): two groups' state and schedule windows (48 live vectors)
 * spill far more of the 16 vector registers than they gain in independent work.
 */
export const GROUPS = 1;
/** Nonces per loop iteration. */
export const LANES = 4 * GROUPS;
export const MIDSTATE_OFFSET = 0;
export const TAIL_OFFSET = 32;
export const DIGESTS_OFFSET = 64;
const SLOTS_OFFSET = DIGESTS_OFFSET + GROUPS * 8 * 16;

// SHA-256's constants, from the scalar miner's module (the one place they are written).
const K = Array.from(SHA256_K);
const IV = Array.from(SHA256_IV);

// Locals: the params, then the i32 locals, then one v128 local per lane value.
const START = 0;
const COUNT = 1;
const TOP_LIMIT = 2;
const OFFSET = 3;
const BITS = 4;
const REMAINING = 5;
const FIRST_V128 = 6;

/** Reverses the bytes of each 32-bit lane. */
const BYTE_SWAP = [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12];

type Value =
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'uniform'; readonly address: number }
  | { readonly kind: 'lane'; readonly local: number };

const constant = (value: number): Value => ({ kind: 'const', value: value | 0 });

/** Emits code for symbolic values: constants folded, uniforms before the loop, lanes in it. */
class KernelWriter {
  /** Run once per call, before the loop: computes the uniform slots. */
  readonly prologue = new Code();
  /** Run per nonce group. */
  body = new Code();
  private nextSlot = SLOTS_OFFSET;
  locals = 0;
  /** Uniform results by operation and operands, so the groups share them. */
  private readonly uniforms = new Map<string, Value>();

  get memoryEnd(): number {
    return this.nextSlot;
  }

  private key(v: Value): string {
    return v.kind === 'const' ? `c${v.value}` : v.kind === 'uniform' ? `u${v.address}` : `l${v.local}`;
  }

  push(code: Code, v: Value): void {
    if (v.kind === 'const') code.v128Const([v.value, v.value, v.value, v.value]);
    else if (v.kind === 'uniform') code.i32Const(0).simdMemory(simd.v128Load, v.address);
    else code.op(op.localGet, v.local);
  }

  /** A uniform whose value the prologue computes with `emit` (memoised by `key`). */
  uniform(key: string, emit: (code: Code) => void): Value {
    const known = this.uniforms.get(key);
    if (known) return known;
    const address = this.nextSlot;
    this.nextSlot += 16;
    this.prologue.i32Const(0);
    emit(this.prologue);
    this.prologue.simdMemory(simd.v128Store, address);
    const v: Value = { kind: 'uniform', address };
    this.uniforms.set(key, v);
    return v;
  }

  /** A lane value computed in the loop by `emit`. */
  lane(emit: (code: Code) => void): Value {
    const local = FIRST_V128 + this.locals++;
    emit(this.body);
    this.body.op(op.localSet, local);
    return { kind: 'lane', local };
  }

  /** A splat of the i32 at a memory address (a parameter of the call). */
  param(address: number): Value {
    return this.uniform(`p${address}`, (code) => code.i32Const(0).memory(op.i32Load, 2, address).simd(simd.i32x4Splat));
  }

  private binary(opcode: number, a: Value, b: Value, fold: (x: number, y: number) => number): Value {
    if (a.kind === 'const' && b.kind === 'const') return constant(fold(a.value, b.value));
    const emit = (code: Code): void => {
      this.push(code, a);
      this.push(code, b);
      code.simd(opcode);
    };
    if (a.kind !== 'lane' && b.kind !== 'lane') return this.uniform(`${opcode}:${this.key(a)}:${this.key(b)}`, emit);
    return this.lane(emit);
  }

  private shift(opcode: number, a: Value, n: number, fold: (x: number) => number): Value {
    if (a.kind === 'const') return constant(fold(a.value));
    const emit = (code: Code): void => {
      this.push(code, a);
      code.i32Const(n).simd(opcode);
    };
    if (a.kind === 'uniform') return this.uniform(`${opcode}:${this.key(a)}:${n}`, emit);
    return this.lane(emit);
  }

  /** The sum of `values`: constants folded into one, uniforms added before lanes (so before the loop). */
  add(...values: Value[]): Value {
    let c = 0;
    const uniforms: Value[] = [];
    const lanes: Value[] = [];
    for (const v of values) {
      if (v.kind === 'const') c = (c + v.value) | 0;
      else (v.kind === 'uniform' ? uniforms : lanes).push(v);
    }
    const terms = [...uniforms, ...(c !== 0 ? [constant(c)] : []), ...lanes];
    if (terms.length === 0) return constant(0);
    let sum = terms[0]!;
    for (const v of terms.slice(1)) sum = this.binary(simd.i32x4Add, sum, v, (x, y) => x + y);
    return sum;
  }

  xor(a: Value, b: Value): Value {
    if (a.kind === 'const' && a.value === 0) return b;
    if (b.kind === 'const' && b.value === 0) return a;
    return this.binary(simd.v128Xor, a, b, (x, y) => x ^ y);
  }

  and(a: Value, b: Value): Value {
    if ((a.kind === 'const' && a.value === 0) || (b.kind === 'const' && b.value === 0)) return constant(0);
    return this.binary(simd.v128And, a, b, (x, y) => x & y);
  }

  or(a: Value, b: Value): Value {
    return this.binary(simd.v128Or, a, b, (x, y) => x | y);
  }

  shr(a: Value, n: number): Value {
    return this.shift(simd.i32x4ShrU, a, n, (x) => x >>> n);
  }

  shl(a: Value, n: number): Value {
    return this.shift(simd.i32x4Shl, a, n, (x) => x << n);
  }

  rotr(a: Value, n: number): Value {
    return this.or(this.shr(a, n), this.shl(a, 32 - n));
  }

  byteSwap(a: Value): Value {
    if (a.kind !== 'lane') throw new Error('byteSwap is only needed on lane values');
    return this.lane((code) => {
      this.push(code, a);
      this.push(code, a);
      code.shuffle(BYTE_SWAP);
    });
  }
}

// FIPS 180-4's functions on symbolic values.
const bigSigma0 = (k: KernelWriter, x: Value): Value => k.xor(k.xor(k.rotr(x, 2), k.rotr(x, 13)), k.rotr(x, 22));
const bigSigma1 = (k: KernelWriter, x: Value): Value => k.xor(k.xor(k.rotr(x, 6), k.rotr(x, 11)), k.rotr(x, 25));
const smallSigma0 = (k: KernelWriter, x: Value): Value => k.xor(k.xor(k.rotr(x, 7), k.rotr(x, 18)), k.shr(x, 3));
const smallSigma1 = (k: KernelWriter, x: Value): Value => k.xor(k.xor(k.rotr(x, 17), k.rotr(x, 19)), k.shr(x, 10));

/** One group's SHA-256 compression in progress: state a..h, message schedule, and Maj's carried b ^ c. */
interface Compression {
  state: Value[];
  readonly w: Value[];
  /** a ^ b of the previous round, which is this round's b ^ c (Maj in three operations). */
  bc: Value | undefined;
}

function round(k: KernelWriter, s: Compression, t: number): void {
  if (t >= 16) {
    const w = s.w;
    w[t] = k.add(smallSigma1(k, w[t - 2]!), w[t - 7]!, smallSigma0(k, w[t - 15]!), w[t - 16]!);
  }
  const [a, b, c, d, e, f, g, h] = s.state as [Value, Value, Value, Value, Value, Value, Value, Value];
  const ch = k.xor(g, k.and(e, k.xor(f, g)));
  const t1 = k.add(h, constant(K[t]!), s.w[t]!, ch, bigSigma1(k, e));
  const ab = k.xor(a, b);
  const maj = k.xor(b, k.and(ab, s.bc ?? k.xor(b, c)));
  const t2 = k.add(bigSigma0(k, a), maj);
  s.state = [k.add(t1, t2), a, b, c, k.add(d, t1), e, f, g];
  s.bc = ab;
}

/** Runs rounds `from..to-1` of every group, interleaved round by round. */
function rounds(k: KernelWriter, groups: Compression[], from: number, to: number): void {
  for (let t = from; t < to; t++) for (const s of groups) round(k, s, t);
}

/** The kernel module's bytes, generated (a few ms), and the size of memory it needs. */
export function sha256dSimdKernel(): Uint8Array<ArrayBuffer> {
  const k = new KernelWriter();
  const midstate = Array.from({ length: 8 }, (_, i) => k.param(MIDSTATE_OFFSET + 4 * i));
  const tailWords = Array.from({ length: 3 }, (_, i) => k.param(TAIL_OFFSET + 4 * i));

  const first: Compression[] = [];
  for (let g = 0; g < GROUPS; g++) {
    // Nonces start + offset + 4g + lane, as big-endian message words (the header is little-endian).
    const nonces = k.lane((code) =>
      code
        .op(op.localGet, START)
        .op(op.localGet, OFFSET)
        .raw(op.i32Add)
        .simd(simd.i32x4Splat)
        .v128Const([4 * g, 4 * g + 1, 4 * g + 2, 4 * g + 3])
        .simd(simd.i32x4Add),
    );
    const w = [...tailWords, k.byteSwap(nonces), constant(0x80000000), ...Array.from({ length: 10 }, () => constant(0)), constant(640)];
    first.push({ state: [...midstate], w, bc: undefined });
  }
  rounds(k, first, 0, 64);

  const second: Compression[] = first.map((s) => ({
    state: IV.map(constant),
    w: [...s.state.map((v, i) => k.add(midstate[i]!, v)), constant(0x80000000), ...Array.from({ length: 6 }, () => constant(0)), constant(256)],
    bc: undefined,
  }));
  rounds(k, second, 0, 61);

  // After round 60, e is the last digest word less IV[7]: the hash's little-endian top word is it
  // byte-swapped. BITS gets one bit per lane whose top word is at most topLimit.
  const limit = k.uniform('limit', (code) => code.op(op.localGet, TOP_LIMIT).simd(simd.i32x4Splat));
  second.forEach((s, g) => {
    const top = k.byteSwap(k.add(constant(IV[7]!), s.state[4]!));
    k.push(k.body, top);
    k.push(k.body, limit);
    k.body.simd(simd.i32x4LeU).simd(simd.i32x4Bitmask);
    if (g > 0) k.body.i32Const(4 * g).raw(op.i32Shl).op(op.localGet, BITS).raw(op.i32Or);
    k.body.op(op.localSet, BITS);
  });
  // Lanes past the end of the range do not count.
  k.body
    .op(op.localGet, COUNT)
    .op(op.localGet, OFFSET)
    .raw(op.i32Sub)
    .op(op.localTee, REMAINING)
    .i32Const(LANES)
    .raw(op.i32LtU)
    .raw(op.if, VOID)
    .op(op.localGet, BITS)
    .i32Const(1)
    .op(op.localGet, REMAINING)
    .raw(op.i32Shl)
    .i32Const(1)
    .raw(op.i32Sub)
    .raw(op.i32And)
    .op(op.localSet, BITS)
    .raw(op.end);
  // A candidate: finish every group's hash, store the digests, return the first candidate's offset.
  k.body.op(op.localGet, BITS).raw(op.if, VOID);
  rounds(k, second, 61, 64);
  second.forEach((s, g) =>
    s.state.forEach((v, j) => {
      k.body.i32Const(0);
      k.push(k.body, k.add(constant(IV[j]!), v));
      k.body.simdMemory(simd.v128Store, DIGESTS_OFFSET + (8 * g + j) * 16);
    }),
  );
  k.body.op(op.localGet, OFFSET).op(op.localGet, BITS).raw(op.i32Ctz).raw(op.i32Add).raw(op.return).raw(op.end);

  const code = new Code()
    .append(k.prologue)
    .i32Const(0)
    .op(op.localSet, OFFSET)
    .raw(op.loop, VOID)
    // offset >= count (unsigned): the range is done.
    .op(op.localGet, OFFSET)
    .op(op.localGet, COUNT)
    .raw(op.i32GeU)
    .raw(op.if, VOID)
    .i32Const(-1)
    .raw(op.return)
    .raw(op.end)
    .append(k.body)
    .op(op.localGet, OFFSET)
    .i32Const(LANES)
    .raw(op.i32Add)
    .op(op.localSet, OFFSET)
    .op(op.br, 0)
    .raw(op.end)
    .i32Const(-1);
  return writeModule(
    {
      exportName: 'scan',
      params: [I32, I32, I32],
      results: [I32],
      locals: [
        [3, I32],
        [k.locals, V128],
      ],
      code,
    },
    'memory',
    Math.ceil(k.memoryEnd / 65_536),
  );
}
