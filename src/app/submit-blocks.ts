/**
 * @module `chain.submitBlocks`: raw blocks from a caller (canonical encoding, hex) validated and
 * connected in one store write, like bitcoind's `submitblock`. Each block's given bytes are stored
 * as they are (decoded once, never encoded again); one that does not decode gets a `bad-encoding`
 * outcome and the others still go in.
 */
import { DecodeError, decodeBlock, hexToBytes, type Block, type BlockOutcome, type Node, type NetworkParams } from '../core/index.ts';
import { TabchainError } from './tabchain-error.ts';

/** How one block of `chain.submitBlocks` fared: a chain outcome, or `rejected` with the reason's code. */
export interface SubmitBlockOutcomeJson {
  status: BlockOutcome['status'];
  hash?: string;
  height?: number;
  code?: string;
  message?: string;
}

/** A block from hex, with its bytes. */
function decodeHexBlock(hex: unknown, params: NetworkParams): { block: Block; bytes: Uint8Array } | { error: string } {
  if (typeof hex !== 'string' || !/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return { error: 'not an even-length hex string' };
  try {
    const bytes = hexToBytes(hex);
    return { block: decodeBlock(bytes, params.limits), bytes };
  } catch (error) {
    if (error instanceof DecodeError) return { error: error.message };
    throw error;
  }
}

/** One outcome per hex string, in order. An InputError when `hexes` is not an array. */
export async function submitHexBlocks(node: Node, hexes: unknown): Promise<SubmitBlockOutcomeJson[]> {
  if (!Array.isArray(hexes)) throw TabchainError.invalidInput('hexes', 'submitBlocks takes an array of hex strings');
  const decoded = hexes.map((hex) => decodeHexBlock(hex, node.params));
  const valid = decoded.filter((d): d is { block: Block; bytes: Uint8Array } => 'block' in d);
  const outcomes = await node.chain.processBlocks(
    valid.map((d) => d.block),
    valid.map((d) => d.bytes),
  );
  let next = 0;
  return decoded.map((d) => {
    if (!('block' in d)) return { status: 'rejected', code: 'bad-encoding', message: d.error };
    const o = outcomes[next++]!;
    return o.status === 'rejected'
      ? { status: o.status, hash: o.hash, code: o.rejection.code, message: o.rejection.message }
      : { status: o.status, hash: o.hash, ...('height' in o ? { height: o.height } : {}) };
  });
}
