import fc from 'fast-check';
import { nobleHashNumber } from '../../core/testing/noble-hash-number.ts';
import { describe, expect, it } from 'vitest';
import { headerMidstate, searchNonces } from '../../core/mining/sha256-midstate.ts';
import { CANDIDATE_SLOTS, PARAMS_BYTES, firstMeetingCandidate, packWgslParams, sha256dWgsl } from './sha256d-wgsl-kernel.ts';
import { MAX_DISPATCH, dispatchSize, nonceSearchOver, type Dispatch, type DispatchResult } from './webgpu-nonce-search.ts';

// The CPU side of the GPU miner, against a CPU stand-in for the shader. The shader itself is
// checked in real Chromium on its software adapter (tests/e2e/webgpu-miner.spec.ts).


const readBE = (b: Uint8Array, i: number) => new DataView(b.buffer, b.byteOffset).getUint32(i, false);

/**
 * What the shader does, on the CPU: reads the packed params (checking them against the header it
 * was made for), writes the offsets whose hash's top word is at most the limit in a shuffled order
 * (invocations finish in any order), and overflows past the slots.
 */
function standIn(header80: Uint8Array, log: { start: number; count: number }[] = []): Dispatch {
  const midstate = headerMidstate(header80);
  return (packed, count): Promise<DispatchResult> => {
    const words = new Uint32Array(packed);
    expect(packed.byteLength).toBe(PARAMS_BYTES);
    expect([...words.subarray(0, 8)]).toEqual([...midstate]);
    expect([...words.subarray(8, 11)]).toEqual([readBE(header80, 64), readBE(header80, 68), readBE(header80, 72)]);
    const [start, n, topLimit] = [words[12]!, words[13]!, words[14]!];
    expect(n).toBe(count);
    log.push({ start, count });
    const hits: number[] = [];
    for (let i = 0; i < count; i++) if (Number(nobleHashNumber(header80, start + i) >> 224n) <= topLimit) hits.push(i);
    if (hits.length > CANDIDATE_SLOTS) return Promise.resolve({ overflow: true });
    for (let i = hits.length - 1; i > 0; i--) {
      const j = (i * 7919 + start) % (i + 1);
      [hits[i], hits[j]] = [hits[j]!, hits[i]!];
    }
    return Promise.resolve({ overflow: false, slots: Uint32Array.from(hits) });
  };
}

const header = fc.uint8Array({ minLength: 80, maxLength: 80 });

