/**
 * The miner's hot loop on one core: core's `searchNonces` (midstate SHA-256, what each mining
 * worker runs) against a naive loop that writes the nonce and calls core's `sha256d`
 * (@noble/hashes) per nonce, and against the same loop with node:crypto (native OpenSSL).
 *
 * The target is 1, which no hash meets: every call of `searchNonces` hashes all of its nonces,
 * as when mining at real difficulty. The naive loops do not compare with the target at all
 * (a bigint comparison per nonce would only make them slower), so the ratios are about hashing.
 */
import { createHash } from 'node:crypto';
import { bytesEqual, encodeHeader, headerMidstate, searchNonces, sha256d, sha256dHeader, regtestParams } from '../src/core/index.ts';
import { compare, consume, formatNumber, formatRatio, isMain, pairedRatio, printTable, type Measurement } from './harness.ts';

/** Nonces per searchNonces call (one call is one batch of the timing harness). */
const BATCH = 4096;
/** Nonces per call of the naive loops. */
const NAIVE_BATCH = 256;

function nodeSha256d(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(createHash('sha256').update(data).digest()).digest();
}

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
  const [midstateCase, noble, node] = (await compare(
    [
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
  )) as [Measurement, Measurement, Measurement];

  printTable(
    'mining: hashes per second on one core (80-byte header, nonce varying)',
    [midstateCase, noble, node],
    [
      `searchNonces / noble sha256d = ${formatRatio(pairedRatio(midstateCase, noble))}  (median of per-round ratios)`,
      `searchNonces / node:crypto   = ${formatRatio(pairedRatio(midstateCase, node))}`,
      `noble / node:crypto          = ${formatRatio(pairedRatio(noble, node))}`,
    ],
    [
      `per nonce searchNonces runs 121 SHA-256 rounds (61 of the tail block, 60 of the second hash; 3 more for the rare candidate); sha256d of 80 bytes runs 192`,
      `a browser with W mining workers: about W × ${formatNumber(midstateCase.opsPerSec)} hash/s if each worker gets a core like this one`,
    ],
  );
}

if (isMain(import.meta.url)) await run();
