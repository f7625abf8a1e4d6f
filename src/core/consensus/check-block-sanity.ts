/**
 * @module Stage 1 of block validation: the checks that need nothing but the block (Bitcoin's
 * CheckBlock, btcd's CheckBlockSanity). Cheap checks run first: proof of work on the header, then
 * the size computed from field lengths, before a single tx is hashed.
 *
 * Rejections about the body not matching its header (size, coinbase placement, merkle root,
 * CVE-2012-2459 mutation) are not permanent: another body could match the same hash. Only once the
 * merkle root proves the body is the one the header commits to are body rules permanent.
 */
import { blockSize, type Block } from '../primitives/block.ts';
import { headerHash } from '../primitives/header.ts';
import { isCoinbase, txSize, txidBytes } from '../primitives/transaction.ts';
import { bytesEqual } from '../encoding/hex.ts';
import { checkTransactionSanity } from './check-transaction.ts';
import { computeMerkleRoot } from './merkle.ts';
import { checkProofOfWork } from './pow.ts';
import type { NetworkParams } from './params.ts';
import { reject, type Rejection } from './rejection.ts';

/** Proof of work against the header's own bits: all a header needs before its parent is known. */
export function checkHeaderSanity(header: Block['header'], hash: Uint8Array = headerHash(header)): Rejection | undefined {
  if (!checkProofOfWork(header, hash)) return reject('high-hash', 'proof of work does not meet the target of its bits');
  return undefined;
}

export function checkBlockSanity(
  block: Block,
  params: Pick<NetworkParams, 'limits' | 'maxMoney'>,
  hash: Uint8Array = headerHash(block.header),
): Rejection | undefined {
  const headerRejection = checkHeaderSanity(block.header, hash);
  if (headerRejection) return headerRejection;

  const size = blockSize(block);
  if (size > params.limits.maxBlockSize) return reject('bad-blk-length', `block of ${size} bytes is above ${params.limits.maxBlockSize}`);
  if (block.txs.length === 0) return reject('bad-blk-empty', 'block has no transactions');
  if (!isCoinbase(block.txs[0]!)) return reject('bad-cb-missing', 'first tx is not a coinbase');
  for (let i = 1; i < block.txs.length; i++) {
    if (isCoinbase(block.txs[i]!)) return reject('bad-cb-multiple', `tx ${i} is a second coinbase`);
  }

  // A 64-byte tx could pass for an inner merkle node (two 32-byte hashes), making the root
  // ambiguous (CVE-2017-12842; Bitcoin's Consensus Cleanup forbids them): no tx may be 64 bytes.
  // Not permanent: such a body may be a forgery under an honest header.
  for (let i = 0; i < block.txs.length; i++) {
    if (txSize(block.txs[i]!) === 64) return reject('bad-txns-64-bytes', `tx ${i} is exactly 64 bytes`);
  }

  const { root, mutated } = computeMerkleRoot(block.txs.map(txidBytes));
  if (!bytesEqual(root, block.header.merkleRoot)) return reject('bad-txnmrklroot', 'merkle root does not match the txs');
  if (mutated) return reject('bad-txns-duplicate', 'duplicate txs in the merkle tree (CVE-2012-2459)');

  for (let i = 0; i < block.txs.length; i++) {
    const rejection = checkTransactionSanity(block.txs[i]!, params);
    if (rejection) return { ...rejection, message: `tx ${i}: ${rejection.message}` };
  }
  return undefined;
}
