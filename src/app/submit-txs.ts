/**
 * @module `submitTxs`: raw txs from a caller (canonical encoding, hex) offered to the pool, like
 * bitcoind's `sendrawtransaction`: each is validated (signatures included; a verified signature is
 * not checked again when the tx comes in a block), relayed to peers once accepted, and held as a
 * relayed tx is: in the pool, not stored across restarts (a wallet payment, `send`, is stored).
 * One that does not decode gets a `bad-encoding` outcome and the others are still offered.
 */
import { DecodeError, decodeTx, hexToBytes, txid, type Node } from '../core/index.ts';
import { TabchainError } from './tabchain-error.ts';

/** How one tx of `submitTxs` fared: accepted into the pool, waiting for unknown inputs (`orphan`), or rejected with the reason's code. */
export interface SubmitTxOutcomeJson {
  status: 'accepted' | 'orphan' | 'rejected';
  txid?: string;
  code?: string;
  message?: string;
}

/** One outcome per hex string, in order; txs are offered one after another (a later one may spend an earlier one). An InputError when `hexes` is not an array. */
export async function submitHexTxs(node: Node, hexes: unknown): Promise<SubmitTxOutcomeJson[]> {
  if (!Array.isArray(hexes)) throw TabchainError.invalidInput('hexes', 'submitTxs takes an array of hex strings');
  // Every tx is handed to the pool before the first verdict is awaited: the pool still judges them
  // one after another in this order, but the waiting ones count as a burst, whose signatures are
  // verified together on every core (mempool signature-prefetch.ts) instead of one round trip each.
  const outcomes: (SubmitTxOutcomeJson | Promise<SubmitTxOutcomeJson>)[] = [];
  for (const hex of hexes) {
    if (typeof hex !== 'string' || !/^(?:[0-9a-fA-F]{2})+$/.test(hex)) {
      outcomes.push({ status: 'rejected', code: 'bad-encoding', message: 'not an even-length hex string' });
      continue;
    }
    let tx;
    try {
      tx = decodeTx(hexToBytes(hex), node.params.limits);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      outcomes.push({ status: 'rejected', code: 'bad-encoding', message: error.message });
      continue;
    }
    const id = txid(tx);
    outcomes.push(
      node.receiveTx(tx).then((result): SubmitTxOutcomeJson => {
        if (result.ok) return { status: 'accepted', txid: id };
        if (result.code === 'missing-inputs') return { status: 'orphan', txid: id, code: result.code, message: result.message };
        return { status: 'rejected', txid: id, code: result.code, message: result.message };
      }),
    );
  }
  return Promise.all(outcomes);
}
