/**
 * @module The signature hash, and signing a transaction.
 *
 * The message an input's key signs commits to the network id (so a signature never replays on
 * another network), the tx version, every input's outpoint together with the amount and key of
 * the output it spends (so a signer cannot be lied to about what it spends, as in BIP341), every
 * output, the memo, and the index of the input being signed.
 *
 * It is computed in two tagged-hash steps so a tx with n inputs costs O(n), not O(n²):
 * ```
 * txDigest = taggedHash("tabchain/sighash-tx", networkId · version · inputs(outpoint · amount · key)* · outputs(amount · key)* · memo)
 * sighash  = taggedHash("tabchain/sighash", txDigest · inputIndex u32le)
 * ```
 */
import { ByteWriter } from '../encoding/byte-writer.ts';
import { taggedHash } from '../crypto/hash.ts';
import { schnorrSign } from '../crypto/keys.ts';
import type { Transaction, TxInput, TxOutput } from '../primitives/transaction.ts';

/** What an input spends, as the signer and the verifier both know it. */
export interface SpentOutput {
  readonly amount: bigint;
  readonly publicKey: Uint8Array;
}

/** A tx before signing: inputs are outpoints only. */
export interface UnsignedTransaction {
  readonly version: number;
  readonly inputs: readonly Pick<TxInput, 'prevTxid' | 'vout'>[];
  readonly outputs: readonly TxOutput[];
  readonly memo: Uint8Array;
}

function txDigest(tx: UnsignedTransaction, spent: readonly SpentOutput[], networkId: Uint8Array): Uint8Array {
  if (spent.length !== tx.inputs.length) throw new RangeError('one spent output per input is needed');
  const w = new ByteWriter(64 + tx.inputs.length * 76 + tx.outputs.length * 40 + tx.memo.length);
  w.bytes(networkId).u32(tx.version).varint(tx.inputs.length);
  tx.inputs.forEach((input, i) => {
    w.bytes(input.prevTxid).u32(input.vout).u64(spent[i]!.amount).bytes(spent[i]!.publicKey);
  });
  w.varint(tx.outputs.length);
  for (const output of tx.outputs) w.u64(output.amount).bytes(output.publicKey);
  w.varBytes(tx.memo);
  return taggedHash('tabchain/sighash-tx', w.finish());
}

/** The 32-byte message each input's key signs, one per input. */
export function sighashes(tx: UnsignedTransaction, spent: readonly SpentOutput[], networkId: Uint8Array): Uint8Array[] {
  const digest = txDigest(tx, spent, networkId);
  return tx.inputs.map((_, i) => taggedHash('tabchain/sighash', digest, new ByteWriter(4).u32(i).finish()));
}

/**
 * Signs every input. `secretKeys[i]` must own `spent[i].publicKey`.
 * `auxRand` (tests only) makes signatures deterministic.
 */
export function signTransaction(
  tx: UnsignedTransaction,
  spent: readonly SpentOutput[],
  secretKeys: readonly Uint8Array[],
  networkId: Uint8Array,
  auxRand?: Uint8Array,
): Transaction {
  if (tx.inputs.length === 0) throw new TypeError('a coinbase has nothing to sign');
  const messages = sighashes(tx, spent, networkId);
  return {
    version: tx.version,
    inputs: tx.inputs.map((input, i) => ({
      prevTxid: input.prevTxid,
      vout: input.vout,
      signature: schnorrSign(messages[i]!, secretKeys[i]!, auxRand),
    })),
    outputs: tx.outputs,
    memo: tx.memo,
  };
}