describe('WebGPU nonce search, CPU side', () => {
  it('behavior: packs the midstate, tail words, range and top limit where the shader\'s Params struct has them', () => {
    const header80 = Uint8Array.from({ length: 80 }, (_, i) => i * 3);
    const words = new Uint32Array(packWgslParams(header80, headerMidstate(header80), 0xfffffff0, 16, 0x1234));
    expect([...words.subarray(8, 16)]).toEqual([0xc0c3c6c9, 0xcccfd2d5, 0xd8dbdee1, 0, 0xfffffff0, 16, 0x1234, 0]);
    const wgsl = sha256dWgsl();
    expect(wgsl).toMatch(/midstate: array<vec4<u32>, 2>,\s*tail: vec4<u32>,\s*start: u32,\s*count: u32,\s*top_limit: u32,/);
    expect(wgsl).toContain(`array<u32, ${CANDIDATE_SLOTS}>`);
  });

  it('behavior: of the candidates, in any order, the lowest offset whose exact 256-bit hash meets the target is chosen', () => {
    const header80 = Uint8Array.from({ length: 80 }, (_, i) => 200 - i);
    const hashes = Array.from({ length: 40 }, (_, i) => nobleHashNumber(header80, 1000 + i));
    const sorted = [...hashes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const target = sorted[5]!;
    const meets = hashes.map((h, i) => (h <= target ? i : -1)).filter((i) => i >= 0);
    // All 40 offered, reversed: the first that meets, not the first listed.
    expect(firstMeetingCandidate(header80, 1000, target, Uint32Array.from(hashes.keys()).reverse())).toBe(meets[0]);
    // Offsets that do not meet it exactly (a top word equal to the target's, lower bits above) are skipped.
    const missing = hashes.map((h, i) => (h > target ? i : -1)).filter((i) => i >= 0);
    expect(firstMeetingCandidate(header80, 1000, target, Uint32Array.from(missing))).toBeUndefined();
    expect(firstMeetingCandidate(header80, 1000, target, Uint32Array.from([...missing, meets[2]!, meets[1]!]))).toBe(meets[1]);
  });

  it('behavior: equals core\'s searchNonces on random headers, ranges and targets, overflowing dispatches included', async () => {
    const target = fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
      fc.integer({ min: 0, max: 14 }).map((bits) => (1n << BigInt(256 - bits)) - 1n),
      fc.bigInt({ min: 0n, max: 0xfffffn }).map((top) => top << 224n),
    );
    const range = fc
      .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 3000 }))
      .map(([start, count]) => [Math.min(start, 0xffffffff - count + 1), count] as const);
    await fc.assert(
      fc.asyncProperty(header, range, target, async (header80, [start, count], t) => {
        const midstate = headerMidstate(header80);
        const result = await nonceSearchOver(standIn(header80))(header80, midstate, t, start, count);
        expect(result).toEqual(searchNonces(header80, midstate, t, start, count));
      }),
      { numRuns: 60 },
    );
  });

  it('behavior: at a target most nonces meet, a dispatch holds the slot count (it cannot overflow); at a hard one, the most allowed', async () => {
    const header80 = Uint8Array.from({ length: 80 }, (_, i) => i);
    const midstate = headerMidstate(header80);
    // Regtest-like: half the nonces are candidates (and meet it).
    const target = ((1n << 256n) - 1n) >> 1n;
    const log: { start: number; count: number }[] = [];
    const result = await nonceSearchOver(standIn(header80, log))(header80, midstate, target, 5, 4 * CANDIDATE_SLOTS);
    expect(result).toEqual(searchNonces(header80, midstate, target, 5, 4 * CANDIDATE_SLOTS));
    // A dispatch of the slot count, which cannot overflow.
    expect(log).toEqual([{ start: 5, count: CANDIDATE_SLOTS }]);
    // At regtest's target nearly every nonce is a candidate: dispatches are the slot count, never more.
    expect(dispatchSize(0xffffffff)).toBe(CANDIDATE_SLOTS);
    expect(dispatchSize(0)).toBe(MAX_DISPATCH);
    expect(dispatchSize(0x3ff)).toBe(MAX_DISPATCH);
  });

  it('behavior: overflow halving finds the first hit of a range larger than the slots', async () => {
    const header80 = Uint8Array.from({ length: 80 }, (_, i) => 255 - i);
    const midstate = headerMidstate(header80);
    // A stand-in that overflows whatever it gets above 100 nonces: every range is halved down.
    const inner = standIn(header80);
    const halves: number[] = [];
    const dispatch: Dispatch = (packed, count) => {
      halves.push(count);
      return count > 100 ? Promise.resolve({ overflow: true }) : inner(packed, count);
    };
    const target = (1n << 248n) - 1n;
    for (const [start, count] of [[0, 1000], [77, 999], [0xffffffff - 800, 801]] as const) {
      halves.length = 0;
      const result = await nonceSearchOver(dispatch)(header80, midstate, target, start, count);
      expect(result).toEqual(searchNonces(header80, midstate, target, start, count));
      expect(halves[0]).toBe(count);
      expect(halves.some((n) => n <= 100)).toBe(true);
    }
  });

  it('error: refuses what core\'s searchNonces refuses; an empty range hashes nothing; a negative target is met by none', async () => {
    const header80 = new Uint8Array(80);
    const midstate = headerMidstate(header80);
    const search = nonceSearchOver(standIn(header80));
    await expect(search(header80, midstate, 1n, 0xffffffff, 2)).rejects.toThrow(RangeError);
    await expect(search(header80.subarray(1), midstate, 1n, 0, 1)).rejects.toThrow(RangeError);
    await expect(search(header80, new Uint32Array(7), 1n, 0, 1)).rejects.toThrow(RangeError);
    expect(await search(header80, midstate, 1n, 9, 0)).toEqual({ nonce: undefined, hashes: 0 });
    expect(await search(header80, midstate, -1n, 0, 50)).toEqual({ nonce: undefined, hashes: 50 });
    expect(await search(header80, midstate, (1n << 256n) - 1n, 0xffffffff, 1)).toEqual({ nonce: 0xffffffff, hashes: 1 });
  });
});
