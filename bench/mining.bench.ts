/**
 * The miner's hot loop on one core: the WebAssembly SIMD kernel (what each mining worker runs
 * where WebAssembly SIMD is available) and core's scalar `searchNonces` (midstate SHA-256, the
 * workers' fallback) against a naive loop that writes the nonce and calls core's `sha256d`
 * (@noble/hashes) per nonce, and against the same loop with node:crypto (native OpenSSL).
 *
 * The target is 1, which no hash meets: every call of `searchNonces` hashes all of its nonces,
 * as when mining at real difficulty. The naive loops do not compare with the target at all
 * (a bigint comparison per nonce would only make them slower), so the ratios are about hashing.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { bytesEqual, encodeHeader, headerMidstate, searchNonces, sha256d, sha256dHeader, regtestParams } from '../src/core/index.ts';
import { createSimdNonceSearch } from '../src/adapters/miner/simd-nonce-search.ts';
import { compare, consume, formatNumber, formatRatio, isMain, pairedRatio, printTable, type Measurement } from './harness.ts';

/** Nonces per searchNonces call (one call is one batch of the timing harness). */
const BATCH = 4096;
/** Nonces per call of the naive loops. */
const NAIVE_BATCH = 256;

function nodeSha256d(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(createHash('sha256').update(data).digest()).digest();
}

/**
 * OpenSSL's own SHA-256 rate for `bytes`-byte messages, hashes/s (`openssl speed -evp sha256`:
 * native code, SHA-NI where the CPU has it, no JavaScript call per hash), or undefined when there
 * is no openssl here.
 */
