/**
 * @module Messages no honest peer sends, made for the adversary (tests only).
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { encodeTx, signTransaction, type NetworkParams, type PeerId } from '../../src/core/index.ts';
import { generateSecretKey, publicKeyOf } from '../../src/core/crypto/keys.ts';
import { signRelayedSignal } from '../../src/core/net/relay-signature.ts';
import { WIRE_LIMITS, type Message } from '../../src/core/net/messages.ts';
import type { NodeIdentity } from '../../src/core/net/network.ts';

/**
 * `n` well-formed, correctly signed txs that spend outputs nobody has ever seen: orphans a node
 * can only keep waiting for (each different, about 200 bytes, with a memo to take room).
 */
export function orphanTxs(n: number, params: NetworkParams): Uint8Array[] {
  const secretKey = generateSecretKey();
  const publicKey = publicKeyOf(secretKey);
  const txs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const spent = [{ amount: 50_000n, publicKey }];
    const tx = signTransaction(
      {
        version: 1,
        inputs: [{ prevTxid: randomBytes(32), vout: 0 }],
        outputs: [{ amount: 40_000n, publicKey }],
        memo: new TextEncoder().encode(`orphan ${i} `.padEnd(64, '.')),
      },
      spent,
      [secretKey],
      params.networkId,
      new Uint8Array(32),
    );
    txs.push(encodeTx(tx));
  }
  return txs;
}

/**
 * A mesh-relayed signal that claims to come from `victim` but is signed by the adversary's own
 * key: the framing attack (a link that would be filed under the victim's id).
 */
export function forgedRelayedSignal(adversary: NodeIdentity, victim: PeerId, to: PeerId, params: NetworkParams): Message {
  const fields = { from: victim, to, time: Math.floor(Date.now() / 1000), data: JSON.stringify({ type: 'offer', sdp: 'v=0\r\n' }) };
  return {
    type: 'signal',
    ...fields,
    hops: WIRE_LIMITS.maxSignalHops,
    publicKey: adversary.publicKey,
    signature: signRelayedSignal(adversary.secretKey, fields, params.networkId),
  };
}
