/**
 * sha256d of an 80-byte block header: core's `sha256d` (@noble/hashes, pure JS) against Node's
 * native OpenSSL SHA-256 applied twice, measured in the same run.
 */
import { createHash } from 'node:crypto';
import { bytesEqual, encodeHeader, sha256d, regtestParams } from '../src/core/index.ts';
import { compare, consume, formatRatio, isMain, pairedRatio, printTable, type Measurement } from './harness.ts';

function nodeSha256d(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(createHash('sha256').update(data).digest()).digest();
}

export async function run(): Promise<Measurement[]> {
  const header = encodeHeader(regtestParams.genesis.header);
  if (header.length !== 80) throw new Error(`expected an 80-byte header, got ${header.length}`);
  // Same input, same output: otherwise the comparison means nothing.
  if (!bytesEqual(sha256d(header), nodeSha256d(header))) throw new Error('core sha256d and node:crypto disagree');

  const [core, node] = (await compare(
    [
      { name: 'core sha256d (@noble/hashes)', unit: 'hash', fn: () => consume(sha256d(header)) },
      { name: 'node:crypto sha256 ×2', unit: 'hash', fn: () => consume(nodeSha256d(header)) },
    ],
    { rounds: 10, roundMs: 150 },
  )) as [Measurement, Measurement];

  printTable(
    'hash: sha256d of an 80-byte header',
    [core, node],
    [`core / node = ${formatRatio(pairedRatio(core, node))}  (median of per-round ratios; above 1: core is faster)`],
    ['this is the mining inner loop (one sha256d per nonce); the browser miner cannot use node:crypto'],
  );
  return [core, node];
}

if (isMain(import.meta.url)) await run();