function opensslSha256Rate(bytes: number): number | undefined {
  try {
    const out = execFileSync('openssl', ['speed', '-evp', 'sha256', '-bytes', String(bytes), '-seconds', '1', '-mr'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // `+F:<n>:sha256:<bytes per second>` for the one message size asked.
    const m = /\+F:\d+:sha256:([\d.]+)/.exec(out);
    return m ? Number(m[1]) / bytes : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Native sha256d of an 80-byte header by OpenSSL, two ways, against the SIMD kernel, in
 * alternating rounds (openssl runs a second per message size, the kernel a second just before):
 * - *per call*: one 80-byte digest, then one of the 32-byte digest (`EVP_Digest` per message,
 *   so its per-call set-up counts, as it would for a native program hashing headers one by one);
 * - *SHA-NI ceiling*: the bulk rate of 16 KiB messages over the 3 compressions (192 bytes) of a
 *   header's sha256d: what a native miner bound by the SHA-256 instructions alone would reach.
 * Returns per-round rates and ratios, or undefined without openssl.
 */
function againstNative(simdRate: () => number, rounds: number): { perCall: number[]; ceiling: number[]; perCallRatios: number[]; ceilingRatios: number[] } | undefined {
  const out = { perCall: [] as number[], ceiling: [] as number[], perCallRatios: [] as number[], ceilingRatios: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const s = simdRate();
    const r80 = opensslSha256Rate(80);
    const r32 = opensslSha256Rate(32);
    const bulk = opensslSha256Rate(16_384);
    if (r80 === undefined || r32 === undefined || bulk === undefined) return undefined;
    const perCall = 1 / (1 / r80 + 1 / r32);
    const ceiling = (bulk * 16_384) / 192;
    out.perCall.push(perCall);
    out.ceiling.push(ceiling);
    out.perCallRatios.push(s / perCall);
    out.ceilingRatios.push(s / ceiling);
  }
  return out;
}

const medianOf = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function run(): Promise<void> {
  const header = encodeHeader(regtestParams.genesis.header);
  const midstate = headerMidstate(header);
  // Same input, same output: otherwise the comparison means nothing.
  for (const nonce of [0, 1, 0x7fffffff, 0xffffffff]) {
    const h = header.slice();
    new DataView(h.buffer).setUint32(76, nonce, true);
    if (!bytesEqual(sha256dHeader(h), sha256d(h)) || !bytesEqual(sha256d(h), nodeSha256d(h))) throw new Error('the three sha256d disagree');
  }
  if (searchNonces(header, midstate, 1n, 0, BATCH).hashes !== BATCH) throw new Error('target 1 was met');
  const simdSearch = createSimdNonceSearch();
  const easy = 1n << 244n;
  for (const from of [0, 0x7ffff000, 0xffffffff - 3 * BATCH]) {
    const a = simdSearch(header, midstate, easy, from, 3 * BATCH);
    const b = searchNonces(header, midstate, easy, from, 3 * BATCH);
    if (a.nonce !== b.nonce || a.hashes !== b.hashes) throw new Error('the SIMD kernel and searchNonces disagree');
  }

  let nonce = 0;
  const naive = (hash: (data: Uint8Array) => Uint8Array) => {
    const h = header.slice();
    const view = new DataView(h.buffer);
    return () => {
      for (let i = 0; i < NAIVE_BATCH; i++) {
        view.setUint32(76, nonce, true);
        nonce = (nonce + 1) >>> 0;
        consume(hash(h));
      }
    };
  };
  let start = 0;
  let simdStart = 0;
  const [simd, midstateCase, noble, node] = (await compare(
    [
      {
        name: 'WASM SIMD kernel (midstate, i32x4)',
        unit: 'hash',
        opsPerCall: 4 * BATCH,
        fn: () => {
          consume(simdSearch(header, midstate, 1n, simdStart, 4 * BATCH).hashes);
          simdStart = simdStart + 4 * BATCH > 0xffffffff - 4 * BATCH ? 0 : simdStart + 4 * BATCH;
        },
      },
      {
        name: 'searchNonces (midstate)',
        unit: 'hash',
        opsPerCall: BATCH,
        fn: () => {
          consume(searchNonces(header, midstate, 1n, start, BATCH).hashes);
          start = start + BATCH > 0xffffffff - BATCH ? 0 : start + BATCH;
        },
      },
      { name: 'core sha256d (@noble/hashes) loop', unit: 'hash', opsPerCall: NAIVE_BATCH, fn: naive(sha256d) },
      { name: 'node:crypto sha256 ×2 loop', unit: 'hash', opsPerCall: NAIVE_BATCH, fn: naive(nodeSha256d) },
    ],
    { rounds: 10, roundMs: 200 },
  )) as [Measurement, Measurement, Measurement, Measurement];

  // The SIMD kernel for about a second, right before each openssl run.
  const simdRate = (): number => {
    let hashes = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 1000) {
      hashes += simdSearch(header, midstate, 1n, simdStart, 4 * BATCH).hashes;
      simdStart = simdStart + 4 * BATCH > 0xffffffff - 4 * BATCH ? 0 : simdStart + 4 * BATCH;
    }
    return (hashes * 1000) / (performance.now() - t0);
  };
  const native = againstNative(simdRate, 3);

  printTable(
    'mining: hashes per second on one core (80-byte header, nonce varying)',
    [simd, midstateCase, noble, node],
    [
      `SIMD kernel / node:crypto    = ${formatRatio(pairedRatio(simd, node))}  (median of per-round ratios; node:crypto pays two Hash objects per call)`,
      `SIMD kernel / searchNonces   = ${formatRatio(pairedRatio(simd, midstateCase))}`,
      `searchNonces / noble sha256d = ${formatRatio(pairedRatio(midstateCase, noble))}  (median of per-round ratios)`,
      `searchNonces / node:crypto   = ${formatRatio(pairedRatio(midstateCase, node))}`,
      `noble / node:crypto          = ${formatRatio(pairedRatio(noble, node))}`,
      ...(native
        ? [
            `native sha256d, SHA-NI ceiling = ${formatNumber(medianOf(native.ceiling))} hash/s  (OpenSSL bulk rate / 192 bytes; rounds: ${native.ceiling.map((n) => formatNumber(n)).join(', ')})`,
            `SIMD kernel / SHA-NI ceiling   = ${formatRatio(medianOf(native.ceilingRatios))}  (median of per-round ratios: ${native.ceilingRatios.map((r) => r.toFixed(3)).join(', ')}; the goal of issue 15 is at least 0.25)`,
            `native sha256d, per call       = ${formatNumber(medianOf(native.perCall))} hash/s  (OpenSSL EVP digest of 80 then 32 bytes; rounds: ${native.perCall.map((n) => formatNumber(n)).join(', ')})`,
            `SIMD kernel / native per call  = ${formatRatio(medianOf(native.perCallRatios))}  (median of per-round ratios)`,
          ]
        : ['native sha256d (OpenSSL)       = skipped: no openssl here']),
    ],
    [
      `per nonce searchNonces runs 121 SHA-256 rounds (61 of the tail block, 60 of the second hash; 3 more for the rare candidate); sha256d of 80 bytes runs 192`,
      `the SIMD kernel runs the same 121 rounds on four nonces at once (i32x4; no rotate instruction, so each rotation is two shifts and an or)`,
      `native sha256d: \`openssl speed -evp sha256 -bytes N\` (one second each, SHA-NI where the CPU has it): N = 16384 for the ceiling (bytes/s ÷ 192), N = 80 and 32 for per call (1 / (1/r80 + 1/r32)); each round ran the SIMD kernel for a second just before`,
      `a browser with W mining workers: about W × ${formatNumber(simd.opsPerSec)} hash/s with WebAssembly SIMD (W × ${formatNumber(midstateCase.opsPerSec)} on the scalar fallback) if each worker gets a core like this one`,
    ],
  );
}

if (isMain(import.meta.url)) await run();
